"""OWASP API4:2023 Unrestricted Resource Consumption, for every operation of the spec.

Every bound the contract puts on input is enforced, and enforced before any expensive work:
one past each `maxLength` of a body field or parameter, one past each `maxItems`, one past each
`maximum` (`size=101`, `page=10001`) is a 422, and a body over the byte limit is a 413 whether it
declares its length or streams in chunks. The requests go to the tripwire app, whose services
note any call and fail: no service method runs and no password is hashed or verified.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.collection import assert_found
from tests.support.contract import assert_problem
from tests.support.operations import FORM, Operation, example, operations, resolve
from tests.support.security_settings import MAX_BODY
from tests.support.tripwire import Tripwire
from tests.support.walk import Prepared, prepare, properties_of

pytestmark = pytest.mark.anyio

Where = Literal["body", "query", "path", "header", "bytes", "chunked"]


@dataclass(frozen=True)
class Oversize:
    where: Where
    name: str
    value: Any

    @property
    def status(self) -> int:
        return 413 if self.where in ("bytes", "chunked") else 422


def over(schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """(rule, value) one past each bound of a schema: maxLength, maxItems, maximum."""
    schema = resolve(schema)
    found: list[tuple[str, Any]] = []
    if "maxLength" in schema:
        found.append(("too-long", "a" * (schema["maxLength"] + 1)))
    if "maxItems" in schema:
        item = example(schema.get("items", {}))
        found.append(("too-many", [item] * (schema["maxItems"] + 1)))
    if "maximum" in schema:
        found.append(("too-big", schema["maximum"] + 1))
    return found


def oversize_cases() -> list[Any]:
    cases = []
    for op in operations():
        found: list[tuple[str, Oversize]] = []
        if op.has_body:
            for name, schema in properties_of(op.body_schema).items():
                found += [(f"{name}-{rule}", Oversize("body", name, v)) for rule, v in over(schema)]
            found.append(("body-bytes", Oversize("bytes", "", b" " * (MAX_BODY + 1))))
            found.append(("body-chunked", Oversize("chunked", "", b" " * (MAX_BODY + 1))))
        for parameter in op.parameters:
            for rule, value in over(parameter.get("schema", {})):
                case = Oversize(parameter["in"], parameter["name"], value)
                found.append((f"{parameter['in']}-{parameter['name']}-{rule}", case))
        cases += [pytest.param(op, case, id=f"{op.operation_id}-{name}") for name, case in found]
        if not found:
            cases.append(pytest.param(op, None, id=f"{op.operation_id}-none"))
    return cases


async def chunks(data: bytes, size: int = 256) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def send_oversize(
    client: httpx.AsyncClient, prepared: Prepared, op: Operation, case: Oversize
) -> httpx.Response:
    if case.where == "body":
        assert isinstance(prepared.body, dict)
        return await prepared.send(client, body={**prepared.body, case.name: case.value})
    if case.where in ("bytes", "chunked"):
        content = case.value if case.where == "bytes" else chunks(case.value)
        headers = {"Content-Type": str(op.media_type)}
        return await prepared.send(client, raw_content=content, headers=headers)
    if case.where == "query":
        return await prepared.send(client, params={case.name: str(case.value)})
    if case.where == "header":
        return await prepared.send(client, headers={case.name: str(case.value)})
    assert case.where == "path"
    assert prepared.resource is not None
    value = prepared.resource.values[case.name]
    assert value in prepared.path
    return await prepared.send(client, path=prepared.path.replace(value, str(case.value)))


@pytest.mark.parametrize(("op", "case"), oversize_cases())
async def test_input_over_a_bound_is_refused_before_any_work(
    api: httpx.AsyncClient,
    superuser: Account,
    tripwire: Tripwire,
    hashing: list[str],
    op: Operation,
    case: Oversize | None,
) -> None:
    if case is None:
        # It takes no input that could be large: no body and no bounded parameter.
        assert not op.has_body
        assert not [p for p in op.parameters if over(p.get("schema", {}))]
        return
    assert op.declares(case.status), f"{op} takes bounded input but does not declare {case.status}"
    prepared = await prepare(api, op, superuser)  # on the real app: accounts and resources
    tripwire.reset()
    hashing.clear()
    for target in (tripwire.client, api):
        response = await send_oversize(target, prepared, op, case)
        schema = "ValidationProblem" if case.status == 422 else "Problem"
        problem = assert_problem(response, case.status, schema)
        if case.status == 422:
            where = f"#/{case.name}" if case.where == "body" else f"{case.where}.{case.name}"
            places = [issue.get("pointer") or issue.get("location") for issue in problem["errors"]]
            assert places == [where.lower() if case.where == "header" else where]
    assert tripwire.services == [], "a service ran"
    assert hashing == [], "a password was hashed or checked"


async def test_the_tripwires_trip(
    api: httpx.AsyncClient, superuser: Account, tripwire: Tripwire, hashing: list[str]
) -> None:
    """The control: a request within bounds reaches a service, and the real app a hash check."""
    op = next(op for op in operations() if op.operation_id == "login")
    prepared = await prepare(api, op, superuser)
    hashing.clear()
    assert_problem(await prepared.send(tripwire.client), 500)
    assert tripwire.services == ["AuthService.login"]
    assert (await prepared.send(api)).status_code == 200
    assert hashing == ["verify"]


def test_the_walk_finds_the_bounds_that_matter() -> None:
    assert_found(
        oversize_cases(),
        "listUsers-query-size-too-big",
        "listUsers-query-page-too-big",
        "listItems-query-q-too-long",
        "register-password-too-long",
        "login-password-too-long",
        "createPost-content-too-long",
        "updateItem-header-If-Match-too-long",
        "getPostBySlug-path-slug-too-long",
        "createItem-body-chunked",
    )
    assert FORM in {op.media_type for op in operations()}  # login's form body is walked too

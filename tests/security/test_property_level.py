"""OWASP API3:2023 Broken Object Property Level Authorization, for every operation of the spec.

Mass assignment: a field the service sets (every property of an operation's 2xx response that
its request body lacks: `id`, `owner_id`, `author_id`, `slug`, `is_superuser`, `created_at`,
...) is refused with a 422 naming it, and nothing changes.

Excessive data exposure: no response carries a key its schema lacks, and no password or hash
ever appears in one. Every response of a walk through each operation is checked against the
contract here, independently of the service's own response validation (which is on as well, and
must not have had to step in).
"""

import logging
from typing import Any

import httpx
import pytest
from starlette.routing import compile_path

from tests.support.accounts import Account, assert_no_secrets, keys_anywhere
from tests.support.collection import assert_found, every_operation
from tests.support.contract import assert_problem
from tests.support.operations import Operation, example, operations, resolve
from tests.support.walk import (
    keys_of,
    prepare,
    properties_of,
    response_schema,
    snapshot,
    success_schemas,
)

pytestmark = pytest.mark.anyio


def read_only_fields(op: Operation) -> list[str]:
    """Properties of the operation's 2xx responses that its request body does not take."""
    if not op.has_body:
        return []
    takes = set(properties_of(op.body_schema))
    gives = {name for schema in success_schemas(op) for name in properties_of(schema)}
    return sorted(gives - takes)


def mass_assignment_cases() -> list[Any]:
    cases = []
    for op in operations():
        fields = read_only_fields(op)
        cases += [pytest.param(op, name, id=f"{op.operation_id}-{name}") for name in fields]
        if not fields:
            cases.append(pytest.param(op, None, id=f"{op.operation_id}-none"))
    return cases


def tempting(op: Operation, name: str) -> Any:
    """A value for the read-only field that the response schema allows: the one to smuggle in."""
    schemas = [properties_of(s)[name] for s in success_schemas(op) if name in properties_of(s)]
    schema = resolve(schemas[0])
    if schema.get("type") == "boolean":
        return True  # is_superuser: true, is_active: true
    return example(schema)


@pytest.mark.parametrize(("op", "name"), mass_assignment_cases())
async def test_a_read_only_field_cannot_be_assigned(
    api: httpx.AsyncClient, superuser: Account, op: Operation, name: str | None
) -> None:
    if name is None:
        # Nothing the service sets is missing from what it takes: no body, or no 2xx body.
        assert not op.has_body or not success_schemas(op) or not read_only_fields(op)
        return
    prepared = await prepare(api, op, superuser)
    resource = prepared.resource
    before = await snapshot(api, resource, superuser) if resource and resource.reader else None
    assert isinstance(prepared.body, dict)
    body = {**prepared.body, name: tempting(op, name)}
    response = await prepared.send(api, body=body)
    problem = assert_problem(response, 422, "ValidationProblem")
    assert [(i.get("pointer"), i.get("code")) for i in problem["errors"]] == [
        (f"#/{name}", "extra_forbidden")
    ]
    if resource is not None and resource.reader is not None:
        assert await snapshot(api, resource, superuser) == before
    response = await prepared.send(api)  # the control: without the field, it works
    assert response.is_success, response.text


def test_the_mass_assignment_walk_finds_the_fields_that_matter() -> None:
    """The walk derives these from the spec; if it stopped finding them it would test nothing."""
    assert_found(
        mass_assignment_cases(),
        "register-is_superuser",
        "updateCurrentUser-is_superuser",
        "updateCurrentUser-email",
        "updateUser-id",
        "createItem-owner_id",
        "updateItem-owner_id",
        "createPost-author_id",
        "createPost-slug",
        "updatePost-slug",
        "updatePost-published_at",
        "refreshTokens-access_token",
    )


# Excessive data exposure


def operation_for(method: str, path: str) -> Operation | None:
    """The operation a request went to: literal paths win over templated ones."""
    matches = [
        op
        for op in operations()
        if op.method == method and compile_path(op.path)[0].match(path) is not None
    ]
    matches.sort(key=lambda op: op.path.count("{"))
    return matches[0] if matches else None


def check_response(response: httpx.Response) -> None:
    """The body uses no key the schema of its operation and status lacks, and no secret."""
    if not response.content:
        return
    media_type = response.headers.get("content-type", "").split(";")[0]
    op = operation_for(response.request.method, response.request.url.path)
    assert op is not None, f"a walk sent {response.request.method} {response.request.url}"
    schema = response_schema(op, response.status_code, media_type)
    assert schema is not None, f"{op} answered {response.status_code} {media_type}"
    if not media_type.endswith("json"):
        return  # text (the metrics): no keys to check; the walk looks for hashes in every body
    body = response.json()
    assert_no_secrets(body)
    unknown = keys_anywhere(body) - keys_of(schema)
    assert not unknown, f"{op} {response.status_code}: keys the schema lacks: {sorted(unknown)}"


@pytest.mark.parametrize("op", every_operation())
async def test_no_response_carries_a_key_its_schema_lacks(
    api: httpx.AsyncClient,
    superuser: Account,
    caplog: pytest.LogCaptureFixture,
    op: Operation,
) -> None:
    caplog.set_level(logging.ERROR, logger="app.contract")
    seen: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        seen.append(response)

    hooks = api.event_hooks
    api.event_hooks = {**hooks, "response": [*hooks["response"], record]}
    try:
        prepared = await prepare(api, op, superuser)  # sign-ups, sign-ins, creations: recorded
        answers = [await prepared.send(api, caller=None), await prepared.send(api)]
    finally:
        api.event_hooks = hooks
    assert any(a.is_success for a in answers), [a.text for a in answers]
    assert len(seen) >= 2
    for response in seen:
        check_response(response)
    assert "$argon2" not in "".join(r.text for r in seen)
    assert [r.getMessage() for r in caplog.records if r.name == "app.contract"] == []


@pytest.mark.parametrize(
    "extra", [{"hashed_password": "x"}, {"internal_note": "x"}, {"bio": "$argon2id$v=19$..."}]
)
def test_the_response_check_sees_a_leak(extra: dict[str, str]) -> None:
    """The control for the walk above: a User with a key too many, or a hash, fails it."""
    request = httpx.Request("GET", "http://testserver/api/v1/users/me")
    user: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "email": "a@example.com",
        "full_name": None,
        "bio": None,
        "is_active": True,
        "is_superuser": False,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    check_response(httpx.Response(200, json=user, request=request))
    with pytest.raises(AssertionError):
        check_response(httpx.Response(200, json={**user, **extra}, request=request))

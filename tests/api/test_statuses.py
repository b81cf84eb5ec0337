"""Status codes every operation shares, tested by walking the spec, and the coverage check.

Each test here loops over the contract's operations, so an operation added to
openapi/openapi.yaml is covered without editing this file: 401 without a token, 413/415/422
for bad bodies, 422 for bad parameters, 500 when its service fails. Each test says which
(operationId, status) pairs it exercises with `@pytest.mark.covers`, and
`test_every_declared_status_is_covered` checks that the whole suite covers every status code
of every operation in the spec.
"""

import logging
import socket
import typing
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from app.auth.tokens import Tokens
from app.main import create_app
from app.providers import Providers
from app.settings import Settings
from contract.api import OPERATIONS
from tests.support.clients import started
from tests.support.collection import partial_run
from tests.support.contract import assert_problem
from tests.support.operations import (
    Operation,
    all_pairs,
    body_kwargs,
    call,
    example,
    fill_path,
    merge_all_of,
    operations,
    resolve,
    valid_body,
)

pytestmark = pytest.mark.anyio

TESTS = Path(__file__).resolve().parents[1]
UNKNOWN_FIELD = "x_unknown_field"
MAX_BODY = 1024  # the smallest limit Settings accepts
PASSWORD = "correct horse battery staple"
LEAKS = ("Traceback", "RuntimeError", 'File "', ".py", "/src/", "forced failure")


def cases(select: Callable[[Operation], bool], status: int) -> list[Any]:
    """One `pytest.param` per selected operation, marked as covering `status` if declared."""
    return [
        pytest.param(
            op,
            id=op.operation_id,
            marks=[pytest.mark.covers(op.operation_id, status)] if op.declares(status) else [],
        )
        for op in operations()
        if select(op)
    ]


# Signing in


async def sign_in(client: httpx.AsyncClient) -> dict[str, str]:
    """Register a new user and log in; the Authorization header with its access token."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    tokens = await client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


def token_for(op: Operation, auth: dict[str, str]) -> dict[str, str]:
    return auth if op.secured else {}


@pytest.fixture
def http_settings(sqlite_settings: Settings) -> Settings:
    # The rate limit stays on (it is part of the stack under test), just out of reach.
    return sqlite_settings.model_copy(
        update={"max_body_bytes": MAX_BODY, "rate_limit_auth": "1000/minute"}
    )


@pytest.fixture
async def api(http_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(create_app(http_settings)):
        yield client


@pytest.fixture
async def auth(api: httpx.AsyncClient) -> dict[str, str]:
    return await sign_in(api)


# 401


@pytest.mark.parametrize("op", cases(lambda op: op.declares(401), 401))
async def test_401_without_valid_credentials(api: httpx.AsyncClient, op: Operation) -> None:
    """A token that is sent must be valid; a secured operation also needs one to be sent.

    The public operations that declare 401 (login, refresh) check the credentials in their
    body, which a valid example body gets wrong.
    """
    body = body_kwargs(op, valid_body(op)) if op.has_body else {}
    attempts = [{"Authorization": "Bearer not-a-jwt"}]
    if op.secured:
        attempts += [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}]
    for headers in attempts:
        response = await call(api, op, headers=headers, **body)
        problem = assert_problem(response, 401)
        assert problem["type"] == "urn:problem-type:unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"


def test_every_operation_that_needs_a_token_declares_401() -> None:
    secured = [op for op in operations() if op.secured]
    assert secured  # the walk finds them
    assert [op.operation_id for op in secured if not op.declares(401)] == []


# Request bodies: 413, 415, 422


def has_body(op: Operation) -> bool:
    return op.has_body


# What each refusal of a body sends: Content-Type (of the operation's own media type where
# "{media_type}"), content, and the problem's exact detail.
BODY_REFUSALS: dict[int, tuple[str, bytes, str]] = {
    415: ("text/plain", b"just text", "Send the body as {media_type}, not text/plain."),
    413: (
        "{media_type}",
        b" " * (MAX_BODY + 1),
        f"The request body is larger than {MAX_BODY} bytes.",
    ),
}


@pytest.mark.parametrize(
    ("status", "op"),
    [
        pytest.param(status, *param.values, id=f"{status}-{param.id}", marks=param.marks)
        for status in BODY_REFUSALS
        for param in cases(has_body, status)
    ],
)
async def test_415_or_413_for_a_body_of_another_media_type_or_over_the_limit(
    api: httpx.AsyncClient, auth: dict[str, str], status: int, op: Operation
) -> None:
    assert op.declares(status), f"{op} takes a body but does not declare {status}"
    content_type, content, detail = BODY_REFUSALS[status]
    response = await call(
        api,
        op,
        headers={
            **token_for(op, auth),
            "Content-Type": content_type.format(media_type=op.media_type),
        },
        content=content,
    )
    assert assert_problem(response, status)["detail"] == detail.format(media_type=op.media_type)


@pytest.mark.parametrize("op", cases(has_body, 422))
async def test_422_for_an_unknown_field(
    api: httpx.AsyncClient, auth: dict[str, str], op: Operation
) -> None:
    assert op.declares(422), f"{op} takes a body but does not declare 422"
    body = {**valid_body(op), UNKNOWN_FIELD: "1"}
    response = await call(api, op, headers=token_for(op, auth), **body_kwargs(op, body))
    problem = assert_problem(response, 422, "ValidationProblem")
    assert [(i["pointer"], i["code"]) for i in problem["errors"]] == [
        (f"#/{UNKNOWN_FIELD}", "extra_forbidden")
    ]


# Parameters: 422


def bad_values(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(what is wrong, value) for each rule of a parameter's schema a value can break."""
    found = []
    if schema.get("format") == "uuid":
        found.append(("not-a-uuid", "not-a-uuid"))
    if schema.get("type") == "integer":
        found.append(("not-an-integer", "many"))
        if "minimum" in schema:
            found.append(("below-minimum", str(schema["minimum"] - 1)))
        if "maximum" in schema:
            found.append(("above-maximum", str(schema["maximum"] + 1)))
    if "maxLength" in schema:
        found.append(("too-long", "x" * (schema["maxLength"] + 1)))
    if "enum" in schema:
        found.append(("not-in-enum", "not-one-of-them"))
    return found


def parameter_cases() -> Iterator[Any]:
    for op in operations():
        for parameter in op.parameters:
            if parameter["in"] not in ("path", "query"):
                continue
            for wrong, value in bad_values(parameter.get("schema", {})):
                marks = [pytest.mark.covers(op.operation_id, 422)] if op.declares(422) else []
                yield pytest.param(
                    op,
                    parameter,
                    value,
                    id=f"{op.operation_id}-{parameter['name']}-{wrong}",
                    marks=marks,
                )


@pytest.mark.parametrize(("op", "parameter", "value"), list(parameter_cases()))
async def test_422_for_a_parameter_that_breaks_its_schema(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    op: Operation,
    parameter: dict[str, Any],
    value: str,
) -> None:
    assert op.declares(422), f"{op} has parameters but does not declare 422"
    name, where = parameter["name"], parameter["in"]
    body = body_kwargs(op, valid_body(op)) if op.has_body else {}
    path = fill_path(op, **({name: value} if where == "path" else {}))
    params = {name: value} if where == "query" else {}
    response = await call(api, op, headers=token_for(op, auth), path=path, params=params, **body)
    problem = assert_problem(response, 422, "ValidationProblem")
    assert [issue["location"] for issue in problem["errors"]] == [f"{where}.{name}"]


def test_the_parameter_walk_finds_parameters() -> None:
    ids = {p.id for p in parameter_cases()}
    assert "getUser-user_id-not-a-uuid" in ids
    assert "listUsers-size-above-maximum" in ids


# Text: U+0000 refused in every string a request carries, on both databases


def nul_cases() -> Iterator[Any]:
    """(operation, where, name, schema) for each top-level body string and string parameter."""
    for op in operations():
        marks = [pytest.mark.covers(op.operation_id, 422)] if op.declares(422) else []
        fields = []
        if op.body_schema is not None:
            properties = merge_all_of(op.body_schema).get("properties", {})
            fields += [("body", name, resolve(s)) for name, s in properties.items()]
        fields += [(p["in"], p["name"], p.get("schema", {})) for p in op.parameters]
        for where, name, schema in fields:
            kinds = schema.get("type")
            is_string = "string" in (kinds if isinstance(kinds, list) else [kinds])
            if is_string and "pattern" in schema and where != "path":
                yield pytest.param(
                    op, where, name, schema, id=f"{op.operation_id}-{name}", marks=marks
                )


def test_the_nul_walk_finds_bodies_forms_and_queries() -> None:
    ids = {p.id for p in nul_cases()}
    assert {"register-full_name", "login-username", "listItems-q", "updatePost-content"} <= ids
    assert "updateItem-If-Match" in ids


@pytest.mark.parametrize(("op", "where", "name", "schema"), list(nul_cases()))
async def test_422_for_a_nul_in_a_string(
    settings: Settings, op: Operation, where: str, name: str, schema: dict[str, Any]
) -> None:
    """PostgreSQL text cannot hold U+0000 and SQLite can: the contract refuses it for both."""
    valid = str(example(schema))
    value = valid[:1] + "\x00" + valid[1:]  # valid but for the NUL
    async for client in started(create_app(settings)):
        auth = await sign_in(client)
        body = valid_body(op) if op.has_body else None
        if where == "body":
            assert body is not None
            body[name] = value
        kwargs = body_kwargs(op, body) if body is not None else {}
        params = {name: value} if where == "query" else {}
        headers = {**token_for(op, auth), **({name: value} if where == "header" else {})}
        # In-process a header may carry a NUL; uvicorn's HTTP parsers refuse one with a 400.
        response = await call(client, op, headers=headers, params=params, **kwargs)
    problem = assert_problem(response, 422, "ValidationProblem")
    expected = f"#/{name}" if where == "body" else f"{where}.{name.lower()}"
    assert [(i.get("pointer") or i.get("location"), i["code"]) for i in problem["errors"]] == [
        (expected, "string_pattern_mismatch")
    ]


# 503: the database cannot be reached


def unreachable_databases(tmp: Path) -> dict[str, str]:
    """Database URLs nothing answers at: a closed port, a file in a missing folder."""
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "postgresql": f"postgresql+asyncpg://nobody@127.0.0.1:{port}/none",
        "sqlite": f"sqlite:///{tmp / 'missing-folder' / 'app.db'}",
    }


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("op", cases(lambda op: op.declares(503), 503))
async def test_503_with_retry_after_when_the_database_cannot_be_reached(
    http_settings: Settings, tmp_path: Path, op: Operation, database: str
) -> None:
    """Every operation that uses the database answers 503, never 500, while it is away.

    The tokens are minted with the app's own key, so each request gets as far as the
    database: an access token names an account that must be loaded, a refresh token is
    looked up. Nothing listens at the URL, so no operation can succeed.
    """
    assert op.declares(503), f"{op} does not declare 503"
    settings = http_settings.model_copy(
        update={
            "database_url": unreachable_databases(tmp_path)[database],
            "auto_migrate": False,
            "db_connect_timeout_s": 2.0,
        }
    )
    tokens, user, now = Tokens(settings), uuid.uuid4(), datetime.now(UTC)
    access, _ = tokens.issue("access", user, now)
    refresh, _ = tokens.issue("refresh", user, now)
    body = valid_body(op) if op.has_body else None
    if body is not None and "refresh_token" in body:
        body["refresh_token"] = refresh
    kwargs = body_kwargs(op, body) if body is not None else {}
    headers = {"Authorization": f"Bearer {access}"} if op.secured else {}
    async for client in started(create_app(settings)):
        response = await call(client, op, headers=headers, **kwargs)
    assert_problem(response, 503)
    assert 1 <= int(response.headers["retry-after"]) <= 86400


# 500


class ForcedFailure(RuntimeError):
    """Raised by every operation of every service once `break_every_service` ran."""


def failing_service(tag: str, real: type) -> type:
    """A subclass of the tag's service class whose every operation raises ForcedFailure.

    A subclass (rather than any object) because create_app checks that each provider
    returns a class that implements the tag's operations.
    """

    def failing(name: str) -> Callable[..., Any]:
        async def method(self: object, **_: object) -> NoReturn:
            raise ForcedFailure(f"forced failure in {real.__name__}.{name}")

        method.__name__ = name
        return method

    names = {info.method_name for info in OPERATIONS if info.tag == tag}
    return type(f"Failing{real.__name__}", (real,), {name: failing(name) for name in names})


def failing_provider(tag: str) -> Callable[[Providers], Any]:
    real: type = typing.get_type_hints(getattr(Providers, tag))["return"]
    broken = failing_service(tag, real)

    def provide(self: Providers) -> Any:
        return object.__new__(broken)  # no __init__: it never gets to use its resources

    provide.__annotations__ = {"return": broken}  # what create_app's contract check reads
    return provide


def break_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each tag's provider hand out a failing service, in apps created after this.

    build_routers binds `providers.<tag>` when the app is built, so the class is patched.
    """
    for tag in {info.tag for info in OPERATIONS}:
        monkeypatch.setattr(Providers, tag, failing_provider(tag))


@pytest.mark.parametrize("op", cases(lambda op: True, 500))
async def test_500_when_the_service_fails_leaks_nothing(
    http_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    op: Operation,
) -> None:
    assert op.declares(500), f"{op} does not declare 500"
    async for client in started(create_app(http_settings)):
        auth = await sign_in(client)
    break_every_service(monkeypatch)
    caplog.set_level(logging.ERROR, logger="app.errors")
    body = body_kwargs(op, valid_body(op)) if op.has_body else {}
    async for client in started(create_app(http_settings)):
        response = await call(
            client, op, headers={**token_for(op, auth), "X-Request-ID": "forced-500"}, **body
        )
    problem = assert_problem(response, 500)
    assert problem["request_id"] == "forced-500"
    assert "forced-500" in problem["detail"]
    for leak in LEAKS:
        assert leak not in response.text, leak
    # The failure that was logged is the one forced in this operation's own service method.
    [info] = [info for info in OPERATIONS if info.operation_id == op.operation_id]
    logged = [r for r in caplog.records if r.name == "app.errors"]
    forced = f"forced failure in {info.implementation_class}.{info.method_name}"
    assert [r.__dict__["error_class"] for r in logged] == [ForcedFailure.__name__]
    assert [f"{ForcedFailure.__name__}: {forced}" in r.getMessage() for r in logged] == [True]
    assert [getattr(r, "request_id", None) for r in logged] == ["forced-500"]


# Coverage of the spec's status codes


def covered(items: list[pytest.Item]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for item in items:
        for mark in item.iter_markers("covers"):
            operation_id, *statuses = mark.args
            pairs.update((operation_id, str(status)) for status in statuses)
    return pairs


def test_covers_markers_name_declared_statuses(request: pytest.FixtureRequest) -> None:
    """A marker with a typo would cover nothing while looking as if it did."""
    declared = all_pairs()
    wrong = []
    for item in request.session.items:
        for mark in item.iter_markers("covers"):
            if len(mark.args) < 2:
                wrong.append(f"{item.nodeid}: covers{mark.args} names no status")
            operation_id, *statuses = mark.args
            wrong += [
                f"{item.nodeid}: {operation_id} {status}"
                for status in statuses
                if (operation_id, str(status)) not in declared
            ]
    assert wrong == [], "covers markers for pairs the spec does not declare:\n" + "\n".join(wrong)


def test_every_declared_status_is_covered(request: pytest.FixtureRequest) -> None:
    why = partial_run(request.config, request.session.items, TESTS)
    if why is not None:
        pytest.skip(f"needs the whole suite to judge coverage: {why}")
    order = {op.operation_id: n for n, op in enumerate(operations())}
    missing = sorted(
        all_pairs() - covered(request.session.items), key=lambda p: (order[p[0]], p[1])
    )
    assert missing == [], (
        f"{len(missing)} (operationId, status) pair(s) of the spec have no test marked "
        "@pytest.mark.covers(operation_id, status):\n"
        + "\n".join(f"  {op} {status}" for op, status in missing)
    )

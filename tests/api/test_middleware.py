"""The pure ASGI middleware: body limit, unexpected errors, request ids; and the rules behind it.

Test-only routes are added to the real app, so each request passes through the same stack
`create_app` builds.
"""

import inspect
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from app.main import create_app
from app.middleware.allowed_hosts import AllowedHostsMiddleware
from app.middleware.body_limit import BodyLimitMiddleware, methods_with_bodies
from app.middleware.compression import CompressionMiddleware
from app.middleware.rate_limit import RateLimitMiddleware
from app.middleware.response_headers import ResponseHeadersMiddleware
from app.middleware.response_validation import ResponseValidationMiddleware
from app.middleware.server_errors import ResponseAborted, ServerErrorsMiddleware
from app.settings import Settings
from contract.api import OPERATIONS
from contract.runtime import require_content_type
from tests.support.contract import assert_problem
from tests.support.http import client_with

pytestmark = pytest.mark.anyio

LIMIT = 2048
RAW = "/test/raw"
ITEMS = "/test/items"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=10)]


def build_router(entered: list[str]) -> APIRouter:
    """Routes that note in `entered` each time the app runs them."""
    router = APIRouter()

    @router.post(RAW)
    async def raw(request: Request) -> dict[str, int]:
        entered.append(RAW)
        return {"length": len(await request.body())}

    @router.post(ITEMS, dependencies=[Depends(require_content_type("application/json"))])
    async def create_item(item: Item) -> dict[str, str]:
        entered.append(ITEMS)
        return {"title": item.title}

    @router.get("/test/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @router.get("/test/late-boom")
    async def late_boom() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first part"
            raise RuntimeError("late failure")

        return StreamingResponse(body(), media_type="text/plain")

    return router


@pytest.fixture
def entered() -> list[str]:
    return []


@pytest.fixture
async def api(sqlite_settings: Settings, entered: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    settings = sqlite_settings.model_copy(update={"max_body_bytes": LIMIT})
    async for client in client_with(settings, build_router(entered)):
        yield client


async def streamed(data: bytes, chunk: int = 500) -> AsyncIterator[bytes]:
    """`data` as a chunked body: httpx sends no Content-Length for an async iterator."""
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def json_of_size(size: int) -> bytes:
    """A valid Item document of exactly `size` bytes (padded with insignificant spaces)."""
    return b'{"title": "ok"}'.ljust(size)


# Body size limit


async def test_a_body_at_the_limit_passes(api: httpx.AsyncClient) -> None:
    response = await api.post(RAW, content=b"x" * LIMIT)
    assert response.request.headers["content-length"] == str(LIMIT)
    assert response.status_code == 200, response.text
    assert response.json() == {"length": LIMIT}


async def test_a_streamed_body_at_the_limit_passes(api: httpx.AsyncClient) -> None:
    response = await api.post(RAW, content=streamed(b"x" * LIMIT))
    assert "content-length" not in response.request.headers
    assert response.status_code == 200, response.text
    assert response.json() == {"length": LIMIT}


async def test_a_declared_length_over_the_limit_is_refused_unread(
    api: httpx.AsyncClient, entered: list[str]
) -> None:
    response = await api.post(RAW, content=b"x" * (LIMIT + 1))
    body = assert_problem(response, 413)
    assert body["detail"] == f"The request body is larger than {LIMIT} bytes."
    assert entered == []  # refused before any route ran


async def test_the_declared_length_alone_decides(
    api: httpx.AsyncClient, entered: list[str]
) -> None:
    response = await api.post(RAW, content=b"x", headers={"Content-Length": "99999999999999"})
    assert_problem(response, 413)
    assert entered == []


async def test_a_body_on_an_operation_that_takes_none_is_never_read_nor_refused(
    api: httpx.AsyncClient,
) -> None:
    # No GET in the contract declares 413, and none reads a body: the limit is for the
    # methods whose operations take one (POST, PUT and PATCH here).
    response = await api.request("GET", "/api/v1/items", content=b"x" * (LIMIT + 1))
    assert response.status_code == 200, response.text
    assert methods_with_bodies(OPERATIONS) == {"POST", "PUT", "PATCH"}


@pytest.mark.parametrize("path", [RAW, ITEMS])
async def test_a_streamed_body_over_the_limit_is_413(
    api: httpx.AsyncClient, entered: list[str], path: str
) -> None:
    response = await api.post(
        path,
        content=streamed(json_of_size(LIMIT + 1)),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    body = assert_problem(response, 413)
    assert body["detail"] == f"The request body is larger than {LIMIT} bytes."
    assert ITEMS not in entered  # the model route never got a body to validate


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_json_at_the_limit_is_parsed(api: httpx.AsyncClient, chunked: bool) -> None:
    data = json_of_size(LIMIT)
    response = await api.post(
        ITEMS,
        content=streamed(data) if chunked else data,
        headers={"Content-Type": "application/json"},
    )
    assert ("content-length" in response.request.headers) is not chunked
    assert response.status_code == 200, response.text
    assert response.json() == {"title": "ok"}


@pytest.mark.parametrize("length", ["ten", "-1", "1e3", "0x10"])
async def test_a_content_length_that_is_not_a_number_is_400(
    api: httpx.AsyncClient, entered: list[str], length: str
) -> None:
    response = await api.post(RAW, content=b"x", headers={"Content-Length": length})
    body = assert_problem(response, 400)
    assert body["detail"] == "Content-Length is not a number."
    assert entered == []


# Unexpected errors


def logged_request_ids(caplog: pytest.LogCaptureFixture) -> list[object]:
    """The `request_id` (a structured field, from `extra`) of each error logged by the app."""
    return [getattr(r, "request_id", None) for r in caplog.records if r.name == "app.errors"]


async def test_an_unexpected_error_is_a_500_that_leaks_nothing(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.errors")
    response = await api.get("/test/boom")
    body = assert_problem(response, 500)
    request_id = response.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(request_id)
    assert body["type"] == "about:blank"
    assert request_id in body["detail"]
    for leak in ("secret internals", "RuntimeError", "Traceback", 'File "', ".py", "/src/"):
        assert leak not in response.text, leak
    # The details go to the log instead, under the same request id.
    assert logged_request_ids(caplog) == [request_id]
    [record] = [r for r in caplog.records if r.name == "app.errors"]
    assert record.levelno == logging.ERROR
    assert request_id in record.getMessage()
    assert "GET /test/boom" in record.getMessage()
    # The traceback is in the message, each exception's text redacted (app.redaction): no
    # `exc_info` is left for a handler to format again unredacted.
    assert record.exc_info is None
    assert record.__dict__["error_class"] == "RuntimeError"
    assert "Traceback (most recent call last):" in record.getMessage()
    assert "RuntimeError: secret internals" in record.getMessage()


async def test_a_500_carries_the_callers_request_id(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.errors")
    response = await api.get("/test/boom", headers={"X-Request-ID": "trace-500.a"})
    body = assert_problem(response, 500)
    assert body["request_id"] == "trace-500.a"
    assert "trace-500.a" in body["detail"]
    assert logged_request_ids(caplog) == ["trace-500.a"]


async def test_an_error_after_the_response_started_is_logged_and_not_answered_twice(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.errors")
    # Too late for a problem body: the server gets an error that quotes nothing (it logs it)
    # and drops the connection; the error itself was logged, redacted, under the request id.
    with pytest.raises(ResponseAborted, match="request late-1") as raised:
        await api.get("/test/late-boom", headers={"X-Request-ID": "late-1"})
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    assert logged_request_ids(caplog) == ["late-1"]
    [record] = [r for r in caplog.records if r.name == "app.errors"]
    assert "RuntimeError: late failure" in record.getMessage()


# X-Request-ID


@pytest.mark.parametrize(
    "given", ["abc-DEF_1.2:3", "7f3c2a9e-5b1d-4c8e-9a0f-1e2d3c4b5a69", "x" * 128]
)
async def test_a_sane_request_id_is_echoed(api: httpx.AsyncClient, given: str) -> None:
    ok = await api.get("/health/live", headers={"X-Request-ID": given})
    assert ok.status_code == 200
    assert ok.headers["x-request-id"] == given
    body = assert_problem(await api.get("/no/such", headers={"X-Request-ID": given}), 404)
    assert body["request_id"] == given


@pytest.mark.parametrize(
    "given",
    [
        pytest.param(b"x" * 129, id="129-chars"),
        pytest.param(b"y" * 200, id="200-chars"),
        pytest.param(b"has spaces in it", id="spaces"),
        pytest.param(b"semi;colon", id="semicolon"),
        pytest.param(b"<script>", id="markup"),
        pytest.param("caf\u00e9".encode("latin-1"), id="non-ascii"),
        pytest.param(b"", id="empty"),
    ],
)
async def test_an_unsafe_request_id_is_replaced(api: httpx.AsyncClient, given: bytes) -> None:
    response = await api.get("/no/such", headers={b"X-Request-ID": given})
    body = assert_problem(response, 404)
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers.get_list("x-request-id") == [body["request_id"]]


async def test_each_request_without_an_id_gets_a_new_one(api: httpx.AsyncClient) -> None:
    ids = [(await api.get("/health/live")).headers["x-request-id"] for _ in range(3)]
    assert all(GENERATED_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == 3


# Architecture rules: pure ASGI middleware, no thread-pool hops on a request's path


def test_the_middleware_is_pure_asgi_with_the_request_id_outermost(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings.model_copy(update={"cors_origins": ["https://app.example"]})
    app = create_app(settings)
    classes: list[object] = [middleware.cls for middleware in app.user_middleware]
    assert classes == [
        ResponseHeadersMiddleware,  # the request id; each request timed, logged, counted
        AllowedHostsMiddleware,
        CompressionMiddleware,  # outside the validation, which must read plain bodies
        CORSMiddleware,
        ResponseValidationMiddleware,  # on in tests (validate_responses)
        ServerErrorsMiddleware,
        RateLimitMiddleware,
        BodyLimitMiddleware,
    ]
    without_cors: list[object] = [m.cls for m in create_app(sqlite_settings).user_middleware]
    assert CORSMiddleware not in without_cors  # no origins configured: no CORS layer at all
    assert not [
        cls for cls in classes if isinstance(cls, type) and issubclass(cls, BaseHTTPMiddleware)
    ]


def is_async(call: Callable[..., Any]) -> bool:
    """Whether FastAPI awaits `call` in the event loop rather than sending it to a thread."""
    if inspect.isclass(call):
        return False  # instantiating a class dependency runs in the thread pool
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    if inspect.isroutine(call):
        return False
    dunder_call = type(call).__call__  # a callable object: its __call__ is what runs
    return inspect.iscoroutinefunction(dunder_call) or inspect.isasyncgenfunction(dunder_call)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dependency in dependant.dependencies:
        yield from _dependants(dependency)


def route_calls(routes: Iterable[BaseRoute]) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(route, call) for every endpoint and every dependency, at any depth, of every route."""
    for route in routes:
        if isinstance(route, APIRoute):
            where = f"{','.join(sorted(route.methods or ()))} {route.path}"
            for dependant in _dependants(route.dependant):
                if dependant.call is not None:
                    yield where, dependant.call


def blocking_calls(routes: Iterable[BaseRoute]) -> list[str]:
    return [
        f"{where}: {getattr(call, '__name__', type(call).__name__)}"
        for where, call in route_calls(routes)
        if not is_async(call)
    ]


def test_no_request_path_runs_a_plain_def(sqlite_settings: Settings) -> None:
    app: FastAPI = create_app(sqlite_settings)
    calls = list(route_calls(app.state.routes))
    served = {r.operation_id for r in app.state.routes if isinstance(r, APIRoute)}
    assert {op.operation_id for op in OPERATIONS} <= served
    # The walk reaches the dependencies too: the principal the secured routes ask for.
    assert "authenticate" in {getattr(call, "__name__", "") for _, call in calls}
    assert blocking_calls(app.state.routes) == []


class SyncCallable:
    def __call__(self) -> int:
        return 1


class AsyncCallable:
    async def __call__(self) -> int:
        return 1


class ClassDependency:
    def __init__(self) -> None:
        self.value = 1


def test_the_walk_finds_plain_defs_at_any_depth() -> None:
    def plain() -> int:
        return 1

    def nested_plain() -> int:
        return 2

    async def outer(value: Annotated[int, Depends(nested_plain)]) -> int:
        return value

    async def async_generator() -> AsyncIterator[int]:
        yield 3

    router = APIRouter()

    @router.get("/fine")
    async def fine(
        a: Annotated[int, Depends(AsyncCallable())],
        b: Annotated[int, Depends(async_generator)],
    ) -> dict[str, int]:
        return {"sum": a + b}

    @router.get("/bad")
    async def bad(
        a: Annotated[int, Depends(plain)],
        b: Annotated[int, Depends(outer)],
        c: Annotated[int, Depends(SyncCallable())],
        d: Annotated[ClassDependency, Depends(ClassDependency)],
    ) -> dict[str, int]:
        return {"sum": a + b + c + d.value}

    @router.get("/sync-endpoint")
    def sync_endpoint() -> dict[str, int]:
        return {}

    assert blocking_calls(router.routes) == [
        "GET /bad: plain",
        "GET /bad: nested_plain",
        "GET /bad: SyncCallable",
        "GET /bad: ClassDependency",
        "GET /sync-endpoint: sync_endpoint",
    ]

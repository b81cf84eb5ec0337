"""Security headers on every response, whatever answered it; CORS from settings, never `*`."""

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pydantic
import pytest
from fastapi import APIRouter
from starlette.responses import Response

from app.settings import Settings
from app.spec import IMMUTABLE, documentation_paths
from tests.support.http import client_with

pytestmark = pytest.mark.anyio

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
ORIGIN = "https://app.example"
LOGIN = "/api/v1/auth/login"
BAD_LOGIN = {"username": "nobody@example.com", "password": "not-the-password"}
Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def build_router() -> APIRouter:
    router = APIRouter()

    @router.get("/test/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    return router


@pytest.fixture
async def api(sqlite_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = sqlite_settings.model_copy(
        update={"rate_limit_auth": "1/minute", "max_body_bytes": 1024, "cors_origins": [ORIGIN]}
    )
    async for client in client_with(settings, build_router()):
        yield client


async def _rate_limited(client: httpx.AsyncClient) -> httpx.Response:
    await client.post(LOGIN, data=BAD_LOGIN)
    return await client.post(LOGIN, data=BAD_LOGIN)


async def _preflight(client: httpx.AsyncClient) -> httpx.Response:
    return await client.options(
        LOGIN, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )


CASES: list[tuple[str, int, Send]] = [
    ("ok", 200, lambda c: c.get("/health/live")),
    ("cors-ok", 200, lambda c: c.get("/health/live", headers={"Origin": ORIGIN})),
    ("preflight", 200, _preflight),
    ("no-content", 204, lambda c: c.post("/api/v1/auth/logout", json={"refresh_token": "x"})),
    # Not an operation's path: no operation declares this 400 (uvicorn refuses such a request
    # itself), and the tests check every operation's responses against the contract.
    ("bad-request", 400, lambda c: c.post("/no/such/path", headers={"Content-Length": "ten"})),
    ("unauthenticated", 401, lambda c: c.get("/api/v1/users/me")),
    ("not-found", 404, lambda c: c.get("/no/such/path")),
    ("method-not-allowed", 405, lambda c: c.delete("/health/live")),
    ("too-large", 413, lambda c: c.post(LOGIN, content=b"x" * 2048)),
    ("unsupported-media-type", 415, lambda c: c.post(LOGIN, content=b"x")),
    ("unprocessable", 422, lambda c: c.post("/api/v1/auth/register", json={})),
    ("rate-limited", 429, _rate_limited),
    ("server-error", 500, lambda c: c.get("/test/boom")),
]


@pytest.mark.parametrize(
    ("status", "send"), [pytest.param(status, send, id=name) for name, status, send in CASES]
)
async def test_every_response_carries_the_security_headers(
    api: httpx.AsyncClient, status: int, send: Send
) -> None:
    response = await send(api)
    assert response.status_code == status, response.text
    for name, value in ALWAYS.items():
        assert response.headers.get_list(name) == [value], name
    assert response.headers.get_list("cache-control") == ["no-store"]
    assert response.headers["x-request-id"]


@pytest.mark.parametrize("page", sorted(documentation_paths()))
async def test_the_documentation_may_be_cached(api: httpx.AsyncClient, page: str) -> None:
    response = await api.get(page)
    assert response.status_code == 200
    # None for the pages; the assets, whose URLs name their version, their own for good.
    cached = [] if page in ("/openapi.json", "/docs", "/redoc") else [IMMUTABLE["Cache-Control"]]
    assert response.headers.get_list("cache-control") == cached
    for name, value in ALWAYS.items():
        assert response.headers[name] == value


async def test_a_header_set_by_the_route_is_replaced_not_doubled(
    sqlite_settings: Settings,
) -> None:
    router = APIRouter()

    @router.get("/test/framed")
    async def framed_response() -> Response:
        return Response(
            b"x", headers={"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=3600"}
        )

    async for client in client_with(sqlite_settings, router):
        response = await client.get("/test/framed")
        assert response.headers.get_list("x-frame-options") == ["DENY"]
        assert response.headers.get_list("cache-control") == ["no-store"]


# CORS


async def test_an_allowed_origin_gets_itself_back_never_a_wildcard(api: httpx.AsyncClient) -> None:
    preflight = await _preflight(api)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    simple = await api.get("/health/live", headers={"Origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-credentials" not in simple.headers
    assert "Origin" in simple.headers["vary"]
    assert "X-Request-ID" in simple.headers["access-control-expose-headers"]


async def test_the_preflight_allows_the_headers_the_api_reads(api: httpx.AsyncClient) -> None:
    response = await api.options(
        "/api/v1/users/me",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://app.example.evil.example", "null", "*"]
)
async def test_a_disallowed_origin_gets_no_allow_origin(
    api: httpx.AsyncClient, origin: str
) -> None:
    preflight = await api.options(
        LOGIN, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = await api.get("/health/live", headers={"Origin": origin})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    for name, value in ALWAYS.items():
        assert preflight.headers[name] == value


async def test_without_configured_origins_no_origin_is_allowed(
    sqlite_settings: Settings, sqlite_client: httpx.AsyncClient
) -> None:
    assert sqlite_settings.cors_origins == []
    response = await sqlite_client.get("/health/live", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_settings_refuse_a_wildcard_origin(sqlite_settings: Settings) -> None:
    fields = sqlite_settings.model_dump(exclude={"cors_origins"})
    with pytest.raises(pydantic.ValidationError, match="'\\*' is refused"):
        Settings(**fields, cors_origins=[ORIGIN, "*"])


def test_the_environment_cannot_set_a_wildcard_origin(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_CORS_ORIGINS", '["*"]')
    fields = sqlite_settings.model_dump(exclude={"cors_origins"})
    with pytest.raises(pydantic.ValidationError, match="'\\*' is refused"):
        Settings(**fields)
    monkeypatch.setenv("APP_CORS_ORIGINS", f'["{ORIGIN}"]')
    assert Settings(**fields).cors_origins == [ORIGIN]

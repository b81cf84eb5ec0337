"""`LeanRoute` (app/lean_route.py) answers every request as FastAPI's own handler would.

Each request Hypothesis makes is sent twice to the same app: once through the lean handler, once
through FastAPI's (`request_response(route.get_route_handler())`, what `APIRoute` serves), and
the two answers must be the same: status, body, headers (but the request's own id and timing).
Paths with hostile parameters, query strings with unknown, repeated, empty and invalid values,
and every kind of `Authorization` header, for every operation the service serves lean.
"""

import json
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from fastapi.routing import request_response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lean_route import LeanRoute
from app.main import create_app
from app.prefiltered_route import PrefilteredRoute
from app.settings import Settings
from tests.support.accounts import PASSWORD, bearer, new_email
from tests.support.clients import started

# The answers' headers that differ between two calls by design.
PER_CALL = {"x-request-id", "server-timing", "date"}
# Answers that count the calls themselves.
COUNTING = {"/metrics"}


@pytest.fixture
def app(sqlite_settings: Settings) -> FastAPI:
    return create_app(sqlite_settings)


class Client:
    """Synchronous calls (Hypothesis drives the test) to an `httpx.AsyncClient` of the app,
    whose lifespan runs on a portal's event loop for the whole test."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal = portal
        self._client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture
def api(app: FastAPI) -> Iterator[Client]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(asynccontextmanager(started)(app)) as client,
    ):
        yield Client(portal, client)


@pytest.fixture
def token(api: Client) -> str:
    """An account's access token."""
    email = new_email()
    registered = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = api.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    access: str = login.json()["access_token"]
    return access


@pytest.fixture
def known(api: Client, token: str) -> dict[str, str]:
    """Path parameter name -> a value that names something that exists."""
    item = api.post("/api/v1/items", json={"title": "lean", "price": "1.00"}, headers=bearer(token))
    post = api.post(
        "/api/v1/posts",
        json={"title": "Lean post", "content": "text", "published": True},
        headers=bearer(token),
    )
    assert item.status_code == post.status_code == 201, (item.text, post.text)
    return {
        "item_id": item.json()["id"],
        "post_id": post.json()["id"],
        "slug": post.json()["slug"],
        "user_id": item.json()["owner_id"],
    }


def lean_routes(app: FastAPI) -> list[LeanRoute]:
    return [r for r in app.state.routes if isinstance(r, LeanRoute) and r.lean]


def test_the_service_serves_its_bodiless_operations_lean(sqlite_settings: Settings) -> None:
    app = create_app(sqlite_settings)
    lean = {(method, r.path) for r in lean_routes(app) for method in r.methods or ()}
    assert ("GET", "/api/v1/items/{item_id}") in lean
    assert ("GET", "/api/v1/items") in lean
    assert ("GET", "/api/v1/users/me") in lean
    # A body, or a header parameter with constraints FastAPI reads: FastAPI's handler.
    assert ("POST", "/api/v1/items") not in lean
    assert ("PATCH", "/api/v1/items/{item_id}") not in lean


def test_with_opentelemetry_every_route_keeps_fastapis_handler(
    sqlite_settings: Settings,
) -> None:
    app = create_app(sqlite_settings.model_copy(update={"opentelemetry_enabled": True}))
    routes = [r for r in app.state.routes if isinstance(r, PrefilteredRoute)]
    assert routes
    assert not any(getattr(r, "lean", False) for r in routes)


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), max_size=12)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["", "0", "1", "-1", "20", "101", "10001", "1e3", "price", "-price", "%00"]),
    st.uuids().map(str),
)


def authorizations(token: str) -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from(
        [
            {},
            {"Authorization": f"Bearer {token}"},
            {"Authorization": "Bearer not-a-token"},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic YWxpY2U6cHc="},
            {"Authorization": f"bearer {token}"},
        ]
    )


def comparable(response: httpx.Response, path: str) -> dict[str, Any]:
    headers = {k: v for k, v in response.headers.items() if k not in PER_CALL}
    if path in COUNTING:
        return {"status": response.status_code, "type": headers.get("content-type")}
    try:
        body: Any = response.json()
    except json.JSONDecodeError:
        body = response.content
    if isinstance(body, dict):
        body.pop("request_id", None)
    return {"status": response.status_code, "headers": headers, "body": body}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_lean_and_fastapi_handlers_answer_alike(
    app: FastAPI, api: Client, token: str, known: dict[str, str], data: st.DataObject
) -> None:
    route = data.draw(st.sampled_from(lean_routes(app)), label="route")
    method = data.draw(st.sampled_from(sorted(route.methods or ())), label="method")
    reads = method == "GET"
    path = route.path_format
    for name in route.param_convertors:
        choices = [VALUES, st.just(str(uuid.uuid4()))]
        if reads and name in known:  # a write to something real would change the second answer
            choices.append(st.just(known[name]))
        value = data.draw(st.one_of(choices), label=name)
        path = path.replace("{" + name + "}", quote(value, safe=""))
    query_names = [f.alias for f in route.dependant.query_params] + ["junk"]
    query = data.draw(
        st.lists(st.tuples(st.sampled_from(query_names), VALUES), max_size=4), label="query"
    )
    # Writes with a real token would change what the second call meets (an account deleted).
    real = token if reads or route.param_convertors else "not-this-account's"
    headers = data.draw(authorizations(real), label="headers")

    lean_app = route.app
    fastapi_app = request_response(route.get_route_handler())
    try:
        route.app = lean_app
        lean = api.request(method, path, params=query, headers=headers)
        route.app = fastapi_app
        general = api.request(method, path, params=query, headers=headers)
    finally:
        route.app = lean_app
    assert comparable(lean, route.path) == comparable(general, route.path)
    assert lean.status_code < 500

"""`LeanRoute` (app/lean_route.py) answers every request as FastAPI's own handler would.

Each request Hypothesis makes is sent twice to the same app: once through the lean handler, once
through FastAPI's (`request_response(route.get_route_handler())`, what `APIRoute` serves), and
the two answers must be the same: status, body, headers (but the request's own id and timing).
Paths with hostile parameters, query strings with unknown, repeated, empty and invalid values,
bodies (none, broken JSON, objects of the model's fields and others with values of every JSON
kind) under every kind of media type, and every kind of `Authorization` header, for every
operation the service serves lean; the app checks its own answers against the contract.
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
from hypothesis import HealthCheck, event, given, settings
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
    # No rate limit: of two calls that should answer alike, the second must not be the one
    # over the limit.
    return create_app(sqlite_settings.model_copy(update={"rate_limit_enabled": False}))


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


def test_every_operation_but_the_login_form_is_served_lean(sqlite_settings: Settings) -> None:
    app = create_app(sqlite_settings)
    routes = [r for r in app.state.routes if isinstance(r, LeanRoute)]
    general = {(method, r.path) for r in routes if not r.lean for method in r.methods or ()}
    assert general == {("POST", "/api/v1/auth/login")}  # a form: FastAPI's handler reads it
    assert len(routes) > 20


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


# What differs between two writes that both succeed: the new row's id, times, slug, version.
FRESH_FIELDS = {"id", "created_at", "updated_at", "published_at", "slug", "version"}
FRESH_HEADERS = {"location", "etag", "content-length"}
# Writes whose success a second call repeats with a fresh row (a new item), or with the same
# answer but for FRESH_FIELDS (a change to one's own item): a real token is safe there.
REPEATABLE = {
    ("POST", "/api/v1/items"),
    ("POST", "/api/v1/posts"),
    ("PATCH", "/api/v1/items/{item_id}"),
    ("PATCH", "/api/v1/posts/{post_id}"),
}
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/merge-patch+json",
        "application/json;",
        "application",
        "text/plain",
        "application/x-www-form-urlencoded",
    ]
)
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    TEXT,
    st.sampled_from(["1.00", "9.99", "-1", "1e400", "title", "text"]),
    st.lists(st.integers(), max_size=2),
)


def bodies(route: LeanRoute) -> st.SearchStrategy[bytes | None]:
    """Bodies for an operation: none, broken JSON, and objects of the model's fields and
    others with values of every JSON kind."""
    body = route.dependant.body_params
    model = body[0].field_info.annotation if body else None
    names = sorted(getattr(model, "model_fields", {}))
    objects = st.dictionaries(st.sampled_from([*names, "junk"]), JSON_VALUES, max_size=5)
    valid_item = st.fixed_dictionaries({"title": st.just("lean"), "price": st.just("2.50")})
    raw = st.sampled_from([b"", b"{", b"[]", b"null", b"1", b'{"title": "\\ud800"}', b"\xff"])
    return st.one_of(
        st.none(),
        raw,
        objects.map(lambda o: json.dumps(o).encode()),
        valid_item.map(lambda o: json.dumps(o).encode()),
    )


def comparable(response: httpx.Response, path: str, fresh: bool) -> dict[str, Any]:
    drop = PER_CALL | (FRESH_HEADERS if fresh else set())
    headers = {k: v for k, v in response.headers.items() if k not in drop}
    if path in COUNTING:
        return {"status": response.status_code, "type": headers.get("content-type")}
    try:
        body: Any = response.json()
    except json.JSONDecodeError:
        body = response.content
    if isinstance(body, dict):
        body.pop("request_id", None)
        if fresh:
            body = {k: v for k, v in body.items() if k not in FRESH_FIELDS}
    return {"status": response.status_code, "headers": headers, "body": body}


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_lean_and_fastapi_handlers_answer_alike(
    app: FastAPI, api: Client, token: str, known: dict[str, str], data: st.DataObject
) -> None:
    route = data.draw(st.sampled_from(lean_routes(app)), label="route")
    method = data.draw(st.sampled_from(sorted(route.methods or ())), label="method")
    repeatable = method == "GET" or (method, route.path) in REPEATABLE
    path = route.path_format
    for name in route.param_convertors:
        choices = [VALUES, st.just(str(uuid.uuid4()))]
        if repeatable and name in known:  # deleting something real changes the second answer
            choices.append(st.just(known[name]))
        value = data.draw(st.one_of(choices), label=name)
        path = path.replace("{" + name + "}", quote(value, safe=""))
    query_names = [f.alias for f in route.dependant.query_params] + ["junk"]
    query = data.draw(
        st.lists(st.tuples(st.sampled_from(query_names), VALUES), max_size=4), label="query"
    )
    # Other writes with a real token would change what the second call meets (an account
    # deleted, a password changed); with random ids they find nothing to change.
    real = token if repeatable or route.param_convertors else "not-this-account's"
    headers = data.draw(authorizations(real), label="headers")
    content = data.draw(bodies(route), label="body")
    if content is not None:
        content_type = data.draw(CONTENT_TYPES, label="content-type")
        if content_type is not None:
            headers = {**headers, "Content-Type": content_type}

    lean_app = route.app
    fastapi_app = request_response(route.get_route_handler())
    try:
        route.app = lean_app
        lean = api.request(method, path, params=query, headers=headers, content=content)
        route.app = fastapi_app
        general = api.request(method, path, params=query, headers=headers, content=content)
    finally:
        route.app = lean_app
    event(f"{method} {route.path} {lean.status_code}")  # --hypothesis-show-statistics
    fresh = method != "GET" and lean.is_success
    assert comparable(lean, route.path, fresh) == comparable(general, route.path, fresh)
    assert lean.status_code < 500

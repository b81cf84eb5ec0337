"""What the contract means beyond its shapes, as Schemathesis checks and hooks for both runners.

Schemathesis checks statuses, headers and bodies against their schemas. The contract says more
in words: a `Location` names the resource just created, an `ETag` changes when the resource
does and a stale `If-Match` is refused, a page's numbers add up, filters and the declared order
hold, a deleted resource (and what it owned) is gone, a change's answer is what a read returns,
a created resource is listed, a post is dated exactly when published. `register()` adds a check
for each, with Schemathesis' public `@schemathesis.check`, and hooks (`@schemathesis.hook`)
that feed the fuzzer real data where an example cannot be real: a live refresh token, the
current `ETag`.

The in-process suite calls `register()`; the CLI imports tests/fuzz/hooks.py, which does.
A check that needs another request sends it over the same transport as the case: to the ASGI
app in process, over HTTP to the URL the case went to otherwise, with the case's own
`Authorization`.
"""

import functools
import math
import secrets
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import schemathesis
from schemathesis import Case
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response
from schemathesis.hooks import HookContext
from schemathesis.python import asgi
from starlette.datastructures import Headers

from app.middleware.response_validation import ResponseContract

AnyCase = Case[Any]
TIMEOUT_S = 30
# Operations whose `If-Match` the hook sets to the resource's current ETag (every other case).
CONDITIONAL_UPDATES = ("updateItem", "updatePost")
# Operations whose body's `refresh_token` the hook makes a live one (every other case).
REFRESHING = ("refreshTokens", "logout")
# Lists whose query filters and declared order the checks hold them to:
# operationId -> (filters: query name -> entry field, sorts: `sort` value -> (field, descending)).
FILTERS: Mapping[str, Mapping[str, str]] = {
    "listItems": {"owner_id": "owner_id"},
    "listPosts": {"author_id": "author_id"},
}
SORTS: Mapping[str, str] = {"listItems": "-created_at"}  # the default `sort` of those that take one
NEWEST_FIRST = ("listPosts", "listUserItems", "listItems")
# Where a created resource is listed: operationId -> (list path, owner query, body field).
LISTED_IN: Mapping[str, tuple[str, str, str]] = {
    "createItem": ("/api/v1/items", "owner_id", "owner_id"),
    "createPost": ("/api/v1/posts", "author_id", "author_id"),
}
PAGE_KEYS = frozenset({"total", "page", "size", "pages", "items"})
PAGE_DEFAULT, SIZE_DEFAULT = 1, 20


# Requests of the checks' own


@contextmanager
def session_for(case: AnyCase) -> Iterator[requests.Session]:
    """A session that reaches what `case` reached: the ASGI app in process, HTTP otherwise."""
    app = case.operation.app
    session = asgi.get_client(app) if app is not None else requests.Session()
    try:
        yield session
    finally:
        session.close()


def origin(response: Response | None, case: AnyCase) -> str:
    """Scheme and authority the case was sent to."""
    url = response.request.url if response is not None else case.operation.schema.get_base_url()
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}"


def authorization(case: AnyCase, response: Response | None) -> dict[str, str]:
    """The `Authorization` the case was sent with, if any (the CLI's auth is in the request)."""
    sent = response.request.headers.get("Authorization") if response is not None else None
    value = sent or case.headers.get("Authorization")
    return {"Authorization": value} if isinstance(value, str) and value else {}


def send(
    case: AnyCase,
    response: Response | None,
    method: str,
    path: str,
    **kwargs: Any,
) -> requests.Response:
    headers = {**authorization(case, response), **kwargs.pop("headers", {})}
    url = urljoin(origin(response, case) + "/", path)
    with session_for(case) as session:
        return session.request(method, url, headers=headers, timeout=TIMEOUT_S, **kwargs)


def json_body(response: Response | requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def operation_id(case: AnyCase) -> str:
    value: str = case.operation.definition.raw.get("operationId", "")
    return value


# Checks


def location_resolves(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A 201's `Location` names the resource in the body: the same id, and a read of it (where
    the caller may read it) answers 200 with the same representation."""
    location = response.headers.get("location")
    body = json_body(response)
    if response.status_code != 201 or not location or not isinstance(body, dict):
        return None
    path = urlsplit(urljoin(origin(response, case) + "/", location[0])).path
    getter = case.operation.schema.find_operation_by_path("GET", path)
    assert getter is not None, f"Location {location[0]!r} names no operation of the contract"
    assert str(body.get("id")) in path.split("/"), (
        f"Location {location[0]!r} does not name the created resource {body.get('id')!r}"
    )
    read = send(case, response, "GET", path)
    if read.status_code in (401, 403):
        return None  # the creator may not read it (an account made by `register`, say)
    assert read.status_code == 200, f"GET {path} (the Location) answered {read.status_code}"
    assert json_body(read) == body, f"GET {path} (the Location) is not the resource created"
    return None


def etag_tracks_changes(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """For a resource created with an `ETag` and changed with `If-Match`: a read gives the same
    ETag, a stale `If-Match` is refused with 412, a change gives a new ETag that reads return."""
    etag = response.headers.get("etag")
    location = response.headers.get("location")
    body = json_body(response)
    if response.status_code != 201 or not etag or not location or not isinstance(body, dict):
        return None
    path = urlsplit(urljoin(origin(response, case) + "/", location[0])).path
    if case.operation.schema.find_operation_by_path("PATCH", path) is None:
        return None
    read = send(case, response, "GET", path)
    if read.status_code != 200:
        return None  # location_resolves says why
    assert read.headers.get("ETag") == etag[0], (
        f"GET {path} gives ETag {read.headers.get('ETag')!r}, the creation gave {etag[0]!r}"
    )
    stale = '"stale-' + etag[0].strip('W/"') + '"'
    title = "etag probe A" if body.get("title") != "etag probe A" else "etag probe B"
    refused = send(
        case, response, "PATCH", path, json={"title": title}, headers={"If-Match": stale}
    )
    assert refused.status_code == 412, (
        f"PATCH {path} with a stale If-Match answered {refused.status_code}, not 412"
    )
    changed = send(
        case, response, "PATCH", path, json={"title": title}, headers={"If-Match": etag[0]}
    )
    assert changed.status_code == 200, (
        f"PATCH {path} with the current If-Match answered {changed.status_code}, not 200"
    )
    new = changed.headers.get("ETag")
    assert new, f"PATCH {path} answered without an ETag"
    assert new != etag[0], f"PATCH {path} changed the resource but not its ETag ({new!r})"
    again = send(case, response, "GET", path)
    assert again.headers.get("ETag") == new, (
        f"GET {path} after a change gives ETag {again.headers.get('ETag')!r}, not {new!r}"
    )
    return None


@functools.cache
def closed_contract() -> ResponseContract:
    return ResponseContract()


def closed_objects(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A response to an operation, at a status it declares, carries only the keys its schemas
    name. Schemathesis validates objects open where the spec leaves `additionalProperties`
    unset (JSON Schema's default); the contract's rule is closed objects (a leaked
    `hashed_password` is a bug), checked with the schemas the service's own development check
    compiles (app/middleware/response_validation.py)."""
    operation = operation_id(case)
    definition = case.operation.definition.raw
    if case.method.upper() != case.operation.method.upper() or not operation:
        return None  # a method the path does not have: the built-in checks judge it
    if str(response.status_code) not in definition.get("responses", {}):
        return None  # status_code_conformance says so
    raw = [(k.encode(), v.encode()) for k, values in response.headers.items() for v in values]
    found = closed_contract().violations(
        operation, response.status_code, Headers(raw=raw), response.content
    )
    assert not found, f"{operation} {response.status_code}: " + "; ".join(found)
    return None


def pagination_arithmetic(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A page's `page` and `size` are the ones asked for, `pages` is `total` over `size` rounded
    up, and it holds `size` entries, the remainder on the last page, none past it."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict) or PAGE_KEYS - body.keys():
        return None
    if any(isinstance(case.query.get(name), list) for name in ("page", "size")):
        return None  # a repeated parameter: which one the service took is not the contract's
    page = _int(case.query.get("page"), PAGE_DEFAULT)
    size = _int(case.query.get("size"), SIZE_DEFAULT)
    total, items = body["total"], body["items"]
    if not all(isinstance(body[k], int) for k in ("total", "page", "size", "pages")) or not (
        isinstance(items, list)
    ):
        return None  # not a page the schema allows: response_schema_conformance says so
    assert (body["page"], body["size"]) == (page, size), (
        f"asked for page {page} of size {size}, got page {body['page']} of size {body['size']}"
    )
    pages = math.ceil(total / size)
    assert body["pages"] == pages, (
        f"{total} entries in pages of {size} are {pages} pages, not {body['pages']}"
    )
    expected = size if page < body["pages"] else max(0, total - (page - 1) * size)
    assert len(items) == expected, (
        f"page {page} of {body['pages']} ({total} entries, size {size}) holds {len(items)} "
        f"entries, not {expected}"
    )
    return None


def filters_and_order(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """Every entry of a filtered list matches its filters (`q` in the title ignoring case, an
    owner or author), and the entries come in the declared order."""
    body = json_body(response)
    operation = operation_id(case)
    if response.status_code != 200 or not isinstance(body, dict) or PAGE_KEYS - body.keys():
        return None
    items = [item for item in body["items"] if isinstance(item, dict)]
    wanted = {
        field: str(case.query[name])
        for name, field in FILTERS.get(operation, {}).items()
        if isinstance(case.query.get(name), str)
    }
    if operation == "listUserItems":
        wanted["owner_id"] = str(case.path_parameters.get("user_id"))
    q = case.query.get("q") if operation in ("listItems", "listPosts") else None
    for item in items:
        for field, value in wanted.items():
            assert str(item.get(field)) == value, (
                f"{operation} filtered on {field}={value} returned an entry of {item.get(field)}"
            )
        if isinstance(q, str):
            assert q.casefold() in str(item.get("title", "")).casefold(), (
                f"{operation} filtered on q={q!r} returned the title {item.get('title')!r}"
            )
    sort = case.query.get("sort") or SORTS.get(operation, "")
    if operation in NEWEST_FIRST and isinstance(sort, str):
        field, descending = sort.lstrip("-") or "created_at", not sort or sort.startswith("-")
        keys = [_sort_key(item.get(field)) for item in items]
        ordered = sorted(keys, reverse=descending)
        assert keys == ordered, f"{operation} sorted by {sort or '-created_at'} came out {keys}"
    return None


def deleted_stays_gone(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """After a 204 to a DELETE, reading the resource answers 404 (401 for your own account), and
    an account's items and posts are gone with it."""
    if response.status_code != 204 or case.method.upper() != "DELETE":
        return None
    path = urlsplit(str(response.request.url)).path
    if case.operation.schema.find_operation_by_path("GET", path) is None:
        return None
    read = send(case, response, "GET", path)
    gone = (401,) if operation_id(case) == "deleteCurrentUser" else (404,)
    assert read.status_code in gone, f"GET {path} after its DELETE answered {read.status_code}"
    if operation_id(case) == "deleteUser":
        user_id = case.path_parameters.get("user_id")
        items = send(case, response, "GET", f"{path}/items")
        assert items.status_code == 404, f"GET {path}/items after its DELETE: {items.status_code}"
        for list_path, name in (("/api/v1/items", "owner_id"), ("/api/v1/posts", "author_id")):
            listed = send(case, response, "GET", list_path, params={name: user_id})
            left = json_body(listed)
            assert not isinstance(left, dict) or left.get("total") == 0, (
                f"GET {list_path}?{name}={user_id} lists {left.get('total')} entries of a "
                "deleted account"
            )
    return None


def changes_read_back(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A 200 to a PATCH or PUT answers the resource as it now is: a read of the same path right
    after returns the same representation, and the same `ETag` if there is one."""
    body = json_body(response)
    if response.status_code != 200 or case.method.upper() not in ("PATCH", "PUT"):
        return None
    path = urlsplit(str(response.request.url)).path
    if (
        not isinstance(body, dict)
        or case.operation.schema.find_operation_by_path("GET", path) is None
    ):
        return None
    read = send(case, response, "GET", path)
    if read.status_code != 200:
        return None  # a change that ends the caller's access (a deactivated account, say)
    stored = json_body(read)
    differ = sorted(
        key for key in set(body) | set(stored or {}) if (stored or {}).get(key) != body.get(key)
    )
    assert not differ, (
        f"{case.method.upper()} {path} answered {', '.join(differ)} other than a read of it gives: "
        + "; ".join(
            f"{k}: {body.get(k)!r} answered, {(stored or {}).get(k)!r} read" for k in differ
        )
    )
    etag = response.headers.get("etag")
    if etag:
        assert read.headers.get("ETag") == etag[0], (
            f"{case.method.upper()} {path} answered ETag {etag[0]!r}, a read of it "
            f"{read.headers.get('ETag')!r}"
        )
    return None


def publication_dated(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A post has a `published_at` exactly when it is published ("publishing sets
    `published_at`, unpublishing clears it"), in a post and in a page of posts."""
    body = json_body(response)
    if response.status_code not in (200, 201) or not isinstance(body, dict):
        return None
    entries = body["items"] if isinstance(body.get("items"), list) else [body]
    for entry in entries:
        if isinstance(entry, dict) and {"published", "published_at"} <= entry.keys():
            assert (entry["published"] is True) == (entry["published_at"] is not None), (
                f"post {entry.get('id')}: published is {entry['published']!r} but published_at "
                f"is {entry['published_at']!r}"
            )
    return None


def created_is_listed(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """A resource just created is in its collection for its creator: the list filtered on its
    owner holds it (a draft too: "a signed-in caller also sees their own drafts")."""
    body = json_body(response)
    listing = LISTED_IN.get(operation_id(case))
    if response.status_code != 201 or listing is None or not isinstance(body, dict):
        return None
    path, name, field = listing
    owner = body.get(field)
    listed = send(case, response, "GET", path, params={name: owner, "size": 100})
    page = json_body(listed)
    if listed.status_code != 200 or not isinstance(page, dict) or page.get("total", 0) > 100:
        return None  # pagination_arithmetic judges the page; a longer list is not searched
    ids = [entry.get("id") for entry in page.get("items", []) if isinstance(entry, dict)]
    assert body.get("id") in ids, (
        f"GET {path}?{name}={owner} does not list {body.get('id')}, created just now by that owner"
    )
    return None


CHECKS: tuple[Callable[[CheckContext, Response, AnyCase], bool | None], ...] = (
    closed_objects,
    location_resolves,
    etag_tracks_changes,
    pagination_arithmetic,
    filters_and_order,
    deleted_stays_gone,
    changes_read_back,
    publication_dated,
    created_is_listed,
)


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


# Hooks: real data where a generated value cannot be real


def every_other(case: AnyCase) -> bool:
    """Half of the positive cases, picked by case id: the other half keeps its generated value,
    so the refusal it gets (a 412, a 401) is still exercised."""
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    return positive and zlib.crc32(case.id.encode()) % 2 == 0


def current_etag(case: AnyCase) -> str | None:
    read = send(case, None, "GET", case.formatted_path)
    return read.headers.get("ETag") if read.status_code == 200 else None


def live_refresh_token(case: AnyCase) -> str | None:
    """The refresh token of an account registered just now (rate limits are off locally)."""
    email, password = f"fuzz-{secrets.token_hex(6)}@example.com", secrets.token_urlsafe(16)
    no_auth = {"Authorization": None}  # requests leaves a header set to None out
    registered = send(
        case, None, "POST", "/api/v1/auth/register",
        json={"email": email, "password": password}, headers=no_auth,
    )  # fmt: skip
    if registered.status_code != 201:
        return None
    login = send(
        case, None, "POST", "/api/v1/auth/login",
        data={"username": email, "password": password}, headers=no_auth,
    )  # fmt: skip
    token = json_body(login)
    return (
        token.get("refresh_token") if login.status_code == 200 and isinstance(token, dict) else None
    )


def before_call(context: HookContext, case: AnyCase, kwargs: dict[str, Any]) -> None:
    operation = operation_id(case)
    if operation in CONDITIONAL_UPDATES and "If-Match" in case.headers and every_other(case):
        etag = current_etag(case)
        if etag is not None:
            case.headers["If-Match"] = etag
    elif (
        operation in REFRESHING
        and isinstance(case.body, dict)
        and isinstance(case.body.get("refresh_token"), str)
        and every_other(case)
    ):
        token = live_refresh_token(case)
        if token is not None:
            case.body["refresh_token"] = token


def register() -> None:
    """Add the checks and the hook to Schemathesis' registries, once per process."""
    if REGISTERED:
        return
    for check in CHECKS:
        schemathesis.check(check)
    schemathesis.hook(before_call)
    REGISTERED.append(True)


REGISTERED: list[bool] = []


# Data for the checks to bite on


def seed(client: Any, tokens: list[str]) -> None:
    """Three items and three published posts for each account of `tokens`, through the API.

    A filter or an order can only be seen ignored where entries differ: without these, the
    in-process lists run before anything is created and see empty pages. `client` is anything
    with requests' `post(url, json=..., headers=...)`: httpx, requests or the ASGI client.
    """
    for n, token in enumerate(tokens):
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(3):
            item = {"title": f"Seed camera {n}-{i}", "price": f"{(i + 1) * 10 + n}.50"}
            post = {"title": f"Seed post {n}-{i}", "content": "Seeded.", "published": True}
            for path, body in (("/api/v1/items", item), ("/api/v1/posts", post)):
                created = client.post(path, json=body, headers=headers)
                assert created.status_code == 201, (path, created.status_code, created.text)

"""Every error is an `application/problem+json` document that matches the contract.

Test-only routes, added to the real app, raise each kind of error the handlers in
`app.problems` render: Starlette's 404/405/415, FastAPI's request validation (422) and each
domain error in `problems.TABLE`.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from app import errors, problems
from app.settings import Settings
from contract.runtime import require_content_type
from tests.support.contract import assert_problem
from tests.support.http import client_with

pytestmark = pytest.mark.anyio

RETRY_AFTER = 17
ITEMS = "/test/items"


class Item(BaseModel):
    """A body shaped like the contract's input models: no unknown fields, bounded strings."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(max_length=10)]
    tags: Annotated[list[Annotated[str, Field(max_length=5)]], Field(max_length=3)] = []


class NoSuchWidget(errors.NotFound):
    """A subclass of a mapped error: it maps through its base class."""


class Unmapped(errors.DomainError):
    """A domain error nobody added to problems.TABLE."""


RAISABLE: dict[str, type[errors.DomainError]] = {
    cls.__name__: cls for cls in [*problems.TABLE, NoSuchWidget, Unmapped]
}


def make_error(cls: type[errors.DomainError], detail: str) -> errors.DomainError:
    if issubclass(cls, errors.RateLimited | errors.Unavailable):
        return cls(detail, retry_after=RETRY_AFTER)
    return cls(detail)


def build_router() -> APIRouter:
    router = APIRouter()

    @router.get("/test/methods")
    async def get_methods() -> dict[str, str]:
        return {"method": "GET"}

    @router.post("/test/methods")
    async def post_methods() -> dict[str, str]:
        return {"method": "POST"}

    @router.delete("/test/methods")
    async def delete_methods() -> dict[str, str]:
        return {"method": "DELETE"}

    @router.post(ITEMS, dependencies=[Depends(require_content_type("application/json"))])
    async def create_item(
        item: Item,
        size: Annotated[int, Query(ge=1, le=100)] = 20,
        x_trace: Annotated[str | None, Header(alias="X-Trace", max_length=8)] = None,
    ) -> dict[str, Any]:
        return {"title": item.title, "size": size, "trace": x_trace}

    @router.get("/test/raise/{name}")
    async def raise_error(name: str) -> None:
        raise make_error(RAISABLE[name], f"{name} happened here.")

    return router


@pytest.fixture
async def api(sqlite_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_with(sqlite_settings, build_router()):
        yield client


# 404 and 405


async def test_unknown_path_is_a_404_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/no/such/path")
    body = assert_problem(response, 404)
    assert body["title"] == "Not Found"
    assert body["instance"] == "/no/such/path"
    assert body["detail"] == "No operation matches GET /no/such/path."


async def test_instance_is_the_path_as_a_uri_reference(api: httpx.AsyncClient) -> None:
    response = await api.get("/no%20such/caf%C3%A9")
    body = assert_problem(response, 404)
    assert body["instance"] == "/no%20such/caf%C3%A9"


async def test_a_path_too_long_for_instance_still_gets_a_valid_404(
    api: httpx.AsyncClient,
) -> None:
    response = await api.get("/" + "a" * 3000)
    body = assert_problem(response, 404)
    assert "instance" not in body  # over the contract's maxLength: left out, not a 500


async def test_wrong_method_lists_every_method_of_the_path(api: httpx.AsyncClient) -> None:
    assert (await api.get("/test/methods")).json() == {"method": "GET"}
    response = await api.put("/test/methods")
    body = assert_problem(response, 405)
    assert response.headers["allow"] == "DELETE, GET, POST"
    assert body["detail"] == "PUT is not allowed on /test/methods; use DELETE, GET, POST."


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
async def test_wrong_method_on_a_contract_operation(api: httpx.AsyncClient, method: str) -> None:
    response = await api.request(method, "/health/live")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET"


# 422 from request validation


async def test_a_valid_request_passes(api: httpx.AsyncClient) -> None:
    response = await api.post(
        f"{ITEMS}?size=5", json={"title": "ok", "tags": ["a"]}, headers={"X-Trace": "t1"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"title": "ok", "size": 5, "trace": "t1"}


async def test_validation_errors_point_into_the_body_and_name_parameters(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post(
        f"{ITEMS}?size=0",
        json={"title": "x" * 11, "tags": ["ok", "too-long"], "extra": 1},
        headers={"X-Trace": "t" * 9},
    )
    body = assert_problem(response, 422, "ValidationProblem")
    assert body["type"] == "urn:problem-type:validation-error"
    assert body["detail"] == "The request breaks the contract in 5 place(s)."
    issues = body["errors"]
    for issue in issues:
        assert issue["message"]
        assert ("pointer" in issue) != ("location" in issue), issue
    found = {(issue.get("pointer") or issue["location"], issue["code"]) for issue in issues}
    assert found == {
        ("query.size", "greater_than_equal"),
        ("header.x-trace", "string_too_long"),
        ("#/title", "string_too_long"),
        ("#/tags/1", "string_too_long"),
        ("#/extra", "extra_forbidden"),
    }


async def test_unparsable_parameter(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{ITEMS}?size=many", json={"title": "ok"})
    body = assert_problem(response, 422, "ValidationProblem")
    assert body["errors"] == [
        {
            "location": "query.size",
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "code": "int_parsing",
        }
    ]


async def test_pointer_escapes_slash_and_tilde(api: httpx.AsyncClient) -> None:
    response = await api.post(ITEMS, json={"title": "ok", "a/b~c": 1})
    body = assert_problem(response, 422, "ValidationProblem")
    assert [issue["pointer"] for issue in body["errors"]] == ["#/a~1b~0c"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b'{"title": ', "json_invalid", id="invalid-json"),
        pytest.param(b'["not", "an", "object"]', "model_attributes_type", id="not-an-object"),
    ],
)
async def test_a_body_that_is_wrong_as_a_whole_points_at_the_root(
    api: httpx.AsyncClient, content: bytes, code: str
) -> None:
    response = await api.post(ITEMS, content=content, headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422, "ValidationProblem")
    assert [(issue["pointer"], issue["code"]) for issue in body["errors"]] == [("#", code)]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"title": "caf\xe9"}', id="latin-1"),
        pytest.param(b"\x80", id="lone-continuation-byte"),
    ],
)
async def test_a_body_that_is_not_utf8_is_a_422_like_any_json_syntax_error(
    api: httpx.AsyncClient, content: bytes
) -> None:
    # FastAPI answers its own 400 here, a status no operation declares (found by Schemathesis).
    response = await api.post(ITEMS, content=content, headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422, "ValidationProblem")
    assert [(issue["pointer"], issue["code"]) for issue in body["errors"]] == [
        ("#", "json_invalid")
    ]


async def test_at_most_100_issues_are_listed(api: httpx.AsyncClient) -> None:
    response = await api.post(ITEMS, json={"title": "ok", **{f"x{i}": i for i in range(150)}})
    body = assert_problem(response, 422, "ValidationProblem")
    assert len(body["errors"]) == problems.MAX_ISSUES
    assert body["detail"] == (
        "The request breaks the contract in 150 place(s) (the first 100 are listed)."
    )


# 415


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "text/plain"}, id="text-plain"),
        pytest.param({}, id="no-content-type"),
    ],
)
async def test_a_body_of_the_wrong_media_type_is_415(
    api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    # A body that would be valid JSON: the media type alone is what is wrong.
    response = await api.post(ITEMS, content=b'{"title": "ok"}', headers=headers)
    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]


async def test_json_with_parameters_is_accepted(api: httpx.AsyncClient) -> None:
    response = await api.post(
        ITEMS,
        content=b'{"title": "ok"}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert response.status_code == 200, response.text


# Domain errors


@pytest.mark.parametrize(
    ("error", "kind"), list(problems.TABLE.items()), ids=lambda v: getattr(v, "__name__", "")
)
async def test_each_domain_error_has_its_status_and_type(
    api: httpx.AsyncClient, error: type[errors.DomainError], kind: problems.Kind
) -> None:
    response = await api.get(f"/test/raise/{error.__name__}")
    body = assert_problem(response, kind.status)
    assert body["type"] == f"urn:problem-type:{kind.slug}"
    assert body["detail"] == f"{error.__name__} happened here."
    assert body["instance"] == f"/test/raise/{error.__name__}"
    if issubclass(error, errors.Unauthenticated):
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert "www-authenticate" not in response.headers
    if issubclass(error, errors.RateLimited | errors.Unavailable):
        assert response.headers["retry-after"] == str(RETRY_AFTER)
    else:
        assert "retry-after" not in response.headers


def test_table_slugs_and_statuses_are_distinct_client_or_server_errors() -> None:
    kinds = list(problems.TABLE.values())
    assert len({kind.slug for kind in kinds}) == len(kinds)
    assert all(400 <= kind.status <= 599 for kind in kinds)


def _subclasses(cls: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_domain_error_of_app_errors_is_in_the_table() -> None:
    defined = [cls for cls in _subclasses(errors.DomainError) if cls.__module__ == errors.__name__]
    assert errors.RateLimited in defined  # the walk finds them
    assert [cls.__name__ for cls in defined if cls not in problems.TABLE] == []


async def test_a_subclass_maps_through_its_base(api: httpx.AsyncClient) -> None:
    body = assert_problem(await api.get("/test/raise/NoSuchWidget"), 404)
    assert body["type"] == "urn:problem-type:not-found"


async def test_an_unmapped_domain_error_is_a_500_that_leaks_nothing(
    api: httpx.AsyncClient,
) -> None:
    response = await api.get("/test/raise/Unmapped")
    body = assert_problem(response, 500)
    assert body["type"] == "about:blank"
    assert "Unmapped happened here" not in response.text


async def test_detail_is_cut_to_the_contracts_limit(sqlite_settings: Settings) -> None:
    router = APIRouter()

    @router.get("/test/long")
    async def long_detail() -> None:
        raise errors.Conflict("x" * 10_000)

    async for client in client_with(sqlite_settings, router):
        body = assert_problem(await client.get("/test/long"), 409)
        assert body["detail"] == "x" * problems.MAX_DETAIL

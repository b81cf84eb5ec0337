"""The checks of meaning that `nox -s mutants` did not start with (tests/support/meaning.py), each
against a small stand-in app that keeps the contract's shapes and breaks what it means, and one
that keeps both: a check that cannot fail, or that fails an honest service, fails here."""

import json
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support import fuzzing, meaning
from tests.support.contract import SPEC_PATH

ITEM_ID = "6b1d2f4e-5a3c-4e8b-b7d9-0c2a9e8f1a34"
OWNER = "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90"
STAMP = "2026-02-01T09:30:00Z"


def item(title: str) -> dict[str, Any]:
    return {"id": ITEM_ID, "title": title, "description": None, "price": "10.00",
            "owner_id": OWNER, "created_at": STAMP, "updated_at": STAMP}  # fmt: skip


def stand_in(*, stale_answer: bool = False, unlisted: bool = False, undated: bool = False) -> Any:
    """Items and one post kept in memory, honest unless told which bug to have."""
    stored: dict[str, Any] = {"item": item("Before"), "etag": '"1"'}

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(stored["item"], headers={"ETag": stored["etag"]})

    async def change(request: Request) -> JSONResponse:
        stored["item"] = item(json.loads(await request.body())["title"])
        stored["etag"] = '"2"'
        answer = item("Not saved") if stale_answer else stored["item"]
        return JSONResponse(answer, headers={"ETag": stored["etag"]})

    async def create(request: Request) -> JSONResponse:
        location = f"/api/v1/items/{ITEM_ID}"
        return JSONResponse(stored["item"], 201, headers={"Location": location, "ETag": '"1"'})

    async def listing(request: Request) -> JSONResponse:
        items = [] if unlisted else [stored["item"]]
        page = {"total": len(items), "page": 1, "size": 100, "pages": 1, "items": items}
        return JSONResponse(page)

    async def post(request: Request) -> JSONResponse:
        published_at = None if undated else STAMP
        body = {"id": ITEM_ID, "title": "A post", "slug": "a-post", "content": "Text.",
                "excerpt": None, "published": True, "published_at": published_at,
                "author_id": OWNER, "created_at": STAMP, "updated_at": STAMP}  # fmt: skip
        return JSONResponse(body, headers={"ETag": '"1"'})

    return Starlette(
        routes=[
            Route("/api/v1/items/{item_id}", read, methods=["GET"]),
            Route("/api/v1/items/{item_id}", change, methods=["PATCH"]),
            Route("/api/v1/items", create, methods=["POST"]),
            Route("/api/v1/items", listing, methods=["GET"]),
            Route("/api/v1/posts/{post_id}", post, methods=["GET"]),
        ]
    )


def verdict(app: Any, check: Any, path: str, method: str, **parts: Any) -> list[str]:
    """The messages of `check`'s failures on the answer `app` gives to one request."""
    config = SchemathesisConfig.from_str(fuzzing.config_toml({"base-url": f"http://{asgi.HOST}"}))
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=config)
    schema.app = app
    case = schema[path][method].Case(**parts)
    response = case.call()
    try:
        case.validate_response(response, checks=[check])
    except BaseExceptionGroup as failures:  # what Schemathesis raises: one per failed check
        return [str(failure) for failure in failures.exceptions]
    return []


CHANGE = {"path_parameters": {"item_id": ITEM_ID}, "body": {"title": "After"},
          "headers": {"If-Match": '"1"'}, "media_type": "application/json"}  # fmt: skip
CREATE = {"body": {"title": "Before", "price": "10.00"}, "media_type": "application/json"}
POST = {"path_parameters": {"post_id": ITEM_ID}}


@pytest.mark.parametrize(
    ("bug", "check", "path", "method", "parts", "said"),
    [
        ("stale_answer", meaning.changes_read_back, "/api/v1/items/{item_id}", "PATCH", CHANGE,
         "title: 'Not saved' answered, 'After' read"),
        ("unlisted", meaning.created_is_listed, "/api/v1/items", "POST", CREATE,
         f"does not list {ITEM_ID}"),
        ("undated", meaning.publication_dated, "/api/v1/posts/{post_id}", "GET", POST,
         "published is True but published_at is None"),
    ],
)  # fmt: skip
def test_a_check_of_meaning_fails_the_bug_it_is_for_and_passes_the_honest_service(
    bug: str, check: Any, path: str, method: str, parts: dict[str, Any], said: str
) -> None:
    assert verdict(stand_in(), check, path, method, **parts) == []
    failures = verdict(stand_in(**{bug: True}), check, path, method, **parts)
    assert any(said in failure for failure in failures), failures

"""Which endpoints `LeanRoute` serves itself, and which it leaves to FastAPI's handler.

What it serves is held to FastAPI's answers in tests/api/test_lean_route.py; here, that an
endpoint asking for anything the lean handler does not read keeps FastAPI's.
"""

from typing import Any

import pytest
from fastapi import Body, Cookie, Depends, Form, Query, Request, Response
from pydantic import BaseModel

from app.lean_route import LeanRoute


class Thing(BaseModel):
    name: str


async def who(request: Request) -> str:
    return request.headers.get("x-who", "")


async def who_asks(q: str = Query()) -> str:
    return q


async def plain(a: int = Query(1), b: str | None = Query(None)) -> Response:
    return Response()


async def with_body(thing: Thing = Body(), principal: str = Depends(who)) -> Response:
    return Response()


async def with_cookie(session: str | None = Cookie(None)) -> Response:
    return Response()


async def with_list(tags: list[str] = Query([])) -> Response:
    return Response()


async def with_optional_list(tags: list[str] | None = Query(None)) -> Response:
    return Response()


async def with_form(name: str = Form()) -> Response:
    return Response()


async def with_embedded_body(thing: Thing = Body(embed=True)) -> Response:
    return Response()


async def with_optional_body(thing: Thing | None = Body(None)) -> Response:
    return Response()


DEFAULT_THING = Thing(name="x")


async def with_default_body(thing: Thing = Body(DEFAULT_THING)) -> Response:
    return Response()


async def with_dependency_of_its_own(who: str = Depends(who_asks)) -> Response:
    return Response()


async def returning_a_dict() -> dict[str, str]:
    return {}


def synchronous() -> Response:
    return Response()


def is_lean(endpoint: Any, **kwargs: Any) -> bool:
    route = LeanRoute("/x", endpoint, methods=["POST"], **kwargs)
    return bool(route.lean)


def test_parameters_a_json_model_and_request_dependencies_are_served_lean() -> None:
    assert is_lean(plain)
    assert is_lean(with_body)


@pytest.mark.parametrize(
    "endpoint",
    [
        with_cookie,
        with_list,
        with_optional_list,
        with_form,
        with_embedded_body,
        with_optional_body,
        with_default_body,
        with_dependency_of_its_own,
        returning_a_dict,
        synchronous,
    ],
)
def test_anything_else_keeps_fastapis_handler(endpoint: Any) -> None:
    assert not is_lean(endpoint)


def test_a_route_with_fastapis_own_body_limit_keeps_its_handler() -> None:
    assert not is_lean(with_body, max_body_size=10)


def test_a_body_without_content_type_read_as_json_keeps_fastapis_handler() -> None:
    assert not is_lean(with_body, strict_content_type=False)

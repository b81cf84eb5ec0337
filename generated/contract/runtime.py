# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""What every generated router needs at run time: response rendering and the media-type guard."""

from collections.abc import Awaitable, Callable, Mapping

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

JSON = "application/json"


def json_response(
    status: int, body: BaseModel | None, headers: Mapping[str, str] | None = None
) -> Response:
    """Serialise with pydantic-core directly: the route already returns the contract's model."""
    content = body.model_dump_json().encode() if body is not None else b""
    return Response(content, status_code=status, headers=headers, media_type=JSON)


def text_response(status: int, body: bytes, media_type: str) -> Response:
    """A text body as the service rendered it, sent with the media type the contract declares.

    Starlette adds `charset=utf-8` to a `text/*` type that names none.
    """
    return Response(body, status_code=status, media_type=media_type)


def empty_response(status: int) -> Response:
    return Response(status_code=status)


def require_content_type(*allowed: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency that answers 415 unless the body's media type is one the operation declares.

    FastAPI reads a body of any other type as raw bytes and then reports a confusing 422.
    """
    accepted = frozenset(allowed)

    async def check(request: Request) -> None:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in accepted:
            raise HTTPException(
                status_code=415,
                detail=f"Send the body as {' or '.join(sorted(accepted))}, not {media_type or 'no Content-Type'}.",
            )

    return check


def refuse_nulls(body: BaseModel, *fields: str) -> None:
    """422 for an explicit null in a field the contract lets you omit but not null.

    The models cannot tell "absent" from "null" for such fields (both are None), but the
    request can: pydantic records which fields were sent.
    """
    errors = [
        {
            "type": "null_not_allowed",
            "loc": ("body", name),
            "msg": "Leave the field out instead of sending null",
            "input": None,
        }
        for name in fields
        if name in body.model_fields_set and getattr(body, name) is None
    ]
    if errors:
        raise RequestValidationError(errors)

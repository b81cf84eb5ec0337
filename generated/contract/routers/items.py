# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `items` operations: the `ItemsApi` Protocol and the router that serves it.

Implemented by `app.items.service.ItemsService`.
"""

from collections.abc import Awaitable, Callable
from typing import Literal, NamedTuple, Protocol, TypeVar
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response
from fastapi.routing import APIRoute

from contract import models
from contract.runtime import (
    empty_response,
    json_response,
    refuse_nulls,
    require_content_type,
)

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)


class CreateItemResult(NamedTuple):
    """What `create_item` answers: the 201 body and its headers."""

    body: models.Item

    etag: str

    location: str


class GetItemResult(NamedTuple):
    """What `get_item` answers: the 200 body and its headers."""

    body: models.Item

    etag: str


class UpdateItemResult(NamedTuple):
    """What `update_item` answers: the 200 body and its headers."""

    body: models.Item

    etag: str


class ItemsApi(Protocol[P_contra]):
    """The `items` tag; `app.items.service.ItemsService` implements it."""

    async def list_user_items(self, *, user_id: UUID, page: int, size: int) -> models.ItemPage:
        """GET /api/v1/users/{user_id}/items (listUserItems): List one user's items."""
        ...

    async def list_items(
        self,
        *,
        page: int,
        size: int,
        owner_id: UUID | None,
        q: str | None,
        sort: Literal["created_at", "-created_at", "price", "-price"],
    ) -> models.ItemPage:
        """GET /api/v1/items (listItems): List items."""
        ...

    async def create_item(
        self, *, body: models.ItemCreate, principal: P_contra
    ) -> CreateItemResult:
        """POST /api/v1/items (createItem): Offer an item."""
        ...

    async def get_item(self, *, item_id: UUID) -> GetItemResult:
        """GET /api/v1/items/{item_id} (getItem): Read an item."""
        ...

    async def delete_item(self, *, item_id: UUID, principal: P_contra) -> None:
        """DELETE /api/v1/items/{item_id} (deleteItem): Delete an item (its owner or a superuser)."""
        ...

    async def update_item(
        self,
        *,
        item_id: UUID,
        if_match: str | None,
        body: models.ItemUpdate,
        principal: P_contra,
    ) -> UpdateItemResult:
        """PATCH /api/v1/items/{item_id} (updateItem): Change an item (its owner or a superuser)."""
        ...


def build_router(
    api: ItemsApi[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `items` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["items"], route_class=route_class)

    @router.get(
        "/api/v1/users/{user_id}/items",
        operation_id="listUserItems",
        summary="List one user\u0027s items",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def list_user_items(
        user_id: UUID = Path(..., description="The account's id."),
        page: int = Query(1, ge=1, le=10000, description="The 1-based page number."),
        size: int = Query(20, ge=1, le=100, description="How many entries a page holds."),
    ) -> Response:
        return json_response(200, await api.list_user_items(user_id=user_id, page=page, size=size))

    @router.get(
        "/api/v1/items",
        operation_id="listItems",
        summary="List items",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def list_items(
        page: int = Query(1, ge=1, le=10000, description="The 1-based page number."),
        size: int = Query(20, ge=1, le=100, description="How many entries a page holds."),
        owner_id: UUID | None = Query(None, description="Only this user's items."),
        q: str | None = Query(
            None,
            min_length=1,
            max_length=200,
            pattern="^[^\\u0000]*$",
            description="Only entries whose title contains this text, ignoring case.",
        ),
        sort: Literal["created_at", "-created_at", "price", "-price"] = Query(
            "-created_at", description="The order; a leading `-` means descending."
        ),
    ) -> Response:
        return json_response(
            200,
            await api.list_items(page=page, size=size, owner_id=owner_id, q=q, sort=sort),
        )

    @router.post(
        "/api/v1/items",
        operation_id="createItem",
        summary="Offer an item",
        status_code=201,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            201: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def create_item(
        body: models.ItemCreate = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        result = await api.create_item(body=body, principal=principal)
        return json_response(
            201,
            result.body,
            {
                "ETag": result.etag,
                "Location": result.location,
            },
        )

    @router.get(
        "/api/v1/items/{item_id}",
        operation_id="getItem",
        summary="Read an item",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_item(
        item_id: UUID = Path(..., description="The item's id."),
    ) -> Response:
        result = await api.get_item(item_id=item_id)
        return json_response(
            200,
            result.body,
            {
                "ETag": result.etag,
            },
        )

    @router.delete(
        "/api/v1/items/{item_id}",
        operation_id="deleteItem",
        summary="Delete an item (its owner or a superuser)",
        status_code=204,
        response_model=None,
        responses={
            204: {"description": "", "content": {}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def delete_item(
        item_id: UUID = Path(..., description="The item's id."),
        principal: P = Depends(authenticate),
    ) -> Response:
        await api.delete_item(item_id=item_id, principal=principal)
        return empty_response(204)

    @router.patch(
        "/api/v1/items/{item_id}",
        operation_id="updateItem",
        summary="Change an item (its owner or a superuser)",
        status_code=200,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            412: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def update_item(
        item_id: UUID = Path(..., description="The item's id."),
        if_match: str | None = Header(
            None,
            alias="If-Match",
            min_length=1,
            max_length=1024,
            pattern="^[^\\u0000]*$",
            description="Apply the change only if the resource's current `ETag` is one of these (or `*`).",
        ),
        body: models.ItemUpdate = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        refuse_nulls(body, "price", "title")
        result = await api.update_item(
            item_id=item_id, if_match=if_match, body=body, principal=principal
        )
        return json_response(
            200,
            result.body,
            {
                "ETag": result.etag,
            },
        )

    return router

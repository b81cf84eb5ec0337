# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `users` operations: the `UsersApi` Protocol and the router that serves it.

Implemented by `app.users.service.UsersService`.
"""

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Response
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


class UsersApi(Protocol[P_contra]):
    """The `users` tag; `app.users.service.UsersService` implements it."""

    async def get_current_user(self, *, principal: P_contra) -> models.User:
        """GET /api/v1/users/me (getCurrentUser): Read your own account."""
        ...

    async def delete_current_user(self, *, principal: P_contra) -> None:
        """DELETE /api/v1/users/me (deleteCurrentUser): Delete your own account, with your items and posts."""
        ...

    async def update_current_user(
        self, *, body: models.UserUpdateMe, principal: P_contra
    ) -> models.User:
        """PATCH /api/v1/users/me (updateCurrentUser): Change your own name or bio."""
        ...

    async def change_password(self, *, body: models.PasswordChange, principal: P_contra) -> None:
        """PUT /api/v1/users/me/password (changePassword): Change your password."""
        ...

    async def request_email_verification(self, *, principal: P_contra) -> models.MailAccepted:
        """POST /api/v1/users/me/verification (requestEmailVerification): Email a new verification link to your own address."""
        ...

    async def list_users(self, *, page: int, size: int, principal: P_contra) -> models.UserPage:
        """GET /api/v1/users (listUsers): List accounts (superusers only)."""
        ...

    async def get_user(self, *, user_id: UUID, principal: P_contra) -> models.User:
        """GET /api/v1/users/{user_id} (getUser): Read an account (your own, or any as a superuser)."""
        ...

    async def delete_user(self, *, user_id: UUID, principal: P_contra) -> None:
        """DELETE /api/v1/users/{user_id} (deleteUser): Delete an account (superusers only)."""
        ...

    async def update_user(
        self, *, user_id: UUID, body: models.UserUpdate, principal: P_contra
    ) -> models.User:
        """PATCH /api/v1/users/{user_id} (updateUser): Change an account (superusers only)."""
        ...


def build_router(
    api: UsersApi[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `users` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["users"], route_class=route_class)

    @router.get(
        "/api/v1/users/me",
        operation_id="getCurrentUser",
        summary="Read your own account",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_current_user(
        principal: P = Depends(authenticate),
    ) -> Response:
        return json_response(200, await api.get_current_user(principal=principal))

    @router.delete(
        "/api/v1/users/me",
        operation_id="deleteCurrentUser",
        summary="Delete your own account, with your items and posts",
        status_code=204,
        response_model=None,
        responses={
            204: {"description": "", "content": {}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def delete_current_user(
        principal: P = Depends(authenticate),
    ) -> Response:
        await api.delete_current_user(principal=principal)
        return empty_response(204)

    @router.patch(
        "/api/v1/users/me",
        operation_id="updateCurrentUser",
        summary="Change your own name or bio",
        status_code=200,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def update_current_user(
        body: models.UserUpdateMe = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        return json_response(200, await api.update_current_user(body=body, principal=principal))

    @router.put(
        "/api/v1/users/me/password",
        operation_id="changePassword",
        summary="Change your password",
        status_code=204,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            204: {"description": "", "content": {}},
            400: {"description": "", "content": {"application/problem+json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def change_password(
        body: models.PasswordChange = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        await api.change_password(body=body, principal=principal)
        return empty_response(204)

    @router.post(
        "/api/v1/users/me/verification",
        operation_id="requestEmailVerification",
        summary="Email a new verification link to your own address",
        status_code=202,
        response_model=None,
        responses={
            202: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def request_email_verification(
        principal: P = Depends(authenticate),
    ) -> Response:
        return json_response(202, await api.request_email_verification(principal=principal))

    @router.get(
        "/api/v1/users",
        operation_id="listUsers",
        summary="List accounts (superusers only)",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            403: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def list_users(
        page: int = Query(1, ge=1, le=10000, description="The 1-based page number."),
        size: int = Query(20, ge=1, le=100, description="How many entries a page holds."),
        principal: P = Depends(authenticate),
    ) -> Response:
        return json_response(200, await api.list_users(page=page, size=size, principal=principal))

    @router.get(
        "/api/v1/users/{user_id}",
        operation_id="getUser",
        summary="Read an account (your own, or any as a superuser)",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_user(
        user_id: UUID = Path(..., description="The account's id."),
        principal: P = Depends(authenticate),
    ) -> Response:
        return json_response(200, await api.get_user(user_id=user_id, principal=principal))

    @router.delete(
        "/api/v1/users/{user_id}",
        operation_id="deleteUser",
        summary="Delete an account (superusers only)",
        status_code=204,
        response_model=None,
        responses={
            204: {"description": "", "content": {}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            403: {"description": "", "content": {"application/problem+json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def delete_user(
        user_id: UUID = Path(..., description="The account's id."),
        principal: P = Depends(authenticate),
    ) -> Response:
        await api.delete_user(user_id=user_id, principal=principal)
        return empty_response(204)

    @router.patch(
        "/api/v1/users/{user_id}",
        operation_id="updateUser",
        summary="Change an account (superusers only)",
        status_code=200,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            403: {"description": "", "content": {"application/problem+json": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def update_user(
        user_id: UUID = Path(..., description="The account's id."),
        body: models.UserUpdate = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        refuse_nulls(body, "is_active", "is_superuser")
        return json_response(
            200, await api.update_user(user_id=user_id, body=body, principal=principal)
        )

    return router

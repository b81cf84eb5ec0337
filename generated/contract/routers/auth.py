# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `auth` operations: the `AuthApi` Protocol and the router that serves it.

Implemented by `app.auth.service.AuthService`.
"""

from typing import NamedTuple, Protocol

from fastapi import APIRouter, Body, Depends, Form, Response
from fastapi.routing import APIRoute

from contract import models
from contract.runtime import (
    empty_response,
    json_response,
    refuse_nulls,
    require_content_type,
)


class RegisterResult(NamedTuple):
    """What `register` answers: the 201 body and its headers."""

    body: models.User

    location: str


class AuthApi(Protocol):
    """The `auth` tag; `app.auth.service.AuthService` implements it."""

    async def register(self, *, body: models.UserRegister) -> RegisterResult:
        """POST /api/v1/auth/register (register): Create an account."""
        ...

    async def login(self, *, body: models.LoginForm) -> models.TokenPair:
        """POST /api/v1/auth/login (login): Exchange an email and password for tokens."""
        ...

    async def refresh_tokens(self, *, body: models.RefreshRequest) -> models.TokenPair:
        """POST /api/v1/auth/refresh (refreshTokens): Trade a refresh token for a new token pair."""
        ...

    async def logout(self, *, body: models.RefreshRequest) -> None:
        """POST /api/v1/auth/logout (logout): Revoke a refresh token and its whole family."""
        ...

    async def request_password_reset(
        self, *, body: models.PasswordResetRequest
    ) -> models.MailAccepted:
        """POST /api/v1/auth/password-reset (requestPasswordReset): Email a password-reset link."""
        ...

    async def reset_password(self, *, body: models.PasswordReset) -> None:
        """POST /api/v1/auth/password-reset/confirm (resetPassword): Set a new password with an emailed reset token."""
        ...

    async def verify_email(self, *, body: models.EmailVerification) -> None:
        """POST /api/v1/auth/verify-email (verifyEmail): Confirm an email address with an emailed verification token."""
        ...


def build_router(
    api: AuthApi,
    *,
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `auth` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["auth"], route_class=route_class)

    @router.post(
        "/api/v1/auth/register",
        operation_id="register",
        summary="Create an account",
        status_code=201,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            201: {"description": "", "content": {"application/json": {}}},
            409: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def register(
        body: models.UserRegister = Body(),
    ) -> Response:
        result = await api.register(body=body)
        return json_response(
            201,
            result.body,
            {
                "Location": result.location,
            },
        )

    @router.post(
        "/api/v1/auth/login",
        operation_id="login",
        summary="Exchange an email and password for tokens",
        status_code=200,
        response_model=None,
        dependencies=[Depends(require_content_type("application/x-www-form-urlencoded"))],
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def login(
        body: models.LoginForm = Form(),
    ) -> Response:
        refuse_nulls(body, "grant_type", "scope")
        return json_response(200, await api.login(body=body))

    @router.post(
        "/api/v1/auth/refresh",
        operation_id="refreshTokens",
        summary="Trade a refresh token for a new token pair",
        status_code=200,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def refresh_tokens(
        body: models.RefreshRequest = Body(),
    ) -> Response:
        return json_response(200, await api.refresh_tokens(body=body))

    @router.post(
        "/api/v1/auth/logout",
        operation_id="logout",
        summary="Revoke a refresh token and its whole family",
        status_code=204,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            204: {"description": "", "content": {}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def logout(
        body: models.RefreshRequest = Body(),
    ) -> Response:
        await api.logout(body=body)
        return empty_response(204)

    @router.post(
        "/api/v1/auth/password-reset",
        operation_id="requestPasswordReset",
        summary="Email a password-reset link",
        status_code=202,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            202: {"description": "", "content": {"application/json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def request_password_reset(
        body: models.PasswordResetRequest = Body(),
    ) -> Response:
        return json_response(202, await api.request_password_reset(body=body))

    @router.post(
        "/api/v1/auth/password-reset/confirm",
        operation_id="resetPassword",
        summary="Set a new password with an emailed reset token",
        status_code=204,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            204: {"description": "", "content": {}},
            400: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def reset_password(
        body: models.PasswordReset = Body(),
    ) -> Response:
        await api.reset_password(body=body)
        return empty_response(204)

    @router.post(
        "/api/v1/auth/verify-email",
        operation_id="verifyEmail",
        summary="Confirm an email address with an emailed verification token",
        status_code=204,
        response_model=None,
        dependencies=[Depends(require_content_type("application/json"))],
        responses={
            204: {"description": "", "content": {}},
            400: {"description": "", "content": {"application/problem+json": {}}},
            413: {"description": "", "content": {"application/problem+json": {}}},
            415: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            429: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def verify_email(
        body: models.EmailVerification = Body(),
    ) -> Response:
        await api.verify_email(body=body)
        return empty_response(204)

    return router

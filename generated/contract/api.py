# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""Every operation in the contract, and one place that builds all the routers.

`OPERATIONS` is the operation index: what the contract says about each operation (method, path,
security, bodies, responses, the extensions the service reads), as plain data, so that nothing
at run time parses the spec again. Response schemas refer to `contract.document.SCHEMAS` by
`#/components/schemas/<name>`; every other `$ref` of the spec is already followed here.

`ServiceProviders` has one attribute per tag: the dependency that provides the tag's
implementation. The app passes an object with all of them to `build_routers`, so a tag
without an implementation is a type error; `OPERATIONS` lets the app name what is missing
when it starts.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, NamedTuple, Protocol, TypeVar

from fastapi import APIRouter
from fastapi.routing import APIRoute

from contract.routers import auth, health, items, metrics, posts, users

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)


TITLE = "Contract-first API"
VERSION = "0.1.0"


class HeaderInfo(NamedTuple):
    """A header a response declares."""

    name: str  # as the spec writes it
    required: bool
    schema: Mapping[str, Any]  # JSON Schema of its value


class ResponseInfo(NamedTuple):
    """A response an operation declares."""

    status: str  # "200"; a spec may also say "4XX" or "default"
    content: Mapping[str, Mapping[str, Any] | None]  # media type -> body schema (None: any)
    headers: tuple[HeaderInfo, ...]


class OperationInfo(NamedTuple):
    """One operation of the contract, and the class and module that implement it."""

    operation_id: str
    method: str  # upper case: "GET"
    path: str  # the template: "/api/v1/items/{item_id}"
    tag: str
    method_name: str  # of the Protocol, the service and the route
    protocol: str
    implementation_module: str
    implementation_class: str
    security: Literal["public", "optional", "required"]  # is a bearer token needed
    security_schemes: tuple[str, ...]  # the schemes it accepts ("bearer", "oauth2")
    request_media_types: tuple[str, ...]  # of its body; empty: it takes none
    responses: tuple[ResponseInfo, ...]
    superuser_only: bool  # `x-superuser-only`
    uses_database: bool  # `x-uses-database` (true unless the spec says false)
    extensions: Mapping[str, Any]  # every `x-` key, as written

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(response.status for response in self.responses)

    @property
    def rate_limited(self) -> bool:
        """The contract declares a 429: the rate limit applies (its rate is a setting)."""
        return "429" in self.statuses


# The first eight values are positional: openapi/tools/change_guide.py reads them from here.
OPERATIONS: tuple[OperationInfo, ...] = (
    OperationInfo(
        "register",
        "POST",
        "/api/v1/auth/register",
        "auth",
        "register",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "201",
                {"application/json": {"$ref": "#/components/schemas/User"}},
                (
                    HeaderInfo(
                        "Location",
                        True,
                        {
                            "type": "string",
                            "format": "uri-reference",
                            "maxLength": 2048,
                        },
                    ),
                ),
            ),
            ResponseInfo(
                "409",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "login",
        "POST",
        "/api/v1/auth/login",
        "auth",
        "login",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/x-www-form-urlencoded",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/TokenPair"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "refreshTokens",
        "POST",
        "/api/v1/auth/refresh",
        "auth",
        "refresh_tokens",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/TokenPair"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "logout",
        "POST",
        "/api/v1/auth/logout",
        "auth",
        "logout",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "requestPasswordReset",
        "POST",
        "/api/v1/auth/password-reset",
        "auth",
        "request_password_reset",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "202",
                {"application/json": {"$ref": "#/components/schemas/MailAccepted"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "resetPassword",
        "POST",
        "/api/v1/auth/password-reset/confirm",
        "auth",
        "reset_password",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "400",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={"x-emailed-token": "requestPasswordReset"},
    ),
    OperationInfo(
        "verifyEmail",
        "POST",
        "/api/v1/auth/verify-email",
        "auth",
        "verify_email",
        "contract.routers.auth.AuthApi",
        "app.auth.service",
        "AuthService",
        security="public",
        security_schemes=(),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "400",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={"x-emailed-token": "requestEmailVerification"},
    ),
    OperationInfo(
        "getLiveness",
        "GET",
        "/health/live",
        "health",
        "get_liveness",
        "contract.routers.health.HealthApi",
        "app.health.service",
        "HealthService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/HealthStatus"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
        ),
        superuser_only=False,
        uses_database=False,
        extensions={"x-uses-database": False},
    ),
    OperationInfo(
        "getReadiness",
        "GET",
        "/health/ready",
        "health",
        "get_readiness",
        "contract.routers.health.HealthApi",
        "app.health.service",
        "HealthService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/ReadinessStatus"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "listUserItems",
        "GET",
        "/api/v1/users/{user_id}/items",
        "items",
        "list_user_items",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/ItemPage"}},
                (),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "listItems",
        "GET",
        "/api/v1/items",
        "items",
        "list_items",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/ItemPage"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "createItem",
        "POST",
        "/api/v1/items",
        "items",
        "create_item",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "201",
                {"application/json": {"$ref": "#/components/schemas/Item"}},
                (
                    HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),
                    HeaderInfo(
                        "Location",
                        True,
                        {
                            "type": "string",
                            "format": "uri-reference",
                            "maxLength": 2048,
                        },
                    ),
                ),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "getItem",
        "GET",
        "/api/v1/items/{item_id}",
        "items",
        "get_item",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/Item"}},
                (HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "deleteItem",
        "DELETE",
        "/api/v1/items/{item_id}",
        "items",
        "delete_item",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "updateItem",
        "PATCH",
        "/api/v1/items/{item_id}",
        "items",
        "update_item",
        "contract.routers.items.ItemsApi",
        "app.items.service",
        "ItemsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/Item"}},
                (HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "412",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "getMetrics",
        "GET",
        "/metrics",
        "metrics",
        "get_metrics",
        "contract.routers.metrics.MetricsApi",
        "app.metrics.service",
        "MetricsService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {
                    "text/plain; version=0.0.4": {
                        "type": "string",
                        "maxLength": 10485760,
                    }
                },
                (),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
        ),
        superuser_only=False,
        uses_database=False,
        extensions={"x-uses-database": False},
    ),
    OperationInfo(
        "listPosts",
        "GET",
        "/api/v1/posts",
        "posts",
        "list_posts",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="optional",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/PostPage"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "createPost",
        "POST",
        "/api/v1/posts",
        "posts",
        "create_post",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "201",
                {"application/json": {"$ref": "#/components/schemas/Post"}},
                (
                    HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),
                    HeaderInfo(
                        "Location",
                        True,
                        {
                            "type": "string",
                            "format": "uri-reference",
                            "maxLength": 2048,
                        },
                    ),
                ),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "getPostBySlug",
        "GET",
        "/api/v1/posts/slug/{slug}",
        "posts",
        "get_post_by_slug",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="optional",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/Post"}},
                (HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "getPost",
        "GET",
        "/api/v1/posts/{post_id}",
        "posts",
        "get_post",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="optional",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/Post"}},
                (HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "deletePost",
        "DELETE",
        "/api/v1/posts/{post_id}",
        "posts",
        "delete_post",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "updatePost",
        "PATCH",
        "/api/v1/posts/{post_id}",
        "posts",
        "update_post",
        "contract.routers.posts.PostsApi",
        "app.posts.service",
        "PostsService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/Post"}},
                (HeaderInfo("ETag", True, {"type": "string", "maxLength": 128}),),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "412",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "getCurrentUser",
        "GET",
        "/api/v1/users/me",
        "users",
        "get_current_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/User"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "deleteCurrentUser",
        "DELETE",
        "/api/v1/users/me",
        "users",
        "delete_current_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "updateCurrentUser",
        "PATCH",
        "/api/v1/users/me",
        "users",
        "update_current_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/User"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "changePassword",
        "PUT",
        "/api/v1/users/me/password",
        "users",
        "change_password",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "400",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "requestEmailVerification",
        "POST",
        "/api/v1/users/me/verification",
        "users",
        "request_email_verification",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "202",
                {"application/json": {"$ref": "#/components/schemas/MailAccepted"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "429",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "listUsers",
        "GET",
        "/api/v1/users",
        "users",
        "list_users",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/UserPage"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "403",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=True,
        uses_database=True,
        extensions={"x-superuser-only": True},
    ),
    OperationInfo(
        "getUser",
        "GET",
        "/api/v1/users/{user_id}",
        "users",
        "get_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/User"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=False,
        uses_database=True,
        extensions={},
    ),
    OperationInfo(
        "deleteUser",
        "DELETE",
        "/api/v1/users/{user_id}",
        "users",
        "delete_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=(),
        responses=(
            ResponseInfo(
                "204",
                {},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "403",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=True,
        uses_database=True,
        extensions={"x-superuser-only": True},
    ),
    OperationInfo(
        "updateUser",
        "PATCH",
        "/api/v1/users/{user_id}",
        "users",
        "update_user",
        "contract.routers.users.UsersApi",
        "app.users.service",
        "UsersService",
        security="required",
        security_schemes=(
            "bearer",
            "oauth2",
        ),
        request_media_types=("application/json",),
        responses=(
            ResponseInfo(
                "200",
                {"application/json": {"$ref": "#/components/schemas/User"}},
                (),
            ),
            ResponseInfo(
                "401",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (HeaderInfo("WWW-Authenticate", True, {"type": "string", "maxLength": 512}),),
            ),
            ResponseInfo(
                "403",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "404",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "413",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "415",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "422",
                {"application/problem+json": {"$ref": "#/components/schemas/ValidationProblem"}},
                (),
            ),
            ResponseInfo(
                "500",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (),
            ),
            ResponseInfo(
                "503",
                {"application/problem+json": {"$ref": "#/components/schemas/Problem"}},
                (
                    HeaderInfo(
                        "Retry-After",
                        True,
                        {"type": "integer", "minimum": 0, "maximum": 86400},
                    ),
                ),
            ),
        ),
        superuser_only=True,
        uses_database=True,
        extensions={"x-superuser-only": True},
    ),
)


class ServiceProviders(Protocol[P_contra]):
    """One provider per tag: a method that builds that tag's implementation, once per app."""

    def auth(self) -> auth.AuthApi: ...

    def health(self) -> health.HealthApi: ...

    def items(self) -> items.ItemsApi[P_contra]: ...

    def metrics(self) -> metrics.MetricsApi: ...

    def posts(self) -> posts.PostsApi[P_contra]: ...

    def users(self) -> users.UsersApi[P_contra]: ...


def build_routers(
    providers: ServiceProviders[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    authenticate_optional: Callable[..., Awaitable[P | None]],
    route_class: type[APIRoute] = APIRoute,
) -> list[APIRouter]:
    """The router of every tag `providers` implements, each operation a `route_class` route;
    each provider is called once, here.

    A tag it lacks is skipped rather than failing here, so that the app's start-up check can
    name each unserved operation; the type checker already reports the missing attribute.
    """
    routers: list[APIRouter] = []
    provider: Any

    if (provider := getattr(providers, "auth", None)) is not None:
        routers.append(auth.build_router(provider(), route_class=route_class))

    if (provider := getattr(providers, "health", None)) is not None:
        routers.append(health.build_router(provider(), route_class=route_class))

    if (provider := getattr(providers, "items", None)) is not None:
        routers.append(
            items.build_router(provider(), authenticate=authenticate, route_class=route_class)
        )

    if (provider := getattr(providers, "metrics", None)) is not None:
        routers.append(metrics.build_router(provider(), route_class=route_class))

    if (provider := getattr(providers, "posts", None)) is not None:
        routers.append(
            posts.build_router(
                provider(),
                authenticate=authenticate,
                authenticate_optional=authenticate_optional,
                route_class=route_class,
            )
        )

    if (provider := getattr(providers, "users", None)) is not None:
        routers.append(
            users.build_router(provider(), authenticate=authenticate, route_class=route_class)
        )

    return routers

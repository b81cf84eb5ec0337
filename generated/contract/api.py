# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""Every operation in the contract, and one place that builds all the routers.

`ServiceProviders` has one attribute per tag: the dependency that provides the tag's
implementation. The app passes an object with all of them to `build_routers`, so a tag
without an implementation is a type error; `OPERATIONS` lets the app name what is missing
when it starts.
"""

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, Protocol, TypeVar

from fastapi import APIRouter

from contract.routers import auth, health, items, posts, users

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)


class OperationInfo(NamedTuple):
    operation_id: str
    method: str
    path: str
    tag: str
    method_name: str
    protocol: str
    implementation_module: str
    implementation_class: str


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
    ),
)


class ServiceProviders(Protocol[P_contra]):
    """One dependency per tag, each returning that tag's implementation."""

    @property
    def auth(self) -> Callable[..., Awaitable[auth.AuthApi]]: ...

    @property
    def health(self) -> Callable[..., Awaitable[health.HealthApi]]: ...

    @property
    def items(self) -> Callable[..., Awaitable[items.ItemsApi[P_contra]]]: ...

    @property
    def posts(self) -> Callable[..., Awaitable[posts.PostsApi[P_contra]]]: ...

    @property
    def users(self) -> Callable[..., Awaitable[users.UsersApi[P_contra]]]: ...


def build_routers(
    providers: ServiceProviders[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    authenticate_optional: Callable[..., Awaitable[P | None]],
) -> list[APIRouter]:
    """The router of every tag `providers` implements.

    A tag it lacks is skipped rather than failing here, so that the app's start-up check can
    name each unserved operation; the type checker already reports the missing attribute.
    """
    routers: list[APIRouter] = []
    provider: Any

    if (provider := getattr(providers, "auth", None)) is not None:
        routers.append(auth.build_router(provider))

    if (provider := getattr(providers, "health", None)) is not None:
        routers.append(health.build_router(provider))

    if (provider := getattr(providers, "items", None)) is not None:
        routers.append(items.build_router(provider, authenticate=authenticate))

    if (provider := getattr(providers, "posts", None)) is not None:
        routers.append(
            posts.build_router(
                provider,
                authenticate=authenticate,
                authenticate_optional=authenticate_optional,
            )
        )

    if (provider := getattr(providers, "users", None)) is not None:
        routers.append(users.build_router(provider, authenticate=authenticate))

    return routers

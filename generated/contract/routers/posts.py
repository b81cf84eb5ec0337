# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `posts` operations: the `PostsApi` Protocol and the router that serves it.

Implemented by `app.posts.service.PostsService`.
"""

from collections.abc import Awaitable, Callable
from typing import NamedTuple, Protocol, TypeVar
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


class CreatePostResult(NamedTuple):
    """What `create_post` answers: the 201 body and its headers."""

    body: models.Post

    etag: str

    location: str


class GetPostBySlugResult(NamedTuple):
    """What `get_post_by_slug` answers: the 200 body and its headers."""

    body: models.Post

    etag: str


class GetPostResult(NamedTuple):
    """What `get_post` answers: the 200 body and its headers."""

    body: models.Post

    etag: str


class UpdatePostResult(NamedTuple):
    """What `update_post` answers: the 200 body and its headers."""

    body: models.Post

    etag: str


class PostsApi(Protocol[P_contra]):
    """The `posts` tag; `app.posts.service.PostsService` implements it."""

    async def list_posts(
        self,
        *,
        page: int,
        size: int,
        author_id: UUID | None,
        q: str | None,
        principal: P_contra | None,
    ) -> models.PostPage:
        """GET /api/v1/posts (listPosts): List posts."""
        ...

    async def create_post(
        self, *, body: models.PostCreate, principal: P_contra
    ) -> CreatePostResult:
        """POST /api/v1/posts (createPost): Write a post."""
        ...

    async def get_post_by_slug(
        self, *, slug: str, principal: P_contra | None
    ) -> GetPostBySlugResult:
        """GET /api/v1/posts/slug/{slug} (getPostBySlug): Read a post by its slug."""
        ...

    async def get_post(self, *, post_id: UUID, principal: P_contra | None) -> GetPostResult:
        """GET /api/v1/posts/{post_id} (getPost): Read a post."""
        ...

    async def delete_post(self, *, post_id: UUID, principal: P_contra) -> None:
        """DELETE /api/v1/posts/{post_id} (deletePost): Delete a post (its author or a superuser)."""
        ...

    async def update_post(
        self,
        *,
        post_id: UUID,
        if_match: str | None,
        body: models.PostUpdate,
        principal: P_contra,
    ) -> UpdatePostResult:
        """PATCH /api/v1/posts/{post_id} (updatePost): Change a post (its author or a superuser)."""
        ...


def build_router(
    api: PostsApi[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    authenticate_optional: Callable[..., Awaitable[P | None]],
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `posts` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["posts"], route_class=route_class)

    @router.get(
        "/api/v1/posts",
        operation_id="listPosts",
        summary="List posts",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            401: {"description": "", "content": {"application/problem+json": {}}},
            422: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def list_posts(
        page: int = Query(1, ge=1, le=10000, description="The 1-based page number."),
        size: int = Query(20, ge=1, le=100, description="How many entries a page holds."),
        author_id: UUID | None = Query(None, description="Only this user's posts."),
        q: str | None = Query(
            None,
            min_length=1,
            max_length=200,
            pattern="^[^\\u0000]*$",
            description="Only entries whose title contains this text, ignoring case.",
        ),
        principal: P | None = Depends(authenticate_optional),
    ) -> Response:
        return json_response(
            200,
            await api.list_posts(
                page=page, size=size, author_id=author_id, q=q, principal=principal
            ),
        )

    @router.post(
        "/api/v1/posts",
        operation_id="createPost",
        summary="Write a post",
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
    async def create_post(
        body: models.PostCreate = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        result = await api.create_post(body=body, principal=principal)
        return json_response(
            201,
            result.body,
            {
                "ETag": result.etag,
                "Location": result.location,
            },
        )

    @router.get(
        "/api/v1/posts/slug/{slug}",
        operation_id="getPostBySlug",
        summary="Read a post by its slug",
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
    async def get_post_by_slug(
        slug: str = Path(..., min_length=1, max_length=220, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
        principal: P | None = Depends(authenticate_optional),
    ) -> Response:
        result = await api.get_post_by_slug(slug=slug, principal=principal)
        return json_response(
            200,
            result.body,
            {
                "ETag": result.etag,
            },
        )

    @router.get(
        "/api/v1/posts/{post_id}",
        operation_id="getPost",
        summary="Read a post",
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
    async def get_post(
        post_id: UUID = Path(..., description="The post's id."),
        principal: P | None = Depends(authenticate_optional),
    ) -> Response:
        result = await api.get_post(post_id=post_id, principal=principal)
        return json_response(
            200,
            result.body,
            {
                "ETag": result.etag,
            },
        )

    @router.delete(
        "/api/v1/posts/{post_id}",
        operation_id="deletePost",
        summary="Delete a post (its author or a superuser)",
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
    async def delete_post(
        post_id: UUID = Path(..., description="The post's id."),
        principal: P = Depends(authenticate),
    ) -> Response:
        await api.delete_post(post_id=post_id, principal=principal)
        return empty_response(204)

    @router.patch(
        "/api/v1/posts/{post_id}",
        operation_id="updatePost",
        summary="Change a post (its author or a superuser)",
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
    async def update_post(
        post_id: UUID = Path(..., description="The post's id."),
        if_match: str | None = Header(
            None,
            alias="If-Match",
            min_length=1,
            max_length=1024,
            pattern="^[^\\u0000]*$",
            description="Apply the change only if the resource's current `ETag` is one of these (or `*`).",
        ),
        body: models.PostUpdate = Body(),
        principal: P = Depends(authenticate),
    ) -> Response:
        refuse_nulls(body, "content", "published", "title")
        result = await api.update_post(
            post_id=post_id, if_match=if_match, body=body, principal=principal
        )
        return json_response(
            200,
            result.body,
            {
                "ETag": result.etag,
            },
        )

    return router

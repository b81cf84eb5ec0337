"""Implements `contract.routers.posts.PostsApi`: drafts, publishing and unique slugs."""

import uuid

from sqlalchemy import Connection

from app import etags
from app.auth.principal import Principal
from app.db.database import Database
from app.db.types import utcnow
from app.errors import NotFound, PreconditionFailed
from app.pagination import PageRequest
from app.posts.repository import PostRecord, PostRepository, SlugTaken
from app.posts.slugs import next_free, slugify
from contract import models
from contract.routers.posts import (
    CreatePostResult,
    GetPostBySlugResult,
    GetPostResult,
    PostsApi,
    UpdatePostResult,
)

NO_SUCH_POST = "No such post."
SLUG_ATTEMPTS = 5


def post_model(record: PostRecord) -> models.Post:
    # Rows from our own tables are already valid: build without re-validating (cheaper).
    return models.Post.model_construct(
        id=record.id,
        title=record.title,
        slug=record.slug,
        content=record.content,
        excerpt=record.excerpt,
        published=record.published,
        published_at=record.published_at,
        author_id=record.author_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _may_see(record: PostRecord | None, principal: Principal | None) -> PostRecord:
    """The post, if the caller may see it; a draft is missing to everyone but its author."""
    if record is None:
        raise NotFound(NO_SUCH_POST)
    if record.published or (
        principal is not None and (principal.is_superuser or principal.user.id == record.author_id)
    ):
        return record
    raise NotFound(NO_SUCH_POST)


def _author_filter(principal: Principal) -> uuid.UUID | None:
    return None if principal.is_superuser else principal.user.id


class PostsService(PostsApi[Principal]):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def list_posts(
        self,
        *,
        page: int,
        size: int,
        author_id: uuid.UUID | None,
        q: str | None,
        principal: Principal | None,
    ) -> models.PostPage:
        request = PageRequest(page, size)
        viewer = principal.user.id if principal else None
        records, total = await self._database.read(
            lambda connection: PostRepository(connection).page(
                request, viewer_id=viewer, author_id=author_id, q=q
            )
        )
        return models.PostPage.model_construct(  # valid parts: no re-validation
            items=[post_model(r) for r in records],
            total=total,
            page=page,
            size=size,
            pages=request.pages(total),
        )

    async def create_post(
        self, *, body: models.PostCreate, principal: Principal
    ) -> CreatePostResult:
        base = slugify(body.title)

        def work(connection: Connection) -> PostRecord:
            repository = PostRepository(connection)
            repository.lock_slug(base)
            now = utcnow()
            record = PostRecord(
                id=uuid.uuid4(),
                title=body.title,
                slug=next_free(base, repository.taken_slugs(base)),
                content=body.content,
                excerpt=body.excerpt,
                published=body.published,
                published_at=now if body.published else None,
                author_id=principal.user.id,
                version=1,
                created_at=now,
                updated_at=now,
            )
            repository.add(record)
            return record

        for attempt in range(SLUG_ATTEMPTS):
            try:
                record = await self._database.write(work)
                break
            except SlugTaken:
                if attempt == SLUG_ATTEMPTS - 1:
                    raise
        return CreatePostResult(
            body=post_model(record),
            location=f"/api/v1/posts/{record.id}",
            etag=etags.etag(record.version),
        )

    async def get_post(self, *, post_id: uuid.UUID, principal: Principal | None) -> GetPostResult:
        record = _may_see(
            await self._database.read(lambda connection: PostRepository(connection).get(post_id)),
            principal,
        )
        return GetPostResult(body=post_model(record), etag=etags.etag(record.version))

    async def get_post_by_slug(
        self, *, slug: str, principal: Principal | None
    ) -> GetPostBySlugResult:
        record = _may_see(
            await self._database.read(
                lambda connection: PostRepository(connection).get_by_slug(slug)
            ),
            principal,
        )
        return GetPostBySlugResult(body=post_model(record), etag=etags.etag(record.version))

    async def update_post(
        self,
        *,
        post_id: uuid.UUID,
        if_match: str | None,
        body: models.PostUpdate,
        principal: Principal,
    ) -> UpdatePostResult:
        author = _author_filter(principal)
        precondition = etags.if_match(if_match)
        changes = body.model_dump(exclude_unset=True)

        def work(connection: Connection) -> PostRecord:
            repository = PostRepository(connection)
            record = repository.update(
                post_id, author_id=author, precondition=precondition, changes=changes, now=utcnow()
            )
            if record is None:
                current = repository.get(post_id)
                if current is None or (author is not None and current.author_id != author):
                    raise NotFound(NO_SUCH_POST)
                raise PreconditionFailed("The post changed since you read it; read it again.")
            return record

        record = await self._database.write(work)
        return UpdatePostResult(body=post_model(record), etag=etags.etag(record.version))

    async def delete_post(self, *, post_id: uuid.UUID, principal: Principal) -> None:
        author = _author_filter(principal)
        deleted = await self._database.write(
            lambda connection: PostRepository(connection).delete(post_id, author_id=author)
        )
        if not deleted:
            raise NotFound(NO_SUCH_POST)

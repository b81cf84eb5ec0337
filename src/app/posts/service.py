"""Implements `contract.routers.posts.PostsApi`: drafts, publishing and unique slugs."""

import uuid

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
        async with self._database.connect() as connection:
            records, total = await PostRepository(connection).page(
                request, viewer_id=viewer, author_id=author_id, q=q
            )
        return models.PostPage(
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
        for attempt in range(SLUG_ATTEMPTS):
            now = utcnow()
            try:
                async with self._database.transaction(write=True) as connection:
                    repository = PostRepository(connection)
                    await repository.lock_slug(base)
                    record = PostRecord(
                        id=uuid.uuid4(),
                        title=body.title,
                        slug=next_free(base, await repository.taken_slugs(base)),
                        content=body.content,
                        excerpt=body.excerpt,
                        published=body.published,
                        published_at=now if body.published else None,
                        author_id=principal.user.id,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    await repository.add(record)
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
        async with self._database.connect() as connection:
            record = _may_see(await PostRepository(connection).get(post_id), principal)
        return GetPostResult(body=post_model(record), etag=etags.etag(record.version))

    async def get_post_by_slug(
        self, *, slug: str, principal: Principal | None
    ) -> GetPostBySlugResult:
        async with self._database.connect() as connection:
            record = _may_see(await PostRepository(connection).get_by_slug(slug), principal)
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
        async with self._database.connect() as connection:
            repository = PostRepository(connection)
            record = await repository.update(
                post_id,
                author_id=author,
                precondition=etags.if_match(if_match),
                changes=body.model_dump(exclude_unset=True),
                now=utcnow(),
            )
            if record is None:
                current = await repository.get(post_id)
                if current is None or (author is not None and current.author_id != author):
                    raise NotFound(NO_SUCH_POST)
                raise PreconditionFailed("The post changed since you read it; read it again.")
        return UpdatePostResult(body=post_model(record), etag=etags.etag(record.version))

    async def delete_post(self, *, post_id: uuid.UUID, principal: Principal) -> None:
        async with self._database.connect() as connection:
            deleted = await PostRepository(connection).delete(
                post_id, author_id=_author_filter(principal)
            )
        if not deleted:
            raise NotFound(NO_SUCH_POST)

"""Implements `contract.routers.posts.PostsApi`: drafts, publishing and unique slugs."""

import uuid
from collections.abc import Callable

from sqlalchemy import Connection

from app import etags, responses
from app.auth.principal import Principal
from app.db.types import utcnow
from app.errors import NotFound
from app.owned.service import OwnedService, missing
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

SLUG_ATTEMPTS = 5


def _may_see(record: PostRecord, principal: Principal | None) -> bool:
    """A draft is hidden from everyone but its author and superusers."""
    return record.published or (
        principal is not None and (principal.is_superuser or principal.user.id == record.author_id)
    )


class PostsService(OwnedService[PostRecord, models.Post], PostsApi[Principal]):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    model = models.Post

    def owned(self, connection: Connection) -> PostRepository:
        return self.repositories.posts(connection)

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
        records, total = await self.database.read(
            lambda connection: self.owned(connection).page(
                request, viewer_id=viewer, author_id=author_id, q=q
            )
        )
        return responses.page(models.PostPage, records, total, request)

    async def create_post(
        self, *, body: models.PostCreate, principal: Principal
    ) -> CreatePostResult:
        base = slugify(body.title)

        def work(connection: Connection) -> PostRecord:
            repository = self.owned(connection)
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
                record = await self.database.write(work)
                break
            except SlugTaken:
                if attempt == SLUG_ATTEMPTS - 1:
                    raise
        return CreatePostResult(
            body=responses.view(models.Post, record),
            location=f"/api/v1/posts/{record.id}",
            etag=etags.etag(record.version),
        )

    async def get_post(self, *, post_id: uuid.UUID, principal: Principal | None) -> GetPostResult:
        return GetPostResult(*await self._visible(lambda posts: posts.get(post_id), principal))

    async def get_post_by_slug(
        self, *, slug: str, principal: Principal | None
    ) -> GetPostBySlugResult:
        return GetPostBySlugResult(
            *await self._visible(lambda posts: posts.get_by_slug(slug), principal)
        )

    async def _visible(
        self, find: Callable[[PostRepository], PostRecord | None], principal: Principal | None
    ) -> tuple[models.Post, str]:
        """The post `find` reads, and its ETag; NotFound if the caller may not see it."""
        record = await self.database.read(lambda connection: find(self.owned(connection)))
        if record is None or not _may_see(record, principal):
            raise NotFound(missing(self.noun))
        return responses.view(models.Post, record), etags.etag(record.version)

    async def update_post(
        self,
        *,
        post_id: uuid.UUID,
        if_match: str | None,
        body: models.PostUpdate,
        principal: Principal,
    ) -> UpdatePostResult:
        changes = body.model_dump(exclude_unset=True)
        return UpdatePostResult(*await self._change(post_id, principal, if_match, changes))

    async def delete_post(self, *, post_id: uuid.UUID, principal: Principal) -> None:
        await self._remove(post_id, principal)

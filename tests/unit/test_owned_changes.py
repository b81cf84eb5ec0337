"""Who may change or delete an item or a post, and 404 against 412, without a database.

The rule (app/owned/service.py): a refused change says 404 when the row is missing or not the
caller's, the same for both, and 412 only to the row's owner (or a superuser) whose If-Match
no longer holds. A refused change or delete leaves the row as it was. Both services share it,
so every test runs on items and on posts.
"""

import uuid
from collections.abc import Mapping

import pytest

from app.auth.principal import Principal
from app.errors import NotFound, PreconditionFailed
from app.items.repository import ItemRecord
from app.items.service import ItemsService
from app.posts.repository import PostRecord
from app.posts.service import PostsService
from contract import models
from contract.routers.items import CreateItemResult, UpdateItemResult
from contract.routers.posts import CreatePostResult, UpdatePostResult
from tests.support.fakes import FakeDatabase, Store, fake_repositories

pytestmark = pytest.mark.anyio


class Owned:
    """Items or posts, driven through their service: create, retitle, delete, and peek."""

    def __init__(self, kind: str, store: Store) -> None:
        self.kind = kind
        self.store = store
        self.database = FakeDatabase(store)
        self.items = ItemsService(self.database, fake_repositories(store))
        self.posts = PostsService(self.database, fake_repositories(store))

    async def create(self, principal: Principal) -> tuple[uuid.UUID, str]:
        """The new row's id and ETag."""
        if self.kind == "items":
            item = models.ItemCreate(title="Lamp", price=models.Price("9.90"))
            made: CreateItemResult | CreatePostResult = await self.items.create_item(
                body=item, principal=principal
            )
        else:
            post = models.PostCreate(title="Hello", content="Text.", published=True)
            made = await self.posts.create_post(body=post, principal=principal)
        return made.body.id, made.etag

    async def retitle(
        self, row_id: uuid.UUID, if_match: str | None, principal: Principal, title: str
    ) -> str:
        """The changed row's ETag."""
        if self.kind == "items":
            item = models.ItemUpdate(title=title)
            changed: UpdateItemResult | UpdatePostResult = await self.items.update_item(
                item_id=row_id, if_match=if_match, body=item, principal=principal
            )
        else:
            post = models.PostUpdate(title=title)
            changed = await self.posts.update_post(
                post_id=row_id, if_match=if_match, body=post, principal=principal
            )
        return changed.etag

    async def delete(self, row_id: uuid.UUID, principal: Principal) -> None:
        if self.kind == "items":
            await self.items.delete_item(item_id=row_id, principal=principal)
        else:
            await self.posts.delete_post(post_id=row_id, principal=principal)

    def title(self, row_id: uuid.UUID) -> str | None:
        """None once deleted."""
        rows: Mapping[uuid.UUID, ItemRecord | PostRecord] = (
            self.store.items if self.kind == "items" else self.store.posts
        )
        record = rows.get(row_id)
        return record.title if record else None


@pytest.fixture(params=["items", "posts"])
def owned(request: pytest.FixtureRequest, store: Store) -> Owned:
    return Owned(request.param, store)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def owner(store: Store) -> Principal:
    return Principal(store.add_user())


@pytest.fixture
def stranger(store: Store) -> Principal:
    return Principal(store.add_user())


@pytest.fixture
def superuser(store: Store) -> Principal:
    return Principal(store.add_user(superuser=True))


async def test_the_owner_changes_it_with_the_current_etag_and_gets_the_next(
    owned: Owned, owner: Principal
) -> None:
    row_id, etag = await owned.create(owner)
    assert await owned.retitle(row_id, etag, owner, "New") == '"2"'
    assert owned.title(row_id) == "New"


@pytest.mark.parametrize("if_match", [None, "*", '"9", "1"'], ids=["absent", "star", "list"])
async def test_no_if_match_a_star_or_a_list_holding_the_version_applies(
    owned: Owned, owner: Principal, if_match: str | None
) -> None:
    row_id, _ = await owned.create(owner)
    assert await owned.retitle(row_id, if_match, owner, "New") == '"2"'


@pytest.mark.parametrize("if_match", ['"2"', 'W/"1"', "garbage"], ids=["stale", "weak", "junk"])
async def test_the_owner_with_an_if_match_that_does_not_hold_gets_412_and_nothing_changes(
    owned: Owned, owner: Principal, if_match: str
) -> None:
    row_id, _ = await owned.create(owner)
    with pytest.raises(PreconditionFailed, match="changed since you read it"):
        await owned.retitle(row_id, if_match, owner, "New")
    assert owned.title(row_id) != "New"


async def test_a_superuser_is_held_to_if_match_like_the_owner(
    owned: Owned, owner: Principal, superuser: Principal
) -> None:
    row_id, etag = await owned.create(owner)
    await owned.retitle(row_id, etag, owner, "Changed")
    with pytest.raises(PreconditionFailed):
        await owned.retitle(row_id, etag, superuser, "New")
    assert await owned.retitle(row_id, '"2"', superuser, "New") == '"3"'


@pytest.mark.parametrize("if_match", [None, '"1"', '"7"'], ids=["absent", "current", "stale"])
async def test_someone_elses_row_is_missing_whatever_the_if_match(
    owned: Owned, owner: Principal, stranger: Principal, if_match: str | None
) -> None:
    """Not 412 even for a stale tag: that would tell a stranger the row exists."""
    row_id, _ = await owned.create(owner)
    with pytest.raises(NotFound, match=r"^No such (item|post)\.$"):
        await owned.retitle(row_id, if_match, stranger, "Mine")
    assert owned.title(row_id) != "Mine"


@pytest.mark.parametrize("if_match", [None, "*", '"1"'], ids=["absent", "star", "tag"])
async def test_a_row_that_is_not_there_is_missing_whatever_the_if_match(
    owned: Owned, superuser: Principal, if_match: str | None
) -> None:
    with pytest.raises(NotFound):
        await owned.retitle(uuid.uuid4(), if_match, superuser, "New")


async def test_the_owner_and_a_superuser_delete_others_get_404_and_the_row_stays(
    owned: Owned, owner: Principal, stranger: Principal, superuser: Principal
) -> None:
    mine, _ = await owned.create(owner)
    with pytest.raises(NotFound):
        await owned.delete(mine, stranger)
    assert owned.title(mine) is not None
    await owned.delete(mine, owner)
    assert owned.title(mine) is None
    with pytest.raises(NotFound):
        await owned.delete(mine, owner)

    theirs, _ = await owned.create(owner)
    await owned.delete(theirs, superuser)
    assert owned.title(theirs) is None


async def test_a_refused_change_is_one_write_rolled_back(owned: Owned, owner: Principal) -> None:
    row_id, _ = await owned.create(owner)
    writes, commits = owned.database.writes, owned.database.commits
    with pytest.raises(PreconditionFailed):
        await owned.retitle(row_id, '"5"', owner, "New")
    assert (owned.database.writes, owned.database.commits) == (writes + 1, commits)

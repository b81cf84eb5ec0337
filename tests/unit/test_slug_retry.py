"""A post whose slug another writer takes first is tried again with the next free slug, a few
times, without a database (tests/support/fakes.py plays the other writer)."""

import pytest

from app.auth.principal import Principal
from app.posts.repository import SlugTaken
from app.posts.service import SLUG_ATTEMPTS, PostsService
from contract import models
from tests.support.fakes import FakeDatabase, Store, fake_repositories

pytestmark = pytest.mark.anyio
HELLO = models.PostCreate(title="Hello", content="Text.")


def posts(store: Store) -> tuple[PostsService, FakeDatabase]:
    database = FakeDatabase(store)
    return PostsService(database, fake_repositories(store)), database


@pytest.mark.parametrize(
    ("races", "slug"),
    [(0, "hello"), (1, "hello-2"), (2, "hello-3"), (SLUG_ATTEMPTS - 1, f"hello-{SLUG_ATTEMPTS}")],
)
async def test_a_lost_slug_is_retried_with_the_next_free_one(races: int, slug: str) -> None:
    store = Store(slug_races=races)
    service, database = posts(store)
    created = await service.create_post(body=HELLO, principal=Principal(store.add_user()))
    assert created.body.slug == slug
    assert (database.writes, database.commits) == (races + 1, 1)
    assert [post.slug for post in store.posts.values()] == [slug]


async def test_after_the_last_attempt_the_conflict_reaches_the_caller_and_nothing_is_stored() -> (
    None
):
    store = Store(slug_races=SLUG_ATTEMPTS + 1)
    service, database = posts(store)
    with pytest.raises(SlugTaken):
        await service.create_post(body=HELLO, principal=Principal(store.add_user()))
    assert (database.writes, database.commits) == (SLUG_ATTEMPTS, 0)
    assert store.posts == {}
    assert store.slug_races == 1  # no attempt past the last


async def test_a_taken_slug_is_never_tried_at_all() -> None:
    store = Store(others_slugs={"hello", "hello-2"})
    service, database = posts(store)
    created = await service.create_post(body=HELLO, principal=Principal(store.add_user()))
    assert created.body.slug == "hello-3"
    assert database.writes == 1

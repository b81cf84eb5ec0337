"""Items and posts alike: the rules both kinds share, run once for each kind, on both databases.

Creating (201 with Location and ETag, 422 for what the contract forbids), changing what is not
there (404), ids that are not UUIDs (422), and racing PATCHes (one wins, the other is a 412).
tests/support/owned.py holds the checks test_items and test_posts call with what is particular
to their kind.
"""

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.contract import assert_matches, assert_problem
from tests.support.owned import Kind, for_each_kind
from tests.support.pages import listed
from tests.support.problems import issues
from tests.support.resources import STRONG_ETAG, concurrently, post_created, random_id, read

pytestmark = pytest.mark.anyio


@for_each_kind(("update", 404), ("delete", 404))
async def test_changing_a_missing_one_is_404_even_for_a_superuser(
    api: httpx.AsyncClient, admin: Account, alice: Account, kind: Kind
) -> None:
    for account in (alice, admin):
        url = f"{kind.collection}/{random_id()}"
        for headers in ({}, {"If-Match": '"1"'}, {"If-Match": "*"}):
            response = await api.patch(
                url, json={"title": "x"}, headers={**account.headers, **headers}
            )
            assert assert_problem(response, 404)["type"] == "urn:problem-type:not-found"
        assert_problem(await api.delete(url, headers=account.headers), 404)


@for_each_kind(("get", 422), ("update", 422), ("delete", 422))
async def test_an_id_that_is_not_a_uuid_is_422(
    api: httpx.AsyncClient, alice: Account, kind: Kind
) -> None:
    url = f"{kind.collection}/not-a-uuid"
    for response in (
        await api.get(url),
        await api.patch(url, json={"title": "x"}, headers=alice.headers),
        await api.delete(url, headers=alice.headers),
    ):
        problem = assert_problem(response, 422, "ValidationProblem")
        assert issues(problem) == [(f"path.{kind.id_parameter}", "uuid_parsing")]


# A body each kind creates one from.
SAMPLES: dict[str, dict[str, Any]] = {
    "Item": {"title": "A reading lamp", "description": "Brass, works.", "price": "12.5"},
    "Post": {"title": "My First Post", "content": "Hello.", "excerpt": "Hi."},
}


@for_each_kind(("create", 201), ("get", 200))
async def test_a_create_answers_201_with_the_location_and_etag_of_what_it_made(
    api: httpx.AsyncClient, alice: Account, kind: Kind
) -> None:
    response = await post_created(api, kind.collection, alice, kind.schema, SAMPLES[kind.schema])
    created = response.json()
    assert response.headers["location"] == f"{kind.collection}/{created['id']}"
    etag = response.headers["etag"]
    assert re.fullmatch(STRONG_ETAG, etag), etag
    # The Location answers (to the owner: a post is a draft) with the same body and ETag.
    fetched = await read(api, response.headers["location"], alice)
    assert_matches(fetched[0], kind.schema)
    assert fetched == (created, etag)


# What each kind refuses to create: the body, and the one issue it gets.
CREATE_REFUSALS: dict[str, list[tuple[dict[str, Any], tuple[str, str]]]] = {
    "Item": [
        ({"price": "1.00"}, ("#/title", "missing")),
        ({"title": "t"}, ("#/price", "missing")),
        ({"title": "", "price": "1"}, ("#/title", "string_too_short")),
        ({"title": "t" * 201, "price": "1"}, ("#/title", "string_too_long")),
        (
            {"title": "t", "price": "1", "description": "d" * 2001},
            ("#/description", "string_too_long"),
        ),
        ({"title": None, "price": "1"}, ("#/title", "string_type")),
        ({"title": 5, "price": "1"}, ("#/title", "string_type")),
        (
            {"title": "t", "price": "1", "owner_id": str(uuid.uuid4())},
            ("#/owner_id", "extra_forbidden"),
        ),
    ],
    "Post": [
        ({"content": "c"}, ("#/title", "missing")),
        ({"title": "t"}, ("#/content", "missing")),
        ({"title": "", "content": "c"}, ("#/title", "string_too_short")),
        ({"title": "t", "content": ""}, ("#/content", "string_too_short")),
        ({"title": "t" * 201, "content": "c"}, ("#/title", "string_too_long")),
        ({"title": "t", "content": "c" * 50001}, ("#/content", "string_too_long")),
        ({"title": "t", "content": "c", "excerpt": "e" * 501}, ("#/excerpt", "string_too_long")),
        ({"title": "t", "content": "c", "published": None}, ("#/published", "bool_type")),
        ({"title": "t", "content": "c", "published": "true"}, ("#/published", "bool_type")),
        ({"title": "t", "content": "c", "slug": "mine"}, ("#/slug", "extra_forbidden")),
        (
            {"title": "t", "content": "c", "author_id": random_id()},
            ("#/author_id", "extra_forbidden"),
        ),
    ],
}
# What the first of two racing PATCHes changes beside the title: any change races alike.
ALSO_CHANGED: dict[str, dict[str, Any]] = {"Item": {}, "Post": {"published": True}}


@for_each_kind(("create", 422))
async def test_a_create_the_contract_forbids_is_422_and_creates_nothing(
    api: httpx.AsyncClient, alice: Account, kind: Kind
) -> None:
    for body, expected in CREATE_REFUSALS[kind.schema]:
        response = await api.post(kind.collection, json=body, headers=alice.headers)
        assert issues(assert_problem(response, 422, "ValidationProblem")) == [expected], body
    assert (await listed(api, kind.collection, alice))["total"] == 0


@for_each_kind(("update", 200), ("update", 412))
async def test_two_concurrent_patches_with_the_same_if_match_one_wins(
    api: httpx.AsyncClient, alice: Account, kind: Kind
) -> None:
    url = f"{kind.collection}/{(await kind.create(api, alice))['id']}"
    for n in range(5):
        _, etag = await read(api, url, alice)
        headers = {**alice.headers, "If-Match": etag}
        bodies = [{"title": f"left {n}", **ALSO_CHANGED[kind.schema]}, {"title": f"right {n}"}]
        responses = await concurrently(*(api.patch(url, json=b, headers=headers) for b in bodies))
        assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
        [(winner, body)] = [
            (r, b) for r, b in zip(responses, bodies, strict=True) if r.status_code == 200
        ]
        [loser] = [r for r in responses if r.status_code == 412]
        assert_problem(loser, 412)
        current, current_etag = await read(api, url, alice)
        assert current["title"] == body["title"]
        assert current_etag == winner.headers["etag"] != etag

"""The `posts` tag: drafts, publishing, unique slugs and safe concurrent edits, on both databases.

Every operation and the status codes the contract lists for it that depend on what posts are
(401/413/415/500 and malformed bodies are test_statuses' job). A published post is public; a
draft exists only for its author and superusers, and to anyone else reads, changes and deletes
of it are 404s exactly like a missing post's.
"""

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.posts.tables import posts
from tests.support import owned
from tests.support.accounts import Account
from tests.support.contract import assert_matches, assert_problem
from tests.support.pages import PAGE_REFUSALS, by_id, ids, joined, listed, meta
from tests.support.problems import without_request
from tests.support.resources import (
    POSTS,
    concurrently,
    create_post,
    headers_of,
    post_url,
    random_id,
    read,
    set_created_at,
    slug_url,
)
from tests.support.timestamps import instant

pytestmark = pytest.mark.anyio

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


async def patch(
    api: httpx.AsyncClient, post: dict[str, Any], account: Account, **body: Any
) -> dict[str, Any]:
    """PATCH a post (200); the updated post, checked against the contract."""
    response = await api.patch(post_url(post["id"]), json=body, headers=account.headers)
    assert response.status_code == 200, response.text
    updated: dict[str, Any] = response.json()
    assert_matches(updated, "Post")
    return updated


# createPost, getPost, getPostBySlug


@pytest.mark.covers("createPost", 201)
@pytest.mark.covers("getPost", 200)
@pytest.mark.covers("getPostBySlug", 200)
async def test_create_post_makes_a_draft_with_a_slug(
    api: httpx.AsyncClient, alice: Account
) -> None:
    body = {"title": "My First Post", "content": "Hello.", "excerpt": "Hi."}
    post = await create_post(api, alice, **body)
    assert {k: post[k] for k in body} == body
    assert post["slug"] == "my-first-post"
    assert (post["published"], post["published_at"]) == (False, None)
    assert post["author_id"] == alice.id
    assert post["created_at"] == post["updated_at"]
    # Its author reads it (a draft) by id and by slug alike.
    by_id_ = await read(api, post_url(post["id"]), alice)
    assert by_id_[0] == post
    by_slug = await api.get(slug_url(post["slug"]), headers=alice.headers)
    assert by_slug.status_code == 200, by_slug.text
    assert_matches(by_slug.json(), "Post")
    assert (by_slug.json(), by_slug.headers["etag"]) == by_id_

    bare = await create_post(api, alice, title="Bare")
    assert (bare["excerpt"], bare["published"], bare["published_at"]) == (None, False, None)


@pytest.mark.covers("createPost", 201)
@pytest.mark.covers("getPost", 200)
@pytest.mark.covers("getPostBySlug", 200)
async def test_a_post_created_published_is_public_at_once(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    post = await create_post(api, alice, title="Out now", published=True)
    assert post["published"] is True
    assert post["published_at"] is not None
    assert instant(post["published_at"]) == instant(post["created_at"])
    for account in (None, bob, alice):
        assert (await read(api, post_url(post["id"]), account))[0] == post
        assert (await read(api, slug_url(post["slug"]), account))[0] == post


@pytest.mark.covers("getPost", 404)
@pytest.mark.covers("getPostBySlug", 404)
async def test_unknown_posts_are_404(api: httpx.AsyncClient, alice: Account) -> None:
    await create_post(api, alice, title="Exists", published=True)
    for headers in ({}, alice.headers):
        missing = post_url(random_id())
        problem = assert_problem(await api.get(missing, headers=headers), 404)
        assert (problem["type"], problem["instance"]) == ("urn:problem-type:not-found", missing)
        for slug in ("no-such-post", "exists-2", "exist"):
            problem = assert_problem(await api.get(slug_url(slug), headers=headers), 404)
            assert problem["type"] == "urn:problem-type:not-found"


@pytest.mark.covers("getPostBySlug", 422)
@pytest.mark.covers("getPost", 422)
async def test_a_malformed_slug_or_id_is_422(api: httpx.AsyncClient, alice: Account) -> None:
    await create_post(api, alice, title="Upper case", published=True)
    cases = [
        (slug_url("Upper-Case"), "path.slug"),  # slugs are lower-case: no case folding
        (slug_url("double--hyphen"), "path.slug"),
        (slug_url("-leading"), "path.slug"),
        (slug_url("trailing-"), "path.slug"),
        (slug_url("under_score"), "path.slug"),
        (slug_url("s" * 221), "path.slug"),
        (post_url("not-a-uuid"), "path.post_id"),
    ]
    for url, location in cases:
        for account in (None, alice):
            response = await api.get(url, headers=headers_of(account))
            problem = assert_problem(response, 422, "ValidationProblem")
            assert [e["location"] for e in problem["errors"]] == [location], url


# Slugs


@pytest.mark.covers("createPost", 201)
async def test_the_slug_is_lowercase_ascii_words_joined_by_hyphens(
    api: httpx.AsyncClient, alice: Account
) -> None:
    cases = [
        ("Héllo, Wörld!", "hello-world"),
        ("!!!", "post"),
        ("日本語", "post-2"),  # nothing ASCII either: "post", which is taken by now
        ("  Trailing -- and -- leading  ", "trailing-and-leading"),
        ("UPPER case 123", "upper-case-123"),
        ("C'est déjà l'été", "c-est-deja-l-ete"),
        ("a_b%c", "a-b-c"),
    ]
    for title, slug in cases:
        post = await create_post(api, alice, title=title)
        assert (post["slug"], post["title"]) == (slug, title)
        assert SLUG.fullmatch(slug)
        assert (await read(api, slug_url(slug), alice))[0] == post


@pytest.mark.covers("createPost", 201)
async def test_a_long_title_makes_a_slug_within_the_limit(
    api: httpx.AsyncClient, alice: Account
) -> None:
    words = await create_post(api, alice, title=("word " * 40).strip())  # 199 characters
    assert words["slug"] == "-".join(["word"] * 40)
    longer = await create_post(api, alice, title=" ".join(["abcdefghi"] * 20))  # 199
    assert longer["slug"] == "-".join(["abcdefghi"] * 20)
    one_word = await create_post(api, alice, title="x" * 200)
    assert one_word["slug"] == "x" * 200
    again = await create_post(api, alice, title="x" * 200)
    assert again["slug"] == "x" * 200 + "-2"
    for post in (words, longer, one_word, again):
        assert SLUG.fullmatch(post["slug"])
        assert len(post["slug"]) <= 220
        assert (await read(api, slug_url(post["slug"]), alice))[0]["id"] == post["id"]


@pytest.mark.covers("createPost", 201)
async def test_taken_slugs_get_a_number(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    first = await create_post(api, alice, title="Same Title")
    second = await create_post(api, bob, title="same title")
    third = await create_post(api, alice, title="Same, title!", published=True)
    assert [p["slug"] for p in (first, second, third)] == [
        "same-title",
        "same-title-2",
        "same-title-3",
    ]
    # A title whose own slug is a numbered one is numbered in turn.
    assert (await create_post(api, alice, title="Same title 2"))["slug"] == "same-title-2-2"
    # A prefix is another slug.
    assert (await create_post(api, alice, title="Same"))["slug"] == "same"
    # Drafts hold their slug too, even against another author.
    assert (await create_post(api, bob, title="Same title"))["slug"] == "same-title-4"


@pytest.mark.covers("createPost", 201)
async def test_twenty_concurrent_creates_with_one_title_get_twenty_slugs(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    authors = [alice, bob] * 10
    responses = await concurrently(
        *(
            api.post(
                POSTS,
                json={"title": "Breaking News!", "content": f"take {n}", "published": True},
                headers=author.headers,
            )
            for n, author in enumerate(authors)
        )
    )
    assert [r.status_code for r in responses] == [201] * 20, [
        r.text for r in responses if r.status_code != 201
    ]
    slugs = [r.json()["slug"] for r in responses]
    assert sorted(slugs) == sorted(["breaking-news"] + [f"breaking-news-{n}" for n in range(2, 21)])
    # Each slug leads to its own post.
    for response in responses:
        post = response.json()
        assert (await read(api, slug_url(post["slug"])))[0] == post
    assert (await listed(api, POSTS, size=100))["total"] == 20


@pytest.mark.covers("updatePost", 200)
@pytest.mark.covers("getPostBySlug", 200)
async def test_the_slug_stays_when_the_title_changes(
    api: httpx.AsyncClient, alice: Account
) -> None:
    post = await create_post(api, alice, title="Original title", published=True)
    renamed = await patch(api, post, alice, title="A completely different title")
    assert renamed["slug"] == "original-title"
    assert renamed["title"] == "A completely different title"
    assert (await read(api, slug_url("original-title")))[0] == renamed
    assert_problem(await api.get(slug_url("a-completely-different-title")), 404)
    # The old title's slug is still taken; the new title's is free.
    assert (await create_post(api, alice, title="Original title"))["slug"] == "original-title-2"
    assert (await create_post(api, alice, title="A completely different title"))[
        "slug"
    ] == "a-completely-different-title"


# Publishing


@pytest.mark.covers("updatePost", 200)
async def test_publishing_sets_published_at_once_and_unpublishing_clears_it(
    api: httpx.AsyncClient, alice: Account
) -> None:
    draft = await create_post(api, alice)
    assert draft["published_at"] is None

    still_draft = await patch(api, draft, alice, published=False)
    assert (still_draft["published"], still_draft["published_at"]) == (False, None)

    published = await patch(api, draft, alice, published=True)
    assert published["published"] is True
    assert published["published_at"] is not None
    first_published = instant(published["published_at"])
    assert first_published >= instant(draft["created_at"])
    assert first_published == instant(published["updated_at"])

    # Publishing again, or changing something else, keeps the first publication time.
    again = await patch(api, draft, alice, published=True)
    assert instant(again["published_at"]) == first_published
    assert instant(again["updated_at"]) > first_published
    edited = await patch(api, draft, alice, content="Edited.")
    assert (edited["published"], instant(edited["published_at"])) == (True, first_published)
    assert (await read(api, post_url(draft["id"])))[0] == edited

    unpublished = await patch(api, draft, alice, published=False)
    assert (unpublished["published"], unpublished["published_at"]) == (False, None)
    assert (await read(api, post_url(draft["id"]), alice))[0] == unpublished
    assert_problem(await api.get(post_url(draft["id"])), 404)  # a draft again

    republished = await patch(api, draft, alice, published=True)
    assert republished["published"] is True
    assert instant(republished["published_at"]) > first_published
    assert instant(republished["published_at"]) == instant(republished["updated_at"])
    assert (await read(api, post_url(draft["id"])))[0] == republished


# updatePost


@pytest.mark.covers("updatePost", 200)
async def test_update_post_changes_what_is_sent_and_keeps_the_rest(
    api: httpx.AsyncClient, alice: Account
) -> None:
    post = await create_post(api, alice, title="T", content="C", excerpt="E")
    first = await patch(api, post, alice, content="C2")
    assert {k: first[k] for k in ("title", "content", "excerpt", "slug")} == {
        "title": "T",
        "content": "C2",
        "excerpt": "E",
        "slug": "t",
    }
    assert (first["id"], first["author_id"], first["created_at"]) == (
        post["id"],
        alice.id,
        post["created_at"],
    )
    assert instant(first["updated_at"]) > instant(post["updated_at"])
    cleared = await patch(api, post, alice, excerpt=None)
    assert (cleared["excerpt"], cleared["content"]) == (None, "C2")
    assert (await read(api, post_url(post["id"]), alice))[0] == cleared
    longest = await patch(api, post, alice, content="c" * 50000, excerpt="e" * 500)
    assert (len(longest["content"]), len(longest["excerpt"])) == (50000, 500)


@pytest.mark.covers("updatePost", 422)
async def test_null_for_a_field_that_cannot_be_null_is_refused(
    api: httpx.AsyncClient, alice: Account
) -> None:
    post = await create_post(api, alice, excerpt="Kept.", published=True)
    fields = ("title", "content", "published")
    await owned.assert_nulls_refused(api, post_url(post["id"]), alice, fields, excerpt=None)


@pytest.mark.covers("updatePost", 422)
async def test_update_post_refuses_what_the_contract_forbids(
    api: httpx.AsyncClient, alice: Account
) -> None:
    post = await create_post(api, alice, published=True)
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"title": ""}, ("#/title", "string_too_short")),
        ({"title": "t" * 201}, ("#/title", "string_too_long")),
        ({"content": ""}, ("#/content", "string_too_short")),
        ({"content": "c" * 50001}, ("#/content", "string_too_long")),
        ({"excerpt": "e" * 501}, ("#/excerpt", "string_too_long")),
        ({"published": 1}, ("#/published", "bool_type")),
        ({"published": "false"}, ("#/published", "bool_type")),
        ({"slug": "chosen"}, ("#/slug", "extra_forbidden")),
        ({"author_id": random_id()}, ("#/author_id", "extra_forbidden")),
        ({"published_at": None}, ("#/published_at", "extra_forbidden")),
    ]
    await owned.assert_refused(api, post_url(post["id"]), alice, cases)


@pytest.mark.covers("updatePost", 200, 412)
async def test_if_match_guards_post_updates(api: httpx.AsyncClient, alice: Account) -> None:
    post = await create_post(api, alice, title="T", published=True)
    url = post_url(post["id"])
    body, etag = await read(api, url)
    seen = [etag]

    for header in ('W/"1"', '"999"', "garbage", f"W/{etag}"):
        response = await owned.patch_if_match(api, url, alice, header, {"published": False})
        problem = assert_problem(response, 412)
        assert problem["type"] == "urn:problem-type:precondition-failed"
        assert await read(api, url) == (body, etag)

    applies: list[str | None] = ["{etag}", "*", None, '"5", {etag}']
    for template in applies:
        headers = dict(alice.headers)
        if template is not None:
            headers["If-Match"] = template.format(etag=seen[-1])
        response = await api.patch(url, json={"content": f"v{len(seen)}"}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] not in seen
        seen.append(response.headers["etag"])
        assert await read(api, url) == (response.json(), seen[-1])

    stale = await owned.patch_if_match(api, url, alice, etag, {"title": "lost"})
    assert_problem(stale, 412)
    assert (await read(api, url))[1] == seen[-1]
    assert (await read(api, url))[0]["title"] == "T"


# Drafts and ownership: another user's draft is a missing post


@pytest.mark.covers("getPost", 200, 404)
@pytest.mark.covers("getPostBySlug", 200, 404)
async def test_a_draft_is_visible_only_to_its_author_and_superusers(
    api: httpx.AsyncClient, admin: Account, alice: Account, bob: Account
) -> None:
    draft = await create_post(api, alice, title="Secret plans")
    missing_by_id = assert_problem(await api.get(post_url(random_id())), 404)
    missing_by_slug = assert_problem(await api.get(slug_url("no-such-slug")), 404)

    for account in (None, bob):
        by_id_ = await api.get(post_url(draft["id"]), headers=headers_of(account))
        assert without_request(assert_problem(by_id_, 404)) == without_request(missing_by_id)
        assert "Secret" not in by_id_.text
        by_slug = await api.get(slug_url(draft["slug"]), headers=headers_of(account))
        assert without_request(assert_problem(by_slug, 404)) == without_request(missing_by_slug)
        assert "etag" not in by_id_.headers
        assert "etag" not in by_slug.headers

    for account in (alice, admin):
        assert (await read(api, post_url(draft["id"]), account))[0] == draft
        assert (await read(api, slug_url(draft["slug"]), account))[0] == draft

    # Once published, everyone sees it.
    published = await patch(api, draft, alice, published=True)
    for account in (None, bob):
        assert (await read(api, post_url(draft["id"]), account))[0] == published
        assert (await read(api, slug_url(draft["slug"]), account))[0] == published


@pytest.mark.covers("updatePost", 404)
@pytest.mark.covers("deletePost", 404)
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
async def test_another_users_post_cannot_be_changed_and_looks_missing(
    api: httpx.AsyncClient, alice: Account, bob: Account, published: bool
) -> None:
    post = await create_post(api, alice, title="Alice's", excerpt="Hers.", published=published)
    change = {"title": "Bob's", "published": not published}
    await owned.assert_strangers_change_nothing(api, post_url(post["id"]), alice, bob, change)
    assert ids(await listed(api, POSTS, alice)) == [post["id"]]


@pytest.mark.covers("updatePost", 200)
@pytest.mark.covers("deletePost", 204)
async def test_a_superuser_may_change_and_delete_anyones_post(
    api: httpx.AsyncClient, admin: Account, alice: Account
) -> None:
    draft = await create_post(api, alice, title="Alice's draft")
    url = post_url(draft["id"])
    _, etag = await read(api, url, alice)
    response = await owned.patch_if_match(
        api, url, admin, etag, {"title": "Moderated", "published": True}
    )
    assert response.status_code == 200, response.text
    moderated = response.json()
    assert (moderated["title"], moderated["published"]) == ("Moderated", True)
    assert moderated["published_at"] is not None
    assert (moderated["author_id"], moderated["slug"]) == (alice.id, draft["slug"])
    assert (await read(api, url))[0] == moderated

    await owned.assert_stale_then_deleted(api, url, admin, etag)
    assert_problem(await api.get(url, headers=alice.headers), 404)
    assert_problem(await api.get(slug_url(draft["slug"]), headers=alice.headers), 404)

    # A superuser's reach covers drafts it cannot list: delete one it never saw.
    other = await create_post(api, alice, title="Another draft")
    await owned.delete(api, post_url(other["id"]), admin)
    assert ids(await listed(api, POSTS, alice)) == []


@pytest.mark.covers("deletePost", 204, 404)
async def test_the_author_deletes_a_post_once(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    post = await create_post(api, alice, title="Gone soon", published=True)
    kept = await create_post(api, alice, title="Kept")
    bobs = await create_post(api, bob, title="Bob's", published=True)
    await owned.delete(api, post_url(post["id"]), alice)
    assert_problem(await api.get(post_url(post["id"]), headers=alice.headers), 404)
    assert_problem(await api.get(slug_url(post["slug"]), headers=alice.headers), 404)
    assert set(ids(await listed(api, POSTS, alice))) == {kept["id"], bobs["id"]}
    # Its slug is free again.
    assert (await create_post(api, bob, title="Gone soon"))["slug"] == "gone-soon"


# listPosts


@pytest.mark.covers("listPosts", 200)
async def test_lists_show_published_posts_and_only_your_own_drafts(
    api: httpx.AsyncClient, admin: Account, alice: Account, bob: Account
) -> None:
    alice_published = await create_post(api, alice, title="Alice news", published=True)
    alice_draft = await create_post(api, alice, title="Alice news draft")
    bob_published = await create_post(api, bob, title="Bob news", published=True)
    bob_draft = await create_post(api, bob, title="Bob news draft")
    public = {alice_published["id"], bob_published["id"]}

    async def seen(account: Account | None, **params: Any) -> set[str]:
        page = await listed(api, POSTS, account, size=100, **params)
        assert page["total"] == len(page["items"])
        return set(ids(page))

    assert await seen(None) == public
    assert await seen(alice) == public | {alice_draft["id"]}
    assert await seen(bob) == public | {bob_draft["id"]}
    assert await seen(admin) == public  # lists show a superuser's own drafts only

    # Filters never widen what a caller sees.
    assert await seen(bob, author_id=alice.id) == {alice_published["id"]}
    assert await seen(None, author_id=alice.id) == {alice_published["id"]}
    assert await seen(alice, author_id=alice.id) == {alice_published["id"], alice_draft["id"]}
    assert await seen(bob, q="draft") == {bob_draft["id"]}
    assert await seen(bob, q="Alice news draft") == set()
    assert await seen(bob, q="alice", author_id=alice.id) == {alice_published["id"]}
    assert await seen(None, q="draft") == set()
    assert await seen(alice, q="DRAFT") == {alice_draft["id"]}
    assert await seen(alice, author_id=random_id()) == set()

    # Unpublishing takes a post out of everyone's list but its author's.
    await patch(api, alice_published, alice, published=False)
    assert await seen(None) == {bob_published["id"]}
    assert await seen(bob) == {bob_published["id"], bob_draft["id"]}
    assert await seen(alice) == {alice_published["id"], alice_draft["id"], bob_published["id"]}


@pytest.mark.covers("listPosts", 200)
async def test_list_posts_is_newest_first_with_ties_broken_by_id_and_pages_add_up(
    api: httpx.AsyncClient, app: FastAPI, alice: Account
) -> None:
    empty = await listed(api, POSTS)
    assert (empty["items"], meta(empty)) == ([], (0, 1, 20, 0))

    tied = [(await create_post(api, alice, title=f"t{n}", published=True))["id"] for n in range(5)]
    newest = await create_post(api, alice, title="newest", published=True)
    draft = await create_post(api, alice, title="draft")  # counted for alice only
    await set_created_at(app, posts, tied, datetime(2030, 1, 1, tzinfo=UTC))
    await set_created_at(app, posts, [newest["id"]], datetime(2040, 1, 1, tzinfo=UTC))
    await set_created_at(app, posts, [draft["id"]], datetime(2020, 1, 1, tzinfo=UTC))

    public = [newest["id"], *reversed(by_id(tied))]
    everything = await listed(api, POSTS)
    assert ids(everything) == public
    assert meta(everything) == (6, 1, 20, 1)
    assert ids(await listed(api, POSTS, alice)) == [*public, draft["id"]]

    pages = [await listed(api, POSTS, page=n, size=4) for n in (1, 2, 3)]
    assert [meta(p) for p in pages] == [(6, 1, 4, 2), (6, 2, 4, 2), (6, 3, 4, 2)]
    assert [ids(p) for p in pages] == [public[:4], public[4:], []]
    mine = [await listed(api, POSTS, alice, page=n, size=3) for n in (1, 2, 3)]
    assert [meta(p) for p in mine] == [(7, 1, 3, 3), (7, 2, 3, 3), (7, 3, 3, 3)]
    assert joined(ids(p) for p in mine) == [*public, draft["id"]]


@pytest.mark.covers("listPosts", 200)
async def test_list_posts_q_ignores_case_and_takes_wildcards_literally(
    api: httpx.AsyncClient, alice: Account
) -> None:
    titles = ("100% true", "1000 true", "snake_case", "snakeXcase", "Shouting LOUD", "ÜBER ÄRGER")
    for title in titles:
        await create_post(api, alice, title=title, published=True)

    async def found(q: str) -> set[str]:
        return {p["title"] for p in (await listed(api, POSTS, q=q))["items"]}

    assert await found("%") == {"100% true"}
    assert await found("0%") == {"100% true"}
    assert await found("_") == {"snake_case"}
    assert await found("e_c") == {"snake_case"}
    assert await found("loud") == {"Shouting LOUD"}
    assert await found("sHoUtInG") == {"Shouting LOUD"}
    assert await found("true") == {"100% true", "1000 true"}
    assert await found("' OR 1=1 --") == set()
    assert await found("ÜBER ÄRGER") == {"ÜBER ÄRGER"}
    assert await found("R Ä") == {"ÜBER ÄRGER"}


@pytest.mark.covers("listPosts", 422)
async def test_list_posts_refuses_bad_parameters(api: httpx.AsyncClient, alice: Account) -> None:
    await create_post(api, alice, published=True)
    cases = [*PAGE_REFUSALS, ({"author_id": "me"}, ("query.author_id", "uuid_parsing"))]
    await owned.assert_list_refuses(api, POSTS, cases, None, alice)


@pytest.mark.covers("listPosts", 200)
async def test_list_posts_accepts_parameters_at_their_limits(
    api: httpx.AsyncClient, alice: Account
) -> None:
    made = await create_post(api, alice, title="q" * 200, published=True)
    for params, expected in (
        ({"page": 10000}, []),
        ({"size": 100}, [made["id"]]),
        ({"size": 1}, [made["id"]]),
        ({"q": "Q" * 200}, [made["id"]]),
    ):
        page = await listed(api, POSTS, **params)
        assert (ids(page), page["total"]) == (expected, 1), params

"""The `items` tag (and `listUserItems`): owned, priced things, on both databases.

Every operation and the status codes the contract lists for it that depend on what items are
(401/413/415/500 and malformed bodies are test_statuses' job). Items are public to read;
only the owner or a superuser may change or delete one, and to anyone else a change is a 404
exactly like a missing item's.
"""

import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.items.tables import items
from tests.support import owned
from tests.support.accounts import ME, Account
from tests.support.contract import assert_matches, assert_problem
from tests.support.pages import PAGE_REFUSALS, by_id, ids, joined, listed, meta
from tests.support.problems import issues
from tests.support.resources import (
    ITEMS,
    POSTS,
    STRONG_ETAG,
    create_item,
    create_post,
    item_url,
    post_url,
    random_id,
    read,
    set_created_at,
    user_items_url,
)
from tests.support.timestamps import instant

pytestmark = pytest.mark.anyio

JSON = {"Content-Type": "application/json"}


async def item_with_etag(api: httpx.AsyncClient, owner: Account, **fields: Any) -> tuple[str, str]:
    """A new item of `owner`'s: its URL and its ETag."""
    item = await create_item(api, owner, **fields)
    url = item_url(item["id"])
    _, etag = await read(api, url)
    return url, etag


# createItem and getItem


@pytest.mark.covers("createItem", 201)
@pytest.mark.covers("getItem", 200)
async def test_create_item_stores_what_is_sent_for_the_caller(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(
        api, alice, title="A reading lamp", description="Brass, works.", price="12.5"
    )
    # Anyone may read it (items are public): the same item at its URL.
    assert (await read(api, item_url(item["id"])))[0] == item
    assert item["title"] == "A reading lamp"
    assert item["description"] == "Brass, works."
    assert item["price"] == "12.50"
    assert item["owner_id"] == alice.id
    assert item["created_at"] == item["updated_at"]
    assert (await api.get(item_url(item["id"]), headers=alice.headers)).json() == item

    # Without a description, it is null.
    bare = await create_item(api, alice, title="Bare", price="1")
    assert bare["description"] is None
    assert bare["id"] != item["id"]


@pytest.mark.covers("getItem", 404)
async def test_get_item_404_for_an_unknown_id(api: httpx.AsyncClient, alice: Account) -> None:
    await create_item(api, alice)
    missing = random_id()
    for headers in ({}, alice.headers):
        problem = assert_problem(await api.get(item_url(missing), headers=headers), 404)
        assert problem["type"] == "urn:problem-type:not-found"
        assert problem["instance"] == item_url(missing)


@pytest.mark.covers("createItem", 201)
async def test_titles_at_the_limits_are_accepted(api: httpx.AsyncClient, alice: Account) -> None:
    longest = await create_item(api, alice, title="t" * 200, description="d" * 2000)
    assert (longest["title"], longest["description"]) == ("t" * 200, "d" * 2000)
    assert (await create_item(api, alice, title="t"))["title"] == "t"


# Money


ROUND_TRIPS = [
    ("0.10", "0.10"),
    ("99999999.99", "99999999.99"),
    ("9.9", "9.90"),
    ("10", "10.00"),
    ("0", "0.00"),
    ("0.01", "0.01"),
    ("0.29", "0.29"),  # 0.29 * 100 is 28.999999999999996 in binary floating point
    ("1000000", "1000000.00"),  # not "1E+6"
    ("12345678.9", "12345678.90"),
]


@pytest.mark.covers("createItem", 201)
@pytest.mark.covers("getItem", 200)
@pytest.mark.covers("updateItem", 200)
@pytest.mark.covers("listItems", 200)
async def test_price_round_trips_exactly(api: httpx.AsyncClient, alice: Account) -> None:
    for sent, stored in ROUND_TRIPS:
        created = await create_item(api, alice, title=f"created at {sent}", price=sent)
        assert created["price"] == stored, sent
        fetched = (await read(api, item_url(created["id"])))[0]
        assert fetched["price"] == stored, sent  # read back from the database, not echoed

        changed = await create_item(api, alice, title=f"changed to {sent}", price="5")
        response = await api.patch(
            item_url(changed["id"]), json={"price": sent}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["price"] == stored, sent
        assert (await read(api, item_url(changed["id"])))[0]["price"] == stored, sent

    page = await listed(api, ITEMS, size=100)
    prices = {item["title"]: item["price"] for item in page["items"]}
    assert prices == {
        f"{how} {sent}": stored
        for sent, stored in ROUND_TRIPS
        for how in ("created at", "changed to")
    }


REFUSED_PRICES = [
    '"1.234"',  # three decimals
    '"-1"',
    "1e3",  # a JSON number, with an exponent
    "10",  # a JSON integer
    "9.9",  # a JSON float
    '"1e3"',
    '"100000000"',  # too big
    '"100000000.00"',
    '"01"',
    '"1."',
    '".5"',
    '" 1"',
    '"1,00"',
    '"NaN"',
    '"Infinity"',
    '""',
    "null",
    "true",
    '["1"]',
]


@pytest.mark.covers("createItem", 422)
@pytest.mark.covers("updateItem", 422)
async def test_price_refuses_anything_but_a_plain_decimal_string(
    api: httpx.AsyncClient, alice: Account
) -> None:
    headers = {**alice.headers, **JSON}
    item = await create_item(api, alice, price="7.00")
    before = await read(api, item_url(item["id"]))
    for price in REFUSED_PRICES:
        created = await api.post(
            ITEMS, content=f'{{"title": "t", "price": {price}}}'.encode(), headers=headers
        )
        problem = assert_problem(created, 422, "ValidationProblem")
        assert [e["pointer"] for e in problem["errors"]] == ["#/price"], price

        updated = await api.patch(
            item_url(item["id"]), content=f'{{"price": {price}}}'.encode(), headers=headers
        )
        problem = assert_problem(updated, 422, "ValidationProblem")
        assert [e["pointer"] for e in problem["errors"]] == ["#/price"], price
    assert ids(await listed(api, ITEMS)) == [item["id"]]
    assert await read(api, item_url(item["id"])) == before


@pytest.mark.covers("listItems", 200)
async def test_sort_by_price_is_numeric_with_ties_broken_by_id(
    api: httpx.AsyncClient, alice: Account
) -> None:
    prices = ["10.00", "9.90", "100", "9.9", "0.10", "99999999.99", "2", "10"]
    created = [await create_item(api, alice, title=f"item {p}", price=p) for p in prices]
    expected = sorted(created, key=lambda i: (Decimal(i["price"]), uuid.UUID(i["id"])))

    ascending = await listed(api, ITEMS, sort="price")
    assert ids(ascending) == [i["id"] for i in expected]
    assert [i["price"] for i in ascending["items"]] == [
        "0.10",
        "2.00",
        "9.90",
        "9.90",
        "10.00",
        "10.00",
        "100.00",
        "99999999.99",
    ]
    descending = await listed(api, ITEMS, sort="-price")
    assert ids(descending) == [i["id"] for i in reversed(expected)]

    # Paging through a sort with ties neither repeats nor skips an item.
    paged = [ids(await listed(api, ITEMS, sort="price", size=3, page=page)) for page in (1, 2, 3)]
    assert joined(paged) == ids(ascending)


# listItems


@pytest.mark.covers("listItems", 200)
async def test_list_items_is_newest_first_with_ties_broken_by_id(
    api: httpx.AsyncClient, app: FastAPI, alice: Account
) -> None:
    first = [await create_item(api, alice, title=f"tied {n}") for n in range(6)]
    newest = await create_item(api, alice, title="newest")
    oldest = await create_item(api, alice, title="oldest")
    tied = [i["id"] for i in first]
    await set_created_at(app, items, tied, datetime(2030, 1, 1, tzinfo=UTC))
    await set_created_at(app, items, [oldest["id"]], datetime(2020, 1, 1, tzinfo=UTC))
    await set_created_at(app, items, [newest["id"]], datetime(2040, 1, 1, tzinfo=UTC))

    default = await listed(api, ITEMS)
    assert ids(default) == [newest["id"], *reversed(by_id(tied)), oldest["id"]]
    assert ids(await listed(api, ITEMS, sort="-created_at")) == ids(default)
    ascending = await listed(api, ITEMS, sort="created_at")
    assert ids(ascending) == [oldest["id"], *by_id(tied), newest["id"]]

    # Pages of two walk the same order: no item twice, none left out.
    pages = [ids(await listed(api, ITEMS, size=2, page=n)) for n in (1, 2, 3, 4)]
    assert joined(pages) == ids(default)
    pages = [ids(await listed(api, ITEMS, sort="created_at", size=3, page=n)) for n in (1, 2, 3)]
    assert joined(pages) == ids(ascending)


@pytest.mark.covers("listItems", 200)
async def test_list_items_pages_add_up(api: httpx.AsyncClient, alice: Account) -> None:
    empty = await listed(api, ITEMS)
    assert empty["items"] == []
    assert meta(empty) == (0, 1, 20, 0)

    made = [await create_item(api, alice, title=f"item {n}") for n in range(5)]
    everything = await listed(api, ITEMS)
    assert meta(everything) == (5, 1, 20, 1)
    assert set(ids(everything)) == {i["id"] for i in made}
    assert everything["items"] == sorted(
        everything["items"], key=lambda i: (i["created_at"], uuid.UUID(i["id"])), reverse=True
    )

    cases = [
        # (page, size) -> (items on the page, total, pages)
        ((1, 2), (2, 5, 3)),
        ((2, 2), (2, 5, 3)),
        ((3, 2), (1, 5, 3)),
        ((4, 2), (0, 5, 3)),  # past the end: empty, but the counts still hold
        ((10000, 100), (0, 5, 1)),
        ((1, 5), (5, 5, 1)),
        ((1, 1), (1, 5, 5)),
        ((5, 1), (1, 5, 5)),
        ((1, 4), (4, 5, 2)),
        ((2, 4), (1, 5, 2)),
    ]
    for (page, size), (count, total, pages) in cases:
        body = await listed(api, ITEMS, page=page, size=size)
        assert (len(body["items"]), body["total"], body["pages"]) == (count, total, pages), (
            page,
            size,
        )
        assert (body["page"], body["size"]) == (page, size)
        assert ids(body) == ids(everything)[(page - 1) * size : page * size]


@pytest.mark.covers("listItems", 200)
async def test_q_matches_titles_ignoring_case_and_wildcards_literally(
    api: httpx.AsyncClient, alice: Account
) -> None:
    titles = [
        "100% off",
        "1000 off",
        "a_b",
        "axb",
        "Big SALE today",
        r"back\slash",
        "backslash",
        "either/or",
        "it's quoted",
        "CAFÉ CRÈME",
        "Straße",
    ]
    for title in titles:
        await create_item(api, alice, title=title)

    async def found(q: str) -> set[str]:
        page = await listed(api, ITEMS, q=q, size=100)
        assert page["total"] == len(page["items"])
        return {item["title"] for item in page["items"]}

    assert await found("%") == {"100% off"}
    assert await found("0%") == {"100% off"}
    assert await found("0 off") == {"1000 off"}
    assert await found("off") == {"100% off", "1000 off"}
    assert await found("_") == {"a_b"}
    assert await found("a_b") == {"a_b"}
    assert await found("sale") == {"Big SALE today"}
    assert await found("SaLe ToDaY") == {"Big SALE today"}
    assert await found("BIG") == {"Big SALE today"}
    assert await found("\\") == {r"back\slash"}
    assert await found(r"k\s") == {r"back\slash"}
    assert await found("/") == {"either/or"}  # the LIKE escape character is literal too
    assert await found("r/o") == {"either/or"}
    assert await found("//") == set()
    assert await found("'") == {"it's quoted"}
    assert await found("' OR '1'='1") == set()
    assert await found("%' OR 1=1 --") == set()
    assert await found("nothing like it") == set()
    assert await found("t" * 200) == set()  # the longest q allowed
    # Any text finds itself, whatever the database knows of case beyond ASCII.
    assert await found("CAFÉ CRÈME") == {"CAFÉ CRÈME"}
    assert await found("É C") == {"CAFÉ CRÈME"}
    assert await found("cafÉ crÈme") == {"CAFÉ CRÈME"}  # ASCII letters fold everywhere
    assert await found("Straße") == {"Straße"}
    assert await found("STRAßE") == {"Straße"}


@pytest.mark.covers("listItems", 200)
async def test_owner_id_filters_and_combines_with_q_and_sort(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    alices = [
        await create_item(api, alice, title="Red chair", price="30"),
        await create_item(api, alice, title="Blue chair", price="20"),
        await create_item(api, alice, title="Table", price="10"),
    ]
    bobs = [await create_item(api, bob, title="Green chair", price="5")]

    page = await listed(api, ITEMS, owner_id=alice.id)
    assert set(ids(page)) == {i["id"] for i in alices}
    assert {i["owner_id"] for i in page["items"]} == {alice.id}
    assert page["total"] == 3
    assert ids(await listed(api, ITEMS, owner_id=bob.id)) == [bobs[0]["id"]]
    assert ids(await listed(api, ITEMS, owner_id=alice.id, q="CHAIR", sort="price")) == [
        alices[1]["id"],
        alices[0]["id"],
    ]
    assert ids(await listed(api, ITEMS, q="chair", sort="price")) == [
        bobs[0]["id"],
        alices[1]["id"],
        alices[0]["id"],
    ]
    nobody = await listed(api, ITEMS, owner_id=random_id())
    assert (nobody["items"], meta(nobody)) == ([], (0, 1, 20, 0))


LIST_REFUSALS: list[tuple[dict[str, str], tuple[str, str]]] = [
    ({"sort": "foo"}, ("query.sort", "literal_error")),
    ({"sort": "PRICE"}, ("query.sort", "literal_error")),
    ({"sort": "title"}, ("query.sort", "literal_error")),
    *PAGE_REFUSALS,
    ({"owner_id": "me"}, ("query.owner_id", "uuid_parsing")),
]


@pytest.mark.covers("listItems", 422)
async def test_list_items_refuses_bad_parameters(api: httpx.AsyncClient, alice: Account) -> None:
    await create_item(api, alice)
    await owned.assert_list_refuses(api, ITEMS, LIST_REFUSALS, None)


@pytest.mark.covers("listItems", 200)
async def test_list_items_accepts_parameters_at_their_limits(
    api: httpx.AsyncClient, alice: Account
) -> None:
    made = await create_item(api, alice, title="q" * 200)
    cases: list[dict[str, Any]] = [
        {"page": 10000},
        {"size": 100},
        {"size": 1},
        {"q": "q" * 200},
        {"q": "Q"},
        *({"sort": s} for s in ("created_at", "-created_at", "price", "-price")),
    ]
    for params in cases:
        page = await listed(api, ITEMS, **params)
        expected = [] if params.get("page") == 10000 else [made["id"]]
        assert ids(page) == expected, params
        assert page["total"] == 1


# listUserItems


@pytest.mark.covers("listUserItems", 200)
async def test_list_user_items_shows_only_that_users_items(
    api: httpx.AsyncClient, app: FastAPI, alice: Account, bob: Account
) -> None:
    alices = [await create_item(api, alice, title=f"alice {n}") for n in range(3)]
    await create_item(api, bob, title="bob's")
    await set_created_at(app, items, [i["id"] for i in alices], datetime(2030, 1, 1, tzinfo=UTC))

    page = await listed(api, user_items_url(alice.id))
    assert meta(page) == (3, 1, 20, 1)
    assert ids(page) == list(reversed(by_id(i["id"] for i in alices)))  # ties: by id
    assert page["items"] == [(await read(api, item_url(i)))[0] for i in ids(page)]

    second = await listed(api, user_items_url(alice.id), page=2, size=2)
    assert meta(second) == (3, 2, 2, 2)
    assert ids(second) == ids(page)[2:]
    assert ids(await listed(api, user_items_url(bob.id))) != []


@pytest.mark.covers("listUserItems", 200)
async def test_list_user_items_is_an_empty_page_for_a_user_without_items(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    await create_item(api, bob)
    cases: list[dict[str, int]] = [{}, {"page": 3, "size": 7}]
    for params in cases:
        page = await listed(api, user_items_url(alice.id), None, **params)
        assert page["items"] == []
        assert (page["total"], page["pages"]) == (0, 0)
        assert (page["page"], page["size"]) == (params.get("page", 1), params.get("size", 20))


@pytest.mark.covers("listUserItems", 404)
async def test_list_user_items_404_for_an_unknown_user(
    api: httpx.AsyncClient, alice: Account
) -> None:
    await create_item(api, alice)
    missing = random_id()
    problem = assert_problem(await api.get(user_items_url(missing)), 404)
    assert problem["type"] == "urn:problem-type:not-found"
    assert problem["instance"] == user_items_url(missing)


@pytest.mark.covers("listUserItems", 422)
async def test_list_user_items_refuses_bad_parameters(
    api: httpx.AsyncClient, alice: Account
) -> None:
    await create_item(api, alice)
    mine = user_items_url(alice.id)
    cases: list[tuple[str, dict[str, str], tuple[str, str]]] = [
        (mine, {"page": "0"}, ("query.page", "greater_than_equal")),
        (mine, {"page": "10001"}, ("query.page", "less_than_equal")),
        (mine, {"size": "0"}, ("query.size", "greater_than_equal")),
        (mine, {"size": "101"}, ("query.size", "less_than_equal")),
        (user_items_url("nobody"), {}, ("path.user_id", "uuid_parsing")),
    ]
    for url, params, expected in cases:
        response = await api.get(url, params=params)
        assert issues(assert_problem(response, 422, "ValidationProblem")) == [expected], params


# updateItem


@pytest.mark.covers("updateItem", 200)
async def test_update_item_changes_what_is_sent_and_keeps_the_rest(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice, title="Old", description="Worn.", price="3")
    url = item_url(item["id"])

    response = await api.patch(url, json={"title": "New"}, headers=alice.headers)
    assert response.status_code == 200, response.text
    first = response.json()
    assert_matches(first, "Item")
    assert (first["title"], first["description"], first["price"]) == ("New", "Worn.", "3.00")
    assert (first["id"], first["owner_id"], first["created_at"]) == (
        item["id"],
        alice.id,
        item["created_at"],
    )
    assert instant(first["updated_at"]) > instant(item["updated_at"])
    assert (await read(api, url)) == (first, response.headers["etag"])

    # description: null clears it; an empty body changes nothing but the version and time.
    response = await api.patch(url, json={"description": None}, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["description"] is None
    assert response.json()["title"] == "New"
    response = await api.patch(url, json={}, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        **{k: v for k, v in first.items() if k != "updated_at"},
        "description": None,
    }
    assert (await read(api, url))[0] == response.json()


@pytest.mark.covers("updateItem", 422)
async def test_null_for_a_field_that_cannot_be_null_is_refused(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice, description="Kept.")
    await owned.assert_nulls_refused(
        api, item_url(item["id"]), alice, ("title", "price"), description="Changed?"
    )


@pytest.mark.covers("updateItem", 422)
async def test_update_item_refuses_what_the_contract_forbids(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice)
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        ({"title": ""}, ("#/title", "string_too_short")),
        ({"title": "t" * 201}, ("#/title", "string_too_long")),
        ({"description": "d" * 2001}, ("#/description", "string_too_long")),
        ({"description": 5}, ("#/description", "string_type")),
        ({"owner_id": str(uuid.uuid4())}, ("#/owner_id", "extra_forbidden")),
        ({"id": str(uuid.uuid4())}, ("#/id", "extra_forbidden")),
    ]
    await owned.assert_refused(api, item_url(item["id"]), alice, cases)


@pytest.mark.covers("updateItem", 422)
async def test_update_item_refuses_an_if_match_over_its_length_limit(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice)
    before = await read(api, item_url(item["id"]))
    response = await api.patch(
        item_url(item["id"]),
        json={"title": "x"},
        headers={**alice.headers, "If-Match": '"1",' * 300},
    )
    assert issues(assert_problem(response, 422, "ValidationProblem")) == [
        ("header.if-match", "string_too_long")
    ]
    assert await read(api, item_url(item["id"])) == before


# If-Match and ETags


@pytest.mark.covers("updateItem", 200)
async def test_the_etag_changes_on_every_update(api: httpx.AsyncClient, alice: Account) -> None:
    item = await create_item(api, alice)
    url = item_url(item["id"])
    seen = [(await read(api, url))[1]]
    for body in ({"title": "1"}, {"price": "1"}, {"description": "d"}, {}, {"title": "1"}):
        response = await api.patch(url, json=body, headers=alice.headers)
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
        assert re.fullmatch(STRONG_ETAG, etag), etag
        assert (await read(api, url))[1] == etag
        seen.append(etag)
    assert len(set(seen)) == len(seen), seen


@pytest.mark.covers("updateItem", 200)
async def test_if_match_that_matches_applies_the_change(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice, title="Before")
    url = item_url(item["id"])
    matching: list[str | None] = [
        None,  # no precondition
        "{etag}",
        "*",
        '"5", {etag}',
        'W/"7",{etag} , "9"',
    ]
    for n, template in enumerate(matching):
        _, etag = await read(api, url)
        headers = dict(alice.headers)
        if template is not None:
            headers["If-Match"] = template.format(etag=etag)
        response = await api.patch(url, json={"title": f"After {n}"}, headers=headers)
        assert response.status_code == 200, (template, response.text)
        assert response.headers["etag"] != etag
        assert await read(api, url) == (response.json(), response.headers["etag"])
        assert response.json()["title"] == f"After {n}"


@pytest.mark.covers("updateItem", 412)
async def test_if_match_that_does_not_match_is_412_and_changes_nothing(
    api: httpx.AsyncClient, alice: Account
) -> None:
    item = await create_item(api, alice, title="Before", price="1")
    url = item_url(item["id"])
    before = await read(api, url)
    etag = before[1]
    failing = [
        f"W/{etag}",  # the weak form of the current tag: If-Match compares strongly
        '"999"',
        '"5", "6"',
        etag.strip('"'),  # unquoted
        "garbage",
        '""',
    ]
    for header in failing:
        response = await owned.patch_if_match(
            api, url, alice, header, {"title": "After", "price": "2"}
        )
        problem = assert_problem(response, 412)
        assert problem["type"] == "urn:problem-type:precondition-failed", header
        assert "etag" not in response.headers
    assert await read(api, url) == before


@pytest.mark.covers("updateItem", 200, 412)
async def test_a_stale_etag_is_412_and_the_newer_change_stays(
    api: httpx.AsyncClient, alice: Account
) -> None:
    url, stale = await item_with_etag(api, alice, title="Original")
    first = await owned.patch_if_match(api, url, alice, stale, {"title": "First"})
    assert first.status_code == 200, first.text
    after_first = await read(api, url)

    second = await owned.patch_if_match(api, url, alice, stale, {"title": "Second"})
    assert_problem(second, 412)
    assert await read(api, url) == after_first
    assert after_first[0]["title"] == "First"

    # With the ETag read again, the change applies.
    third = await owned.patch_if_match(api, url, alice, after_first[1], {"title": "Second"})
    assert third.status_code == 200, third.text
    assert (await read(api, url))[0]["title"] == "Second"


# Ownership: another user's item is a missing item


@pytest.mark.covers("updateItem", 404)
@pytest.mark.covers("deleteItem", 404)
async def test_another_users_item_cannot_be_changed_and_looks_missing(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    item = await create_item(api, alice, title="Alice's", description="Hers.", price="4.20")
    url = item_url(item["id"])
    # Reading is public, to bob as to anyone.
    assert (await read(api, url, bob)) == await read(api, url, alice)
    await owned.assert_strangers_change_nothing(
        api, url, alice, bob, {"title": "Bob's", "price": "0"}
    )
    assert ids(await listed(api, ITEMS)) == [item["id"]]


@pytest.mark.covers("updateItem", 200)
@pytest.mark.covers("deleteItem", 204)
async def test_a_superuser_may_change_and_delete_anyones_item(
    api: httpx.AsyncClient, admin: Account, alice: Account
) -> None:
    url, etag = await item_with_etag(api, alice, title="Alice's")
    response = await owned.patch_if_match(api, url, admin, etag, {"title": "Moderated"})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Moderated"
    assert response.json()["owner_id"] == alice.id  # still hers
    assert (await read(api, url, alice))[0]["title"] == "Moderated"

    await owned.assert_stale_then_deleted(api, url, admin, etag)
    assert_problem(await api.get(url), 404)


@pytest.mark.covers("deleteItem", 204, 404)
async def test_the_owner_deletes_an_item_once(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    item = await create_item(api, alice)
    kept = await create_item(api, alice, title="Kept")
    bobs = await create_item(api, bob, title="Bob's")
    await owned.delete(api, item_url(item["id"]), alice)
    assert_problem(await api.get(item_url(item["id"])), 404)
    assert_problem(
        await api.patch(item_url(item["id"]), json={"title": "x"}, headers=alice.headers), 404
    )
    assert set(ids(await listed(api, ITEMS))) == {kept["id"], bobs["id"]}


# Deleting an account deletes what it owns


@pytest.mark.covers("deleteCurrentUser", 204)
@pytest.mark.covers("deleteUser", 204)
@pytest.mark.covers("listUserItems", 404)
@pytest.mark.parametrize("by", ["self", "superuser"])
async def test_deleting_an_account_deletes_its_items_and_posts(
    api: httpx.AsyncClient, admin: Account, alice: Account, bob: Account, by: str
) -> None:
    alices_items = [await create_item(api, alice, title=f"alice {n}") for n in range(2)]
    published = await create_post(api, alice, title="Alice published", published=True)
    draft = await create_post(api, alice, title="Alice draft")
    bobs_item = await create_item(api, bob, title="bob's")
    bobs_post = await create_post(api, bob, title="Bob published", published=True)

    if by == "self":
        response = await api.delete(ME, headers=alice.headers)
    else:
        response = await api.delete(f"/api/v1/users/{alice.id}", headers=admin.headers)
    assert response.status_code == 204, response.text

    assert_problem(await api.get(user_items_url(alice.id)), 404)
    for item in alices_items:
        assert_problem(await api.get(item_url(item["id"])), 404)
        assert_problem(await api.delete(item_url(item["id"]), headers=admin.headers), 404)
    for post in (published, draft):
        assert_problem(await api.get(post_url(post["id"]), headers=admin.headers), 404)
        assert_problem(await api.delete(post_url(post["id"]), headers=admin.headers), 404)
    assert ids(await listed(api, ITEMS)) == [bobs_item["id"]]
    assert ids(await listed(api, ITEMS, owner_id=alice.id)) == []
    assert ids(await listed(api, POSTS)) == [bobs_post["id"]]
    assert ids(await listed(api, POSTS, admin, author_id=alice.id)) == []
    # Bob lost nothing.
    assert ids(await listed(api, user_items_url(bob.id))) == [bobs_item["id"]]
    assert (await read(api, post_url(bobs_post["id"])))[0] == bobs_post


@pytest.mark.covers("createItem", 201, 422)
async def test_created_items_belong_to_the_caller_whatever_the_body_says(
    api: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    response = await api.post(
        ITEMS,
        content=json.dumps({"title": "t", "price": "1", "owner_id": bob.id}).encode(),
        headers={**alice.headers, **JSON},
    )
    assert issues(assert_problem(response, 422, "ValidationProblem")) == [
        ("#/owner_id", "extra_forbidden")
    ]
    assert (await create_item(api, alice))["owner_id"] == alice.id
    assert ids(await listed(api, ITEMS, owner_id=bob.id)) == []

"""Lists of items and posts in API tests: read a page, its ids, its counts, pages joined.

`listed` asserts the happy path (200, the contract's page schema); a test about a refused
query sends it itself.
"""

import uuid
from collections.abc import Iterable
from typing import Any

import httpx

from tests.support.accounts import Account
from tests.support.contract import assert_matches
from tests.support.resources import POSTS, headers_of

# What every list refuses in its `q`, `page` and `size` (each list adds its own filters).
PAGE_REFUSALS: list[tuple[dict[str, str], tuple[str, str]]] = [
    ({"q": "q" * 201}, ("query.q", "string_too_long")),
    ({"q": ""}, ("query.q", "string_too_short")),
    ({"page": "0"}, ("query.page", "greater_than_equal")),
    ({"page": "10001"}, ("query.page", "less_than_equal")),
    ({"page": "1.5"}, ("query.page", "int_parsing")),
    ({"size": "0"}, ("query.size", "greater_than_equal")),
    ({"size": "101"}, ("query.size", "less_than_equal")),
]


async def listed(
    client: httpx.AsyncClient, url: str, account: Account | None = None, /, **params: Any
) -> dict[str, Any]:
    """GET a list (200); the page, checked against the contract's `ItemPage`/`PostPage`."""
    response = await client.get(url, params=params, headers=headers_of(account))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    assert_matches(page, "PostPage" if url == POSTS else "ItemPage")
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [entry["id"] for entry in page["items"]]


def joined(lists: Iterable[list[str]]) -> list[str]:
    """The lists one after the other: the pages of a list, read in order."""
    return [entry for part in lists for entry in part]


def meta(page: dict[str, Any]) -> tuple[int, int, int, int]:
    """(total, page, size, pages) of a list response."""
    return page["total"], page["page"], page["size"], page["pages"]


def by_id(values: Iterable[str]) -> list[str]:
    """Ids in the order the database breaks ties in: by the UUID's value."""
    return sorted(values, key=uuid.UUID)

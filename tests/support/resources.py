"""Items and posts for API tests: create them through the API, read them back, fake their age.

The helpers assert the happy path (201, 200) so a test reads as what it is about; a test about
a failing create posts to `ITEMS` or `POSTS` itself.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, update

from app.db.database import Database
from tests.support.accounts import Account
from tests.support.contract import assert_matches

ITEMS = "/api/v1/items"
POSTS = "/api/v1/posts"
STRONG_ETAG = r'^"[0-9]+"$'


def item_url(item_id: str) -> str:
    return f"{ITEMS}/{item_id}"


def post_url(post_id: str) -> str:
    return f"{POSTS}/{post_id}"


def slug_url(slug: str) -> str:
    return f"{POSTS}/slug/{slug}"


def user_items_url(user_id: str) -> str:
    return f"/api/v1/users/{user_id}/items"


def random_id() -> str:
    return str(uuid.uuid4())


def headers_of(account: Account | None) -> dict[str, str]:
    return account.headers if account is not None else {}


async def create_item(
    client: httpx.AsyncClient,
    owner: Account,
    title: str = "A lamp",
    price: str = "9.90",
    **more: Any,
) -> dict[str, Any]:
    """Create an item (201) as `owner`; its `Item` body."""
    response = await client.post(
        ITEMS, json={"title": title, "price": price, **more}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert_matches(body, "Item")
    return body


async def create_post(
    client: httpx.AsyncClient,
    author: Account,
    title: str = "A post",
    content: str = "Some words.",
    **more: Any,
) -> dict[str, Any]:
    """Create a post (201) as `author`, a draft unless `published=True`; its `Post` body."""
    response = await client.post(
        POSTS, json={"title": title, "content": content, **more}, headers=author.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert_matches(body, "Post")
    return body


async def read(
    client: httpx.AsyncClient, url: str, account: Account | None = None
) -> tuple[dict[str, Any], str]:
    """GET `url` (200); the body and its ETag."""
    response = await client.get(url, headers=headers_of(account))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, response.headers["etag"]


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


def without_request(body: dict[str, Any]) -> dict[str, Any]:
    """A problem body without what differs from one request to the next."""
    return {k: v for k, v in body.items() if k not in {"request_id", "instance"}}


async def set_created_at(
    app: FastAPI, table: Table, row_ids: Iterable[str], when: datetime
) -> None:
    """Give rows the same `created_at`, so only the tie-breaker can order them."""
    database: Database = app.state.database
    ids = [uuid.UUID(i) for i in row_ids]
    statement = update(table).where(table.c.id.in_(ids)).values(created_at=when)
    await database.write(lambda connection: connection.execute(statement))


async def concurrently(*requests: Awaitable[httpx.Response]) -> list[httpx.Response]:
    """Run requests at once (interleaved at every await, so at the database too)."""
    return list(await asyncio.gather(*requests))

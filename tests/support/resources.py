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


async def post_created(
    client: httpx.AsyncClient, url: str, account: Account, schema: str, body: dict[str, Any]
) -> httpx.Response:
    """POST `body` to the collection `url` as `account`: a 201 with JSON that matches `schema`."""
    response = await client.post(url, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    assert_matches(response.json(), schema)
    return response


async def create(
    client: httpx.AsyncClient, url: str, account: Account, schema: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST `body` to the collection `url` as `account` (201); the body, checked by `schema`."""
    created: dict[str, Any] = (await post_created(client, url, account, schema, body)).json()
    return created


async def create_item(client: httpx.AsyncClient, owner: Account, **fields: Any) -> dict[str, Any]:
    """Create an item (201) as `owner`, "A lamp" at 9.90 unless `fields` say otherwise."""
    body = {"title": "A lamp", "price": "9.90", **fields}
    return await create(client, ITEMS, owner, "Item", body)


async def create_post(client: httpx.AsyncClient, author: Account, **fields: Any) -> dict[str, Any]:
    """Create a post (201) as `author`, a draft unless `published=True`; its `Post` body."""
    body = {"title": "A post", "content": "Some words.", **fields}
    return await create(client, POSTS, author, "Post", body)


async def read(
    client: httpx.AsyncClient, url: str, account: Account | None = None
) -> tuple[dict[str, Any], str]:
    """GET `url` (200); the body and its ETag."""
    response = await client.get(url, headers=headers_of(account))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, response.headers["etag"]


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

"""The read path stays lean: statements per request, counted at the driver.

Every statement SQLAlchemy sends (BEGIN included, on SQLite) passes `before_cursor_execute`,
and every SELECT app/db/prepared.py sends the driver itself passes `Plan.run`;
on PostgreSQL a transaction would add BEGIN and COMMIT round trips, which the autocommit
connections used here avoid. On SQLite, reads run on the event loop's own connection
(`Database.read`, recorded in `on_loop`) and every write unit of work whole on the writer
thread (app/db/sqlite/writer.py), where its BEGIN costs no round trip of its own. Every
engine is watched, whichever the `Database` made (a class-level listener on `Engine`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event

from app.db import prepared
from app.db.sqlite.loop_reader import LoopConnection
from app.main import create_app
from app.settings import Settings
from tests.support.accounts import Account
from tests.support.clients import started
from tests.support.resources import ITEMS, POSTS, create_item, create_post, item_url

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The requests' own statements only: the outbox dispatcher, woken by a sign-up's welcome
    mail, would write on the same engines while a test counts."""
    return settings.model_copy(update={"outbox_dispatcher": False})


class Seen(list[str]):
    """The statements sent, in order; `on_loop` holds those the loop's read connection ran."""

    def __init__(self) -> None:
        super().__init__()
        self.on_loop: list[str] = []


@contextmanager
def statements(_app: FastAPI) -> Iterator[Seen]:
    seen = Seen()

    def sent(dbapi_connection: Any, statement: str) -> None:
        seen.append(statement)
        if isinstance(dbapi_connection, LoopConnection):
            seen.on_loop.append(statement)

    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent(conn.connection.dbapi_connection, statement)

    # The SELECTs app/db/prepared.py sends the driver itself pass no SQLAlchemy event.
    run = prepared.Plan.run

    def run_recorded(plan: prepared.Plan, connection: Any, parameters: Any) -> Any:
        sent(connection.connection.dbapi_connection, plan.sql)
        return run(plan, connection, parameters)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        with patch.object(prepared.Plan, "run", run_recorded):
            yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


@pytest.mark.covers("getItem", 200)
@pytest.mark.covers("updateItem", 200)
async def test_get_item_is_one_statement_and_patch_adds_one_for_the_principal(
    settings: Settings, app: FastAPI, api: httpx.AsyncClient, alice: Account
) -> None:
    item = item_url((await create_item(api, alice, title="lean", price="1.00"))["id"])

    with statements(app) as seen:
        response = await api.get(item)
    assert response.status_code == 200
    assert len(seen) == 1, seen
    # SQLite: the read ran on the event loop's connection, with no thread hand-off.
    assert seen.on_loop == (seen if settings.is_sqlite else []), seen.on_loop

    with statements(app) as seen:
        response = await api.patch(
            item,
            headers={**alice.headers, "If-Match": response.headers["etag"]},
            json={"title": "leaner"},
        )
    assert response.status_code == 200
    # The principal's row, then one UPDATE ... RETURNING (in the writer's transaction on
    # SQLite, whose BEGIN is no round trip: the thread runs the unit whole).
    kinds = [s.lstrip().split(None, 1)[0].upper() for s in seen]
    expected = ["SELECT", "BEGIN", "UPDATE"] if settings.is_sqlite else ["SELECT", "UPDATE"]
    assert kinds == expected, seen
    # The principal is a read (on the loop, on SQLite); the UPDATE never is.
    assert seen.on_loop == (seen[:1] if settings.is_sqlite else []), seen.on_loop


async def test_the_counter_sees_transactions(settings: Settings) -> None:
    """The control: registering runs in a transaction, and the counter notices its extra work."""
    app = create_app(settings)
    async for client in started(app):
        with statements(app) as seen:
            await client.post(
                "/api/v1/auth/register",
                json={"email": "count@example.com", "password": "password1"},
            )
        assert len(seen) >= 1
        if settings.is_sqlite:
            assert any(s.startswith("BEGIN") for s in seen), seen


@pytest.mark.covers("listItems", 200)
async def test_a_page_is_one_statement_and_only_a_page_past_the_end_counts_alone(
    app: FastAPI, api: httpx.AsyncClient, alice: Account
) -> None:
    for n in range(3):
        await create_item(api, alice, title=f"page {n}", price="1.00")

    with statements(app) as seen:
        response = await api.get(ITEMS, params={"size": 2, "q": "page"})
    assert response.status_code == 200
    body = response.json()
    assert (len(body["items"]), body["total"], body["pages"]) == (2, 3, 2)
    assert len(seen) == 1, seen  # the rows and, beside each, the total

    with statements(app) as seen:
        response = await api.get(ITEMS, params={"size": 2, "page": 3})
    assert response.status_code == 200
    assert (response.json()["items"], response.json()["total"]) == ([], 3)
    assert len(seen) == 2, seen  # no rows to carry the total: a count of its own


@pytest.mark.covers("listPosts", 200)
async def test_a_page_of_posts_is_one_statement_too(
    app: FastAPI, api: httpx.AsyncClient, alice: Account
) -> None:
    for n in range(3):
        await create_post(api, alice, title=f"post {n}", content="text", published=n > 0)

    with statements(app) as seen:  # signed in: the author's draft counts too
        response = await api.get(POSTS, params={"size": 2}, headers=alice.headers)
    assert (len(response.json()["items"]), response.json()["total"]) == (2, 3)
    assert len(seen) == 2, seen  # the principal's row, then the page with its total
    assert "FROM users" in seen[0]

    with statements(app) as seen:  # anonymous, past the end: published posts only
        response = await api.get(POSTS, params={"size": 2, "page": 2})
    assert (response.json()["items"], response.json()["total"]) == ([], 2)
    assert len(seen) == 2, seen

"""app/db/prepared.py answers what SQLAlchemy's own execution answers, and fails as it fails,
on SQLite and (APP_TEST_POSTGRES_URL) PostgreSQL."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Select,
    String,
    Table,
    Uuid,
    bindparam,
    create_engine,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import await_only

from app.db import outage, postgres, prepared
from app.db.base import metadata
from app.db.rows import values_of
from app.items.repository import ItemRecord, ItemRepository, _page_statements
from app.users.repository import GET as GET_USER
from app.users.repository import UserRepository
from app.users.tables import users
from tests.support.records import user_record
from tests.support.settings import app_settings

pytestmark = pytest.mark.anyio

OWNER = uuid.UUID("5f0c7a9e-1b2d-4c3e-8f4a-0b1c2d3e4f50")
NOW = datetime(2026, 12, 7, 6, 30, 15, 123456, tzinfo=UTC)


def seed(connection: Connection) -> None:
    metadata.create_all(connection)
    UserRepository(connection).add(user_record(OWNER, "owner@example.org", NOW))
    for n in range(5):
        ItemRepository(connection).add(
            ItemRecord(
                id=uuid.uuid4(),
                title=f"item {n}",
                description=None if n % 2 else "described",
                price_cents=100 * n,
                owner_id=OWNER,
                version=1,
                created_at=NOW + timedelta(seconds=n),
                updated_at=NOW,
            )
        )


async def on_database(database_url: str, *works: Callable[[Connection], None]) -> None:
    """`seed`, then each of `works`, each on its own connection: sqlite3 through a synchronous
    engine, PostgreSQL through asyncpg inside a greenlet, as the service runs them."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url)
        with engine.begin() as connection:
            seed(connection)
        for work in works:
            with engine.connect() as connection:
                work(connection)
        engine.dispose()
        return
    async_engine = create_async_engine(database_url)
    async with async_engine.begin() as async_connection:
        await async_connection.run_sync(seed)
    for work in works:
        async with async_engine.connect() as async_connection:
            await async_connection.run_sync(work)
    await async_engine.dispose()


async def test_rows_and_types_are_sqlalchemys(database_url: str) -> None:
    page, count = _page_statements("-created_at", True, False)
    cases: list[tuple[Select[Any], dict[str, Any]]] = [
        (GET_USER, {"user_id": OWNER}),
        (page, {"owner_id": OWNER, "offset": 1, "limit": 3}),
        (page, {"owner_id": uuid.uuid4(), "offset": 0, "limit": 3}),
        (count, {"owner_id": OWNER}),
    ]

    def compare(connection: Connection) -> None:
        assert prepared.plan(GET_USER, connection.dialect) is not None  # not SQLAlchemy's way
        for statement, parameters in cases:
            expected = [tuple(row) for row in connection.execute(statement, parameters).all()]
            found = [tuple(row) for row in prepared.rows(connection, statement, parameters)]
            assert found == expected
            assert [type(value) for row in found for value in row] == [
                type(value) for row in expected for value in row
            ]
        user = prepared.first(connection, GET_USER, {"user_id": OWNER})
        assert user is not None
        assert isinstance(user[0], uuid.UUID)
        assert user[-1] == NOW
        assert user[-1].tzinfo is not None

    await on_database(database_url, compare)


MISSING = Table("never_created", MetaData(), Column("id", Uuid), Column("title", String))


async def test_a_driver_error_is_wrapped_as_sqlalchemy_wraps_it(database_url: str) -> None:
    statement = select(MISSING).where(MISSING.c.title == bindparam("title"))

    def fail(connection: Connection) -> None:
        plan = prepared.plan(statement, connection.dialect)
        assert plan is not None
        with pytest.raises(DBAPIError) as expected:
            connection.execute(statement, {"title": "a secret title"})
        connection.rollback()  # PostgreSQL: the failed statement aborted the transaction
        with pytest.raises(DBAPIError) as caught:
            prepared.rows(connection, statement, {"title": "a secret title"})
        assert type(caught.value) is type(expected.value)
        assert isinstance(caught.value.orig, type(expected.value.orig))
        assert caught.value.statement == plan.sql
        assert "parameters hidden" in str(caught.value)
        assert "a secret title" not in str(caught.value)
        assert not connection.invalidated  # not a disconnect: the connection stays usable
        connection.rollback()
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1

    await on_database(database_url, fail)


def test_what_sqlalchemy_must_run_is_left_to_it(tmp_path: Path) -> None:
    expanding = select(users).where(users.c.id.in_(bindparam("ids", expanding=True)))
    valued = select(users).where(users.c.email == "owner@example.org")
    engine = create_engine(f"sqlite:///{tmp_path / 'prepared.db'}")
    assert prepared.plan(expanding, engine.dialect) is None
    assert prepared.plan(valued, engine.dialect) is None
    with engine.begin() as connection:
        seed(connection)
        rows = prepared.rows(connection, expanding, {"ids": [OWNER]})
    assert [row[0] for row in rows] == [OWNER]


async def test_an_insert_writes_what_sqlalchemys_would_and_refuses_a_duplicate(
    database_url: str,
) -> None:
    record = ItemRecord(
        id=uuid.uuid4(),
        title="inserted",
        description=None,
        price_cents=1234,
        owner_id=OWNER,
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )

    def insert(connection: Connection) -> None:
        statement = ItemRepository.rows.insert
        assert prepared.plan(statement, connection.dialect) is not None
        assert prepared.rows(connection, statement, values_of(record)) == []
        assert ItemRepository(connection).get(record.id) == record
        with pytest.raises(IntegrityError):
            prepared.rows(connection, statement, values_of(record))

    await on_database(database_url, insert)


async def terminate(postgres_url: str, pid: int) -> bool:
    """End the server process of connection `pid`, from another connection."""
    dsn = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    other = await asyncpg.connect(dsn)
    try:
        return bool(await other.fetchval("SELECT pg_terminate_backend($1)", pid))
    finally:
        await other.close()


async def on_standalone(
    postgres_url: str, tmp_path: Path, work: Callable[[Connection], None]
) -> None:
    """`seed`, then `work` on a connection of the service's own autocommit pool of reads
    (`app.db.postgres.create_engine(..., autocommit=True)`), whose plans await asyncpg itself."""
    async_engine = create_async_engine(postgres_url)
    async with async_engine.begin() as async_connection:
        await async_connection.run_sync(seed)
    await async_engine.dispose()
    standalone = postgres.create_engine(app_settings(postgres_url, tmp_path), autocommit=True)
    try:
        async with standalone.connect() as async_connection:
            await async_connection.run_sync(work)
    finally:
        await standalone.dispose()


async def test_standalone_reads_answer_what_sqlalchemy_answers(
    postgres_url: str, tmp_path: Path
) -> None:
    page, count = _page_statements("price", True, False)
    cases: list[tuple[Select[Any], dict[str, Any]]] = [
        (GET_USER, {"user_id": OWNER}),
        (page, {"owner_id": OWNER, "offset": 2, "limit": 2}),
        (count, {"owner_id": OWNER}),
    ]

    def compare(connection: Connection) -> None:
        for statement, parameters in cases:
            found = [tuple(row) for row in prepared.rows(connection, statement, parameters)]
            # Straight on asyncpg: SQLAlchemy's adapter would have begun its transaction.
            assert not connection.in_transaction()
            expected = [tuple(row) for row in connection.execute(statement, parameters).all()]
            connection.rollback()
            assert found == expected
            assert [type(value) for row in found for value in row] == [
                type(value) for row in expected for value in row
            ]
        user = prepared.first(connection, GET_USER, {"user_id": OWNER})
        assert user is not None
        assert user[-1] == NOW
        assert user[-1].tzinfo is not None

    await on_standalone(postgres_url, tmp_path, compare)


async def test_a_standalone_read_error_keeps_its_sqlstate_and_hides_parameters(
    postgres_url: str, tmp_path: Path
) -> None:
    statement = select(MISSING).where(MISSING.c.title == bindparam("title"))

    def fail(connection: Connection) -> None:
        with pytest.raises(DBAPIError) as caught:
            prepared.rows(connection, statement, {"title": "a secret title"})
        assert isinstance(caught.value.orig, asyncpg.UndefinedTableError)
        assert caught.value.orig.sqlstate == "42P01"
        assert "parameters hidden" in str(caught.value)
        assert "a secret title" not in str(caught.value)
        assert outage.cause(caught.value) is None  # a bug (a 500), not an outage
        assert not connection.invalidated
        assert prepared.first(connection, GET_USER, {"user_id": OWNER}) is not None

    await on_standalone(postgres_url, tmp_path, fail)


async def test_a_standalone_read_on_a_lost_connection_invalidates_it(
    postgres_url: str, tmp_path: Path
) -> None:
    def lose(connection: Connection) -> None:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        connection.rollback()
        assert await_only(terminate(postgres_url, pid))
        with pytest.raises(DBAPIError) as caught:
            prepared.rows(connection, GET_USER, {"user_id": OWNER})
        assert caught.value.connection_invalidated
        assert connection.invalidated
        assert outage.cause(caught.value) is not None  # a 503, as SQLAlchemy's own path gives

    await on_standalone(postgres_url, tmp_path, lose)

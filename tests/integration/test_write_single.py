"""`Database.write_single`: one statement, which commits alone.

On PostgreSQL it runs on the autocommit pool, straight on asyncpg: one round trip where `write`
takes three (BEGIN, the statement, COMMIT), counted by asyncpg's own query logger. Because
each statement there commits by itself, a second one is refused before it runs. On SQLite it is
`write`, whose transaction costs no round trip.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from app.db import migrate, prepared
from app.db.database import Database
from app.items.repository import ItemRecord, ItemRepository
from app.items.tables import items
from app.users.repository import UserRepository
from tests.support.records import user_record
from tests.support.settings import app_settings

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
OWNER = uuid.uuid4()


def item(title: str) -> ItemRecord:
    return ItemRecord(
        id=uuid.uuid4(),
        title=title,
        description=None,
        price_cents=100,
        owner_id=OWNER,
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )


async def open_database(url: str, tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.from_settings(app_settings(url, tmp_path))
    try:
        await migrate.upgrade(database)
        await database.write(
            lambda connection: UserRepository(connection).add(
                user_record(OWNER, "single@example.org", NOW)
            )
        )
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def database(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    async for database in open_database(database_url, tmp_path):
        yield database


@pytest.fixture
async def postgres_database(postgres_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    async for database in open_database(postgres_url, tmp_path):
        yield database


def titles(connection: Connection) -> list[str]:
    return list(connection.execute(select(items.c.title).order_by(items.c.title)).scalars())


async def test_a_single_insert_is_written_and_a_duplicate_is_an_integrity_error(
    database: Database,
) -> None:
    record = item("alone")
    await database.write_single(lambda connection: ItemRepository(connection).add(record))
    assert await database.read(lambda connection: ItemRepository(connection).get(record.id)) == (
        record
    )
    with pytest.raises(IntegrityError):  # what a repository turns into a 409
        await database.write_single(lambda connection: ItemRepository(connection).add(record))
    assert await database.read(titles) == ["alone"]


async def test_on_postgresql_it_is_one_round_trip_where_write_takes_three(
    postgres_database: Database,
) -> None:
    def logged(record: ItemRecord, queries: list[str]) -> Any:
        def unit(connection: Connection) -> None:
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.add_query_logger(log)
            try:
                ItemRepository(connection).add(record)
            finally:
                driver.remove_query_logger(log)

        def log(logged: Any) -> None:
            queries.append(logged.query.split(None, 1)[0].rstrip(";").upper())

        return unit

    in_transaction: list[str] = []
    await postgres_database.write(logged(item("in a transaction"), in_transaction))
    await asyncio.sleep(0)
    # The control: the logger sees what asyncpg runs as a query of its own, as the BEGIN that
    # SQLAlchemy's adapter sends before the INSERT (which it prepares, unlogged; the COMMIT
    # comes after the unit).
    assert in_transaction == ["BEGIN"]

    alone: list[str] = []
    await postgres_database.write_single(logged(item("alone"), alone))
    await asyncio.sleep(0)  # asyncpg calls its loggers soon after, from the loop
    assert alone == ["INSERT"]  # no BEGIN before it, and no COMMIT after: it commits alone
    assert await postgres_database.read(titles) == ["alone", "in a transaction"]


async def test_on_postgresql_a_second_statement_is_refused_before_it_runs(
    postgres_database: Database,
) -> None:
    first, second = item("first"), item("second")

    def two(connection: Connection) -> None:
        ItemRepository(connection).add(first)
        ItemRepository(connection).add(second)

    with pytest.raises(prepared.SecondStatement):
        await postgres_database.write_single(two)
    # The first committed alone, as every statement on that door does; the second never ran.
    assert await postgres_database.read(titles) == ["first"]


async def test_on_postgresql_a_statement_sqlalchemy_runs_is_refused(
    postgres_database: Database,
) -> None:
    def counted(connection: Connection) -> int:
        return int(connection.execute(select(func.count()).select_from(items)).scalar_one())

    with pytest.raises(prepared.SecondStatement):
        await postgres_database.write_single(counted)

"""SQLite is configured on every connection, writers never trip "database is locked", and a
PostgreSQL pool does not overflow."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from app.db.database import Database
from app.db.engine import create_engine, use_wal
from app.settings import Settings
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio


def _sqlite(tmp_path: Path, **overrides: object) -> Database:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
        **overrides,  # type: ignore[arg-type]
    )
    return Database.from_settings(settings)


async def test_every_pooled_connection_gets_the_pragmas(tmp_path: Path) -> None:
    database = _sqlite(tmp_path, db_busy_timeout_ms=4321, db_pool_size=4)
    seen: list[tuple[object, ...]] = []
    all_open = asyncio.Event()
    release = asyncio.Event()

    async def read_pragmas() -> None:
        async with database.engine.connect() as connection:
            row = []
            for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                row.append((await connection.exec_driver_sql(f"PRAGMA {pragma}")).scalar())
            seen.append(tuple(row))
            if len(seen) == 4:
                all_open.set()
            await release.wait()  # hold the connection so the next task opens another one

    try:
        tasks = [asyncio.create_task(read_pragmas()) for _ in range(4)]
        await asyncio.wait_for(all_open.wait(), timeout=10)
        release.set()
        await asyncio.gather(*tasks)
        # synchronous=2 is FULL.
        assert seen == [("wal", 2, 1, 4321)] * 4
    finally:
        await database.dispose()


async def _read_then_write(database: Database, *, write: bool, value: int) -> None:
    async with database.transaction(write=write) as connection:
        await connection.execute(text("SELECT count(*) FROM counter"))
        await asyncio.sleep(0.01)  # let the other transactions read too
        await connection.execute(text("INSERT INTO counter (value) VALUES (:v)"), {"v": value})


async def test_concurrent_read_then_write_transactions_all_commit(tmp_path: Path) -> None:
    database = _sqlite(tmp_path)
    try:
        async with database.transaction(write=True) as connection:
            await connection.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        await asyncio.gather(*(_read_then_write(database, write=True, value=i) for i in range(10)))
        async with database.transaction(write=False) as connection:
            count = (await connection.execute(text("SELECT count(*) FROM counter"))).scalar()
        assert count == 10
    finally:
        await database.dispose()


async def test_deferred_transactions_would_fail_which_is_why_writes_begin_immediate(
    tmp_path: Path,
) -> None:
    """The control for the test above: the same work in read transactions hits the lock."""
    database = _sqlite(tmp_path)
    try:
        async with database.transaction(write=True) as connection:
            await connection.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        results = await asyncio.gather(
            *(_read_then_write(database, write=False, value=i) for i in range(10)),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, OperationalError)]
        assert failures, "expected deferred read-then-write transactions to hit 'locked'"
        assert all("locked" in str(f) for f in failures)
    finally:
        await database.dispose()


async def test_a_failed_transaction_leaves_nothing_behind(
    database_url: str, tmp_path: Path
) -> None:
    database = Database.from_settings(
        Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=tmp_path)
    )
    try:
        async with database.transaction(write=True) as connection:
            await connection.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))

        class Boom(Exception):
            pass

        async def insert_then_fail() -> None:
            async with database.transaction(write=True) as connection:
                await connection.execute(text("INSERT INTO counter (value) VALUES (1)"))
                raise Boom

        with pytest.raises(Boom):
            await insert_then_fail()
        async with database.transaction(write=False) as connection:
            assert (await connection.execute(text("SELECT count(*) FROM counter"))).scalar() == 0
    finally:
        await database.dispose()


def test_a_postgresql_pool_waits_instead_of_overflowing(tmp_path: Path) -> None:
    """Overflow connections are closed again at every check-in under sustained load, and each
    new one costs PostgreSQL a backend process: requests wait for a pooled one instead."""
    settings = Settings(
        database_url="postgresql://app@127.0.0.1:5432/app",  # nothing connects here
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
    )
    for autocommit in (False, True):
        pool = create_engine(settings, autocommit=autocommit).sync_engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow) == (10, 0)


class Locked:
    """A sqlite3 connection stand-in whose WAL pragma is locked for the first `times` tries."""

    def __init__(self, times: int, message: str = "database is locked") -> None:
        self.times, self.message, self.tries = times, message, 0

    def execute(self, sql: str) -> "Locked":
        assert sql == "PRAGMA journal_mode=WAL"
        self.tries += 1
        if self.tries <= self.times:
            raise sqlite3.OperationalError(self.message)
        return self

    def close(self) -> None:
        pass


def test_switching_to_wal_waits_out_a_lock_the_busy_handler_does_not_cover() -> None:
    connection = Locked(times=3)
    use_wal(connection, timeout_s=5)  # type: ignore[arg-type]  # a stand-in
    assert connection.tries == 4


def test_switching_to_wal_gives_up_at_the_busy_timeout() -> None:
    connection = Locked(times=10_000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        use_wal(connection, timeout_s=0.05)  # type: ignore[arg-type]
    assert 2 <= connection.tries < 10_000


def test_switching_to_wal_does_not_retry_other_errors() -> None:
    connection = Locked(times=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        use_wal(connection, timeout_s=5)  # type: ignore[arg-type]
    assert connection.tries == 1

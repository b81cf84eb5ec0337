"""SQLite is configured on every connection, writers never trip "database is locked", and a
PostgreSQL pool does not overflow."""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from app.db.database import Database
from app.db.postgres import create_engine
from app.db.sqlite.connections import use_wal
from app.settings import Settings
from tests.support.database import transaction
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'engine.db'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
        **overrides,  # type: ignore[arg-type]
    )


def _pragmas(connection: Connection) -> tuple[object, ...]:
    names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    return tuple(connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names)


async def test_every_pooled_connection_gets_the_pragmas(tmp_path: Path) -> None:
    # Reads off the loop, so that they run on the reader threads' pooled connections.
    settings = _settings(
        tmp_path, db_busy_timeout_ms=4321, db_pool_size=4, sqlite_reads_on_loop=False
    )
    database = Database.from_settings(settings)
    all_open = threading.Barrier(4, timeout=10)  # each holds its connection till all are open

    def read_pragmas(connection: Connection) -> tuple[object, ...]:
        row = _pragmas(connection)
        all_open.wait()
        return row

    try:
        seen = await asyncio.gather(*(database.read(read_pragmas) for _ in range(4)))
        seen.append(await database.write(_pragmas))  # and the writer's connection
        # synchronous=2 is FULL.
        assert seen == [("wal", 2, 1, 4321)] * 5
    finally:
        await database.dispose()


async def test_the_writer_takes_the_write_lock_when_it_begins(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a unit that has only read so far already holds the lock."""
    settings = _settings(tmp_path)
    database = Database.from_settings(settings)
    path = tmp_path / "engine.db"

    def read_then_try_another_writer(connection: Connection) -> str:
        connection.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return str(error)
        finally:
            other.close()
        return "another writer began"

    try:
        assert await database.write(read_then_try_another_writer) == "database is locked"
    finally:
        await database.dispose()


async def _read_then_write(settings: Settings, *, begin: str, value: int) -> None:
    async with transaction(settings, begin=begin) as connection:
        await connection.execute(text("SELECT count(*) FROM counter"))
        await asyncio.sleep(0.01)  # let the other transactions read too
        await connection.execute(text("INSERT INTO counter (value) VALUES (:v)"), {"v": value})


async def _counter(settings: Settings) -> Database:
    database = Database.from_settings(settings)
    await database.write(lambda c: c.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)")))
    return database


async def test_concurrent_read_then_write_transactions_all_commit(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    database = await _counter(settings)
    try:
        work = (_read_then_write(settings, begin="IMMEDIATE", value=i) for i in range(10))
        await asyncio.gather(*work)
        count = await database.read(
            lambda c: c.execute(text("SELECT count(*) FROM counter")).scalar()
        )
        assert count == 10
    finally:
        await database.dispose()


async def test_deferred_transactions_would_fail_which_is_why_writes_begin_immediate(
    tmp_path: Path,
) -> None:
    """The control for the test above: the same work in read transactions hits the lock."""
    settings = _settings(tmp_path)
    database = await _counter(settings)
    try:
        results = await asyncio.gather(
            *(_read_then_write(settings, begin="DEFERRED", value=i) for i in range(10)),
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
    database = await _counter(
        Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=tmp_path)
    )
    try:

        class Boom(Exception):
            pass

        def insert_then_fail(connection: Connection) -> None:
            connection.execute(text("INSERT INTO counter (value) VALUES (1)"))
            raise Boom

        with pytest.raises(Boom):
            await database.write(insert_then_fail)
        count = await database.read(
            lambda c: c.execute(text("SELECT count(*) FROM counter")).scalar()
        )
        assert count == 0
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

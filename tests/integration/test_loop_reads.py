"""SQLite reads on the event loop (`Database.read`, app/db/sqlite/loop_reader.py): they cannot
write, never hold the loop for a lock or past their budget, and are a setting away from a
thread."""

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from app.db.database import Database
from app.db.sqlite.loop_reader import create_loop_reader
from app.settings import Settings
from tests.support.loop import ticking
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio


def _settings(path: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{path}",
        secret_key=TEST_SECRET,
        var_dir=path.parent,
        **overrides,  # type: ignore[arg-type]
    )


def _numbers(tmp_path: Path) -> Path:
    """A WAL database with a table of the numbers 1 and 2, made without the app."""
    path = tmp_path / "reads.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE numbers (n INTEGER)")
    connection.execute("INSERT INTO numbers VALUES (1), (2)")
    connection.close()
    return path


def _all_numbers(connection: Connection) -> list[int]:
    return list(connection.execute(text("SELECT n FROM numbers ORDER BY n")).scalars())


def test_only_sqlite_reads_on_the_loop_and_only_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "any.db"
    assert create_loop_reader(_settings(path)) is not None
    assert create_loop_reader(_settings(path, sqlite_reads_on_loop=False)) is None
    postgres = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", secret_key=TEST_SECRET)
    assert create_loop_reader(postgres) is None  # built without connecting


@pytest.mark.parametrize("on_loop", [True, False])
async def test_a_read_sees_what_was_committed_either_way(tmp_path: Path, on_loop: bool) -> None:
    database = Database.from_settings(_settings(_numbers(tmp_path), sqlite_reads_on_loop=on_loop))
    try:
        assert await database.read(_all_numbers) == [1, 2]
        await database.write(lambda c: c.execute(text("INSERT INTO numbers VALUES (3)")))
        assert await database.read(_all_numbers) == [1, 2, 3]
    finally:
        await database.dispose()


async def test_the_loop_reader_cannot_write(tmp_path: Path) -> None:
    """A write sent to `read` by mistake fails loudly instead of blocking the loop on fsync."""
    database = Database.from_settings(_settings(_numbers(tmp_path)))
    try:
        with pytest.raises(OperationalError, match="readonly"):
            await database.read(lambda c: c.execute(text("INSERT INTO numbers VALUES (3)")))
        assert await database.read(_all_numbers) == [1, 2]
    finally:
        await database.dispose()


async def test_a_read_that_meets_a_lock_waits_on_a_thread_while_the_loop_runs_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _numbers(tmp_path)
    # A process holding the database in exclusive locking mode makes even WAL readers busy.
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO numbers VALUES (3)")
    holder.execute("COMMIT")  # committed, and the lock is still held until it closes
    database = Database.from_settings(_settings(path))
    asyncio.get_running_loop().call_later(0.3, holder.close)
    try:
        with caplog.at_level(logging.INFO, logger="app.db"):
            async with ticking() as ticks:
                assert await database.read(_all_numbers) == [1, 2, 3]
        assert "moved off the event loop: database is locked" in caplog.text
        assert ticks.count >= 10  # ~30 in 0.3 s: the loop was not held while the read waited
    finally:
        holder.close()
        await database.dispose()


async def test_a_read_that_outruns_its_budget_finishes_on_a_thread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A long scan (here ~0.3 s of counting) gives the loop back after its 1 ms budget."""
    database = Database.from_settings(_settings(_numbers(tmp_path)))

    def count(connection: Connection) -> int:
        return int(
            connection.execute(
                text(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                    " WHERE x < 2000000) SELECT count(*) FROM c"
                )
            ).scalar_one()
        )

    try:
        with caplog.at_level(logging.INFO, logger="app.db"):
            async with ticking() as ticks:
                assert await database.read(count) == 2_000_000
        assert "moved off the event loop: interrupted" in caplog.text
        assert ticks.count >= 10  # the count took ~0.3 s, and the loop ran on meanwhile
        assert await database.read(_all_numbers) == [1, 2]  # and the loop's connection reads on

        caplog.clear()
        with caplog.at_level(logging.INFO, logger="app.db"):
            assert await database.read(count) == 2_000_000
        # The same statement again: straight to a thread, without spending its budget first.
        assert "moved off the event loop: outran its budget lately" in caplog.text
        assert "interrupted" not in caplog.text
    finally:
        await database.dispose()


async def test_a_read_off_the_loop_is_one_hand_off_for_the_whole_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a thread hand-off costs is the reason for all this: off the loop, a unit of work
    of several statements still costs one, on one reader thread."""
    database = Database.from_settings(_settings(_numbers(tmp_path), sqlite_reads_on_loop=False))
    loop = asyncio.get_running_loop()
    hand_offs: list[object] = []
    original = loop.run_in_executor

    def counting(executor: Any, function: Any, *args: Any) -> Any:
        hand_offs.append(function)
        return original(executor, function, *args)

    monkeypatch.setattr(loop, "run_in_executor", counting)
    threads: set[str] = set()

    def three_reads(connection: Connection) -> list[int]:
        numbers = [_all_numbers(connection) for _ in range(3)]
        threads.add(threading.current_thread().name)
        return numbers[-1]

    try:
        assert await database.read(three_reads) == [1, 2]
        assert len(hand_offs) == 1
        assert len(threads) == 1
        assert threads.pop().startswith("sqlite-reader")
    finally:
        await database.dispose()

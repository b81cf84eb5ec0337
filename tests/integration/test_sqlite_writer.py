"""The SQLite writer thread (app/db/sqlite/writer.py): units of work committed in groups, each
with its own outcome, nothing acknowledged before its COMMIT, and no waiting on the loop."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import IntegrityError

from app.db.sqlite.writer import SQLiteWriter, create_writer
from app.settings import Settings
from tests.support.loop import ticking
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "writes.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
    connection.execute(
        "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER"
        " REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    connection.close()
    return path


@pytest.fixture
async def writer(path: Path) -> AsyncIterator[SQLiteWriter]:
    settings = Settings(
        database_url=f"sqlite:///{path}", secret_key=TEST_SECRET, var_dir=path.parent
    )
    writer = create_writer(settings)
    assert writer is not None
    try:
        yield writer
    finally:
        await writer.close()


def _parents(path: Path) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT id FROM parents ORDER BY id")]
    finally:
        connection.close()


def _add_parent(n: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(text("INSERT INTO parents (id) VALUES (:n)"), {"n": n})
        return n

    return work


def _add_parent_then_fail(n: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        _add_parent(n)(connection)
        raise ValueError(f"unit {n} changed its mind")

    return work


async def _grouped(writer: SQLiteWriter, *works: Callable[[Connection], Any]) -> list[Any]:
    """Run `works` as one group: queued while the writer is held busy by another unit."""
    busy, release = threading.Event(), threading.Event()

    def hold(connection: Connection) -> None:
        busy.set()
        release.wait(10)

    holder = asyncio.ensure_future(writer.run(hold))
    assert await asyncio.to_thread(busy.wait, 10)
    tasks = [asyncio.ensure_future(writer.run(work)) for work in works]
    await asyncio.sleep(0)  # every task has queued its unit
    release.set()
    await holder
    return await asyncio.gather(*tasks, return_exceptions=True)


def _commits(writer: SQLiteWriter) -> list[object]:
    seen: list[object] = []
    event.listen(writer.engine, "commit", lambda _conn: seen.append(None))
    return seen


async def test_a_group_commits_once_and_each_unit_has_its_own_outcome(
    writer: SQLiteWriter, path: Path
) -> None:
    commits = _commits(writer)
    outcomes = await _grouped(writer, _add_parent(1), _add_parent_then_fail(2), _add_parent(3))
    assert outcomes[0] == 1
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == 3
    assert _parents(path) == [1, 3]  # the failed unit left nothing half-written
    assert len(commits) == 2  # the holder's group, then one COMMIT for all three


async def test_a_unit_alone_that_fails_rolls_back_and_raises(
    writer: SQLiteWriter, path: Path
) -> None:
    with pytest.raises(ValueError, match="changed its mind"):
        await writer.run(_add_parent_then_fail(7))
    assert await writer.run(_add_parent(8)) == 8
    assert _parents(path) == [8]


async def test_a_failed_commit_fails_every_unit_of_its_group(
    writer: SQLiteWriter, path: Path
) -> None:
    """No unit hears "done" before the COMMIT that makes it durable: here that COMMIT fails
    (a deferred foreign key is checked only then), so the good unit fails with it."""

    def orphan(connection: Connection) -> None:
        connection.execute(text("INSERT INTO children (id, parent_id) VALUES (1, 404)"))

    outcomes = await _grouped(writer, _add_parent(1), orphan)
    assert all(isinstance(outcome, IntegrityError) for outcome in outcomes), outcomes
    assert _parents(path) == []
    assert await writer.run(_add_parent(2)) == 2  # and the writer goes on
    assert _parents(path) == [2]


async def test_waiting_for_another_process_lock_happens_off_the_loop(
    writer: SQLiteWriter, path: Path
) -> None:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for 0.3 s
    asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
    try:
        async with ticking() as ticks:
            assert await writer.run(_add_parent(1)) == 1
        assert ticks.count >= 10  # ~30: the loop ran on while the writer waited for the lock
    finally:
        other.close()
    assert _parents(path) == [1]


async def test_closing_finishes_what_was_queued(writer: SQLiteWriter, path: Path) -> None:
    pending = [asyncio.ensure_future(writer.run(_add_parent(n))) for n in range(5)]
    await asyncio.sleep(0)
    await writer.close()
    assert await asyncio.gather(*pending) == list(range(5))
    assert _parents(path) == list(range(5))

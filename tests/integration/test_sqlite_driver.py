"""The one-hand-off SQLite driver (app/db/sqlite_driver.py): cheap, and still a correct DBAPI."""

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db.database import Database
from app.settings import Settings
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.anyio


@pytest.fixture
async def database(tmp_path: Path) -> Any:
    db = Database.from_settings(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}",
            secret_key=TEST_SECRET,
            var_dir=tmp_path,
        )
    )
    async with db.transaction(write=True) as connection:
        await connection.execute(
            text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        )
    yield db
    await db.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every function aiosqlite runs on its worker thread, by name."""
    seen: list[str] = []
    original: Any = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return seen


async def test_a_statement_is_one_hand_off_and_an_idle_checkin_is_none(
    database: Database, hand_offs: list[str]
) -> None:
    async with database.connect() as connection:  # warm the pool: connecting has its own cost
        await connection.execute(text("SELECT 1"))
    hand_offs.clear()
    async with database.connect() as connection:
        rows = (await connection.execute(text("SELECT 1 AS one, 2 AS two"))).all()
    assert [tuple(r) for r in rows] == [(1, 2)]
    assert hand_offs == ["_run"]  # no cursor(), fetchall(), close() or rollback() hops


async def test_rowcount_lastrowid_and_executemany(database: Database) -> None:
    async with database.connect() as connection:
        inserted = await connection.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}]
        )
        assert inserted.rowcount == 2
        single = await connection.execute(text("INSERT INTO t (name) VALUES ('c')"))
        assert single.lastrowid == 3
        updated = await connection.execute(text("UPDATE t SET name = name || '!' WHERE id < 3"))
        assert updated.rowcount == 2
        names = (await connection.execute(text("SELECT name FROM t ORDER BY id"))).scalars()
        assert list(names) == ["a!", "b!", "c"]


async def test_driver_errors_arrive_as_sqlalchemy_errors(database: Database) -> None:
    async with database.connect() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('x')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO t (name) VALUES ('x')"))
        # The connection is still usable afterwards.
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1


async def test_an_open_transaction_is_still_rolled_back(database: Database) -> None:
    async def insert_then_fail() -> None:
        async with database.transaction(write=True) as connection:
            await connection.execute(text("INSERT INTO t (name) VALUES ('gone')"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    async with database.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0

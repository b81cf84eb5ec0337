"""Migrations: applied at start-up, by `python -m app migrate`, and safely by several at once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app.db import migrate
from app.db.database import Database
from app.db.schema import metadata
from app.main import create_app
from app.settings import Settings
from tests.support.clients import started
from tests.support.settings import TEST_SECRET

pytestmark = pytest.mark.anyio


def test_the_migration_history_has_exactly_one_head() -> None:
    # Two heads mean two branches that nobody merged: `upgrade head` would refuse to run.
    assert len(migrate.head_revisions()) == 1


async def _tables(database: Database) -> set[str]:
    return set(await database.read(lambda c: inspect(c).get_table_names()))


async def test_start_up_applies_pending_migrations(settings: Settings) -> None:
    async for client in started(create_app(settings)):
        assert (await client.get("/health/ready")).status_code == 200
    database = Database.from_settings(settings)
    try:
        assert await migrate.current_revisions(database) == migrate.head_revisions()
    finally:
        await database.dispose()


async def test_auto_migrate_off_leaves_the_database_alone(settings: Settings) -> None:
    settings = settings.model_copy(update={"auto_migrate": False})
    async for client in started(create_app(settings)):
        assert (await client.get("/health/live")).status_code == 200
    database = Database.from_settings(settings)
    try:
        assert "alembic_version" not in await _tables(database)
    finally:
        await database.dispose()


@pytest.mark.slow
def test_several_workers_migrating_at_once_all_succeed(database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "APP_DATABASE_URL": database_url,
        "APP_SECRET_KEY": TEST_SECRET,
        "APP_VAR_DIR": str(tmp_path / "var"),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "migrate"],
            env=env,
            cwd=tmp_path,  # no `.env` but the test's (none)
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(w.wait(timeout=120), *w.communicate()) for w in workers]
    for code, out, err in outcomes:
        assert code == 0, err
        assert out.strip() == f"database at revision {', '.join(sorted(migrate.head_revisions()))}"


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_the_migrations_build_exactly_the_tables_the_code_declares(
    settings: Settings,
) -> None:
    """A table or column added to a tables.py without a migration (or the reverse) fails here."""
    database = Database.from_settings(settings)
    try:
        await migrate.upgrade(database)
        assert await database.read(_diff) == []
    finally:
        await database.dispose()

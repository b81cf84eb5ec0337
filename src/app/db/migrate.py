"""Apply Alembic migrations safely, even when several workers start at the same moment.

The whole upgrade runs in one transaction that first takes a lock: PostgreSQL's advisory
transaction lock, or SQLite's write lock (BEGIN IMMEDIATE). A worker that waited finds the
schema already at head and does nothing. Both databases have transactional DDL, so a failed
migration leaves the schema as it was. The transaction is `Database.maintain`'s: a write
that no request deadline or statement timeout cuts short, for a migration may rightly run
long, and so may the wait for another worker's.
"""

from functools import partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from app.db.database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number works; this one spells "contract migrations" to whoever finds it.
ADVISORY_LOCK_KEY = 0x0C0_7AC7_2026


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE took its lock
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
    command.upgrade(alembic_config(connection), revision)


async def upgrade(database: Database, revision: str = "head") -> None:
    await database.maintain(partial(_upgrade, revision=revision))


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(database: Database) -> set[str]:
    return await database.read(_current)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())

"""Alembic's entry point. The app passes its own connection; the `alembic` CLI gets one here."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from app.db.schema import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from app.db.database import Database
    from app.settings import Settings

    database = Database.from_settings(Settings())
    try:
        await database.maintain(run)
    finally:
        await database.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    asyncio.run(run_from_settings())

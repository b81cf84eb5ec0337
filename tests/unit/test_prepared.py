"""app/db/prepared.py answers what SQLAlchemy's own execution answers, and fails as it fails."""

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, bindparam, create_engine, select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import OperationalError

from app.db import prepared
from app.db.base import metadata
from app.items.repository import ItemRecord, ItemRepository, _page_statements
from app.items.tables import items
from app.users.repository import GET as GET_USER
from app.users.repository import UserRecord, UserRepository
from app.users.tables import users

OWNER = uuid.UUID("5f0c7a9e-1b2d-4c3e-8f4a-0b1c2d3e4f50")
NOW = datetime(2026, 12, 7, 6, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'prepared.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        UserRepository(connection).add(
            UserRecord(
                id=OWNER,
                email="owner@example.org",
                hashed_password="x",
                full_name=None,
                bio=None,
                is_active=True,
                is_superuser=False,
                is_verified=False,
                created_at=NOW,
                updated_at=NOW,
            )
        )
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
    return engine


def test_rows_and_types_are_sqlalchemys(engine: Engine) -> None:
    page, count = _page_statements("-created_at", True, False)
    cases: list[tuple[Select[Any], dict[str, Any]]] = [
        (GET_USER, {"user_id": OWNER}),
        (page, {"owner_id": OWNER, "offset": 1, "limit": 3}),
        (page, {"owner_id": uuid.uuid4(), "offset": 0, "limit": 3}),
        (count, {"owner_id": OWNER}),
    ]
    with engine.connect() as connection:
        for statement, parameters in cases:
            expected = [tuple(row) for row in connection.execute(statement, parameters).all()]
            assert [tuple(row) for row in prepared.rows(connection, statement, parameters)] == (
                expected
            )
        user = prepared.first(connection, GET_USER, {"user_id": OWNER})
    assert user is not None
    assert isinstance(user[0], uuid.UUID)
    assert user[-1] == NOW
    assert user[-1].tzinfo is not None


def test_a_driver_error_is_wrapped_as_sqlalchemy_wraps_it(engine: Engine) -> None:
    statement = select(items).where(items.c.id == bindparam("row_id"))
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP TABLE items")
        with pytest.raises(OperationalError) as caught:
            prepared.rows(connection, statement, {"row_id": uuid.uuid4()})
    assert isinstance(caught.value.orig, sqlite3.OperationalError)
    assert caught.value.statement == prepared.plan(statement, engine.dialect).sql  # type: ignore[union-attr]
    assert "parameters hidden" in str(caught.value)


def test_what_sqlalchemy_must_run_is_left_to_it(engine: Engine) -> None:
    expanding = select(users).where(users.c.id.in_(bindparam("ids", expanding=True)))
    valued = select(users).where(users.c.email == "owner@example.org")
    assert prepared.plan(expanding, engine.dialect) is None
    assert prepared.plan(valued, engine.dialect) is None
    assert prepared.plan(GET_USER, PGDialect_asyncpg()) is None  # type: ignore[no-untyped-call]
    with engine.connect() as connection:
        rows = prepared.rows(connection, expanding, {"ids": [OWNER]})
    assert [row[0] for row in rows] == [OWNER]

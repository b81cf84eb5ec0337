"""`UTCDateTime` gives back, on SQLite, the aware UTC datetime that went in, whatever the text."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    insert,
    select,
    text,
)

from app.db.types import UTCDateTime

STAMPS = Table(
    "stamps", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
)


def test_aware_datetimes_come_back_equal_and_in_utc(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'stamps.db'}")
    written = [
        datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 12, 7, 9, 30, 15, tzinfo=UTC),  # no microseconds
        datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    ]
    with engine.begin() as connection:
        STAMPS.create(connection)
        connection.execute(insert(STAMPS), [{"id": n, "at": at} for n, at in enumerate(written)])
        connection.execute(insert(STAMPS), {"id": 99, "at": None})
        read: dict[int, datetime | None] = dict(
            connection.execute(select(STAMPS.c.id, STAMPS.c.at)).all()
        )
    assert [read[n] for n in range(len(written))] == written
    assert all(getattr(read[n], "tzinfo", None) is UTC for n in range(len(written)))
    assert read[99] is None
    engine.dispose()


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-07 09:30:15.123456",  # SQLAlchemy's own format
        "2026-12-07 09:30:15",  # SQLite's CURRENT_TIMESTAMP
        "2026-12-07 09:30:15.5",
    ],
)
def test_text_in_any_format_sqlite_keeps_reads_as_the_dialect_reads_it(
    tmp_path: Path, stored: str
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'text.db'}")
    with engine.begin() as connection:
        STAMPS.create(connection)
        connection.execute(text("INSERT INTO stamps (id, at) VALUES (1, :at)"), {"at": stored})
        found = connection.execute(select(STAMPS.c.at)).scalar_one()
        # What SQLAlchemy's own DateTime reads of the same text, given its zone.
        plain = Table("stamps", MetaData(), Column("at", DateTime), extend_existing=True)
        expected = connection.execute(select(plain.c.at)).scalar_one().replace(tzinfo=UTC)
    assert found == expected
    assert found.tzinfo is UTC
    engine.dispose()


def test_a_naive_datetime_going_in_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'naive.db'}")
    with engine.begin() as connection:
        STAMPS.create(connection)
        with pytest.raises(Exception, match="aware datetime"):
            connection.execute(insert(STAMPS), {"id": 1, "at": datetime(2026, 12, 7)})
    engine.dispose()

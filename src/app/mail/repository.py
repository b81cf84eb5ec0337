"""SQL for the outbox: add a row in the caller's transaction; claim, finish and retry rows.

Claiming is one short transaction: the due rows are selected `FOR UPDATE SKIP LOCKED` on
PostgreSQL (rows another dispatcher is claiming at that moment are skipped, not waited for)
and their `next_attempt_at` moved a lease ahead, so no other dispatcher claims them while
this one sends. A dispatcher that dies mid-send leaves the lease to run out: the row is due
again, and sent again (at least once). SQLite has no row locks and needs none: its one writer
claims in turn (SQLAlchemy writes no FOR UPDATE for SQLite).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from app.mail.tables import outbox

ERROR_CHARS = 500  # the column's length


@dataclass(frozen=True, slots=True)
class Letter:
    """An email to send: its template, recipient and what the template needs."""

    template: str
    recipient: str
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row a dispatcher owns until its lease ends."""

    id: uuid.UUID
    letter: Letter
    created_at: datetime
    attempts: int  # including this one


class OutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, letter: Letter, now: datetime, row_id: uuid.UUID | None = None) -> uuid.UUID:
        row_id = row_id or uuid.uuid4()
        self._connection.execute(
            insert(outbox).values(
                id=row_id,
                template=letter.template,
                recipient=letter.recipient,
                context=letter.context,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
        return row_id

    def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
        due = (
            select(outbox)
            .where(outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = self._connection.execute(due).all()
        if not rows:
            return []
        self._connection.execute(
            update(outbox)
            .where(outbox.c.id.in_([row.id for row in rows]))
            .values(next_attempt_at=lease_until, attempts=outbox.c.attempts + 1)
        )
        return [
            Claimed(
                id=row.id,
                letter=Letter(row.template, row.recipient, dict(row.context)),
                created_at=row.created_at,
                attempts=row.attempts + 1,
            )
            for row in rows
        ]

    def sent(self, row_id: uuid.UUID, now: datetime) -> None:
        self._finish(row_id, sent_at=now, last_error=None)

    def retry(self, row_id: uuid.UUID, when: datetime, error: str) -> None:
        self._connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id, outbox.c.sent_at.is_(None))
            .values(next_attempt_at=when, last_error=error[:ERROR_CHARS])
        )

    def give_up(self, row_id: uuid.UUID, now: datetime, error: str) -> None:
        self._finish(row_id, failed_at=now, last_error=error[:ERROR_CHARS])

    def discard(self, row_id: uuid.UUID) -> None:
        """Drop a row with nothing to send (a reset asked for an email no account has)."""
        self._connection.execute(delete(outbox).where(outbox.c.id == row_id))

    def _finish(self, row_id: uuid.UUID, **values: Any) -> None:
        self._connection.execute(
            update(outbox).where(outbox.c.id == row_id).values(next_attempt_at=None, **values)
        )

    def pending(self) -> int:
        """How many rows wait to be sent (claimed ones included)."""
        query = select(func.count()).where(outbox.c.next_attempt_at.is_not(None))
        return int(self._connection.execute(query).scalar_one())

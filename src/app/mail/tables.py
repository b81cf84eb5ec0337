"""The `outbox` table: one row per email to send, written in the transaction that causes it.

`next_attempt_at` is when a dispatcher may next claim the row; NULL once it is sent or given
up, so the pending rows are exactly those an index on it finds at or before now.
"""

from sqlalchemy import JSON, Column, Integer, String, Table, Uuid

from app.db.base import metadata
from app.db.types import UTCDateTime

outbox = Table(
    "outbox",
    metadata,
    # Also the email's Message-ID (`<id@domain>`): every delivery of a row carries the same one.
    Column("id", Uuid, primary_key=True),
    Column("template", String(64), nullable=False),
    Column("recipient", String(254), nullable=False),
    # What the template needs besides the settings; never a token (app/auth/mail_tokens.py).
    Column("context", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("failed_at", UTCDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
)

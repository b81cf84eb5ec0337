"""The `refresh_tokens` table: one row per issued refresh token, stored as a hash only."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Uuid

from app.db.base import metadata
from app.db.types import UTCDateTime

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    # SHA-256 of the token: a stolen database dump yields no usable token.
    Column("token_hash", String(64), nullable=False, unique=True),
    # Every token rotated from one login shares a family; reuse revokes the whole family.
    Column("family_id", Uuid, nullable=False),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_refresh_tokens_family_id", "family_id"),
)

# Single-use tokens sent by email (password resets, email verification). The token itself is
# never stored: the row holds its SHA-256 for the lookup, and the email is rendered from the
# row's id and the secret key when it is sent (app/auth/mail_tokens.py), so neither this table
# nor the outbox yields a usable link.
mail_tokens = Table(
    "mail_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(16), nullable=False),  # "reset" or "verify"
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

"""The `users` table."""

from sqlalchemy import Boolean, Column, String, Table, Uuid, false

from app.db.base import metadata
from app.db.types import UTCDateTime

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Stored lower-cased, so uniqueness ignores case on every database.
    Column("email", String(254), nullable=False, unique=True),
    Column("hashed_password", String(512), nullable=False),
    Column("full_name", String(100), nullable=True),
    Column("bio", String(1000), nullable=True),
    Column("is_active", Boolean, nullable=False),
    Column("is_superuser", Boolean, nullable=False),
    # Set by following a link emailed to the address (verifyEmail, resetPassword). The server
    # default marks the accounts that existed before verification as not verified.
    Column("is_verified", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

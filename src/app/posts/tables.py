"""The `posts` table."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, Uuid

from app.db.base import metadata
from app.db.types import UTCDateTime

posts = Table(
    "posts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("slug", String(220), nullable=False, unique=True),
    Column("content", Text, nullable=False),
    Column("excerpt", String(500), nullable=True),
    Column("published", Boolean, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Column("author_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_posts_published_created_at_id", "published", "created_at", "id"),
    Index("ix_posts_author_id_created_at_id", "author_id", "created_at", "id"),
)

"""The `items` table. Prices are integer cents: exact on every database, and sortable."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Uuid

from app.db.base import metadata
from app.db.types import UTCDateTime

items = Table(
    "items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("description", String(2000), nullable=True),
    # SQLite has no decimal type (SQLAlchemy would store a float), so money is whole cents.
    Column("price_cents", BigInteger, nullable=False),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # Bumped by every update; the ETag is made from it, and If-Match compares it.
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # One index per list order (ties broken by id), so a page is an index range scan.
    Index("ix_items_created_at_id", "created_at", "id"),
    Index("ix_items_price_cents_id", "price_cents", "id"),
    Index("ix_items_owner_id_created_at_id", "owner_id", "created_at", "id"),
)

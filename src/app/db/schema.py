"""Import every tag's tables so that `metadata` describes the whole schema (for autogenerate)."""

from app.db.base import metadata

__all__ = ["metadata"]

"""Import every tag's tables so that `metadata` describes the whole schema (for autogenerate)."""

from app.auth.tables import refresh_tokens
from app.db.base import metadata
from app.items.tables import items
from app.posts.tables import posts
from app.users.tables import users

__all__ = ["items", "metadata", "posts", "refresh_tokens", "users"]

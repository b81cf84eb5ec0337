"""Import every tag's tables so that `metadata` describes the whole schema (for autogenerate)."""

from app.auth.tables import mail_tokens, refresh_tokens
from app.db.base import metadata
from app.items.tables import items
from app.mail.tables import outbox
from app.posts.tables import posts
from app.users.tables import users

__all__ = ["items", "mail_tokens", "metadata", "outbox", "posts", "refresh_tokens", "users"]

"""Single-use tokens sent by email: made from a row id and the secret key, stored as a hash.

The token is HMAC-SHA256(secret key, purpose and row id), base64url; the row id is that of
the outbox row of the email that carries it. The database keeps the id and the token's
SHA-256 (`mail_tokens`), and the outbox no token: the email is rendered when it is sent, by
whoever holds the secret key. A copy of the database therefore
yields no link that works, and the outbox row of a reset email is not a password reset.
Changing the secret key voids every link not yet used, as it voids every session.
"""

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, insert, select, update

from app.auth.tables import mail_tokens
from app.auth.tokens import fingerprint

Purpose = Literal["reset", "verify"]


def mail_token(secret: str, purpose: Purpose, token_id: uuid.UUID) -> str:
    """The token of row `token_id`: what the emailed link carries."""
    digest = hmac.new(
        secret.encode(), f"mail-token:{purpose}:".encode() + token_id.bytes, hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class Spent:
    user_id: uuid.UUID


class MailTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self,
        *,
        token_id: uuid.UUID,
        token_hash: str,
        purpose: Purpose,
        user_id: uuid.UUID,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._connection.execute(
            insert(mail_tokens).values(
                id=token_id,
                token_hash=token_hash,
                purpose=purpose,
                user_id=user_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def exists(self, token_id: uuid.UUID) -> bool:
        query = select(mail_tokens.c.id).where(mail_tokens.c.id == token_id)
        return self._connection.execute(query).first() is not None

    def use(self, token: str, purpose: Purpose, now: datetime) -> Spent | None:
        """Spend a live token of `purpose`, atomically: of concurrent callers one gets a row."""
        query = (
            update(mail_tokens)
            .where(
                mail_tokens.c.token_hash == fingerprint(token),
                mail_tokens.c.purpose == purpose,
                mail_tokens.c.used_at.is_(None),
                mail_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(mail_tokens.c.user_id)
        )
        row = self._connection.execute(query).first()
        return Spent(user_id=row.user_id) if row else None

    def spend_all(self, user_id: uuid.UUID, purpose: Purpose, now: datetime) -> None:
        """Void the account's other links of `purpose`: a reset leaves no older reset link."""
        self._connection.execute(
            update(mail_tokens)
            .where(
                mail_tokens.c.user_id == user_id,
                mail_tokens.c.purpose == purpose,
                mail_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )

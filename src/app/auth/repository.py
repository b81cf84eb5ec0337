"""SQL for refresh tokens: issue, use exactly once, revoke by family or by user."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from app.auth.tables import refresh_tokens


@dataclass(frozen=True, slots=True)
class Used:
    user_id: uuid.UUID
    family_id: uuid.UUID


class RefreshTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self,
        *,
        token_hash: str,
        family_id: uuid.UUID,
        user_id: uuid.UUID,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._connection.execute(
            insert(refresh_tokens).values(
                id=uuid.uuid4(),
                token_hash=token_hash,
                family_id=family_id,
                user_id=user_id,
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )

    def use(self, token_hash: str, now: datetime) -> Used | None:
        """Mark a live token used, atomically: of concurrent callers exactly one gets a row."""
        query = (
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_hash == token_hash,
                refresh_tokens.c.used_at.is_(None),
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(refresh_tokens.c.user_id, refresh_tokens.c.family_id)
        )
        row = self._connection.execute(query).first()
        return Used(user_id=row.user_id, family_id=row.family_id) if row else None

    def family_of(self, token_hash: str) -> uuid.UUID | None:
        query = select(refresh_tokens.c.family_id).where(refresh_tokens.c.token_hash == token_hash)
        family: uuid.UUID | None = self._connection.execute(query).scalar()
        return family

    def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        self._connection.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_user(self, user_id: uuid.UUID, now: datetime) -> None:
        self._connection.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

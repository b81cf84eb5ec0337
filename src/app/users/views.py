"""Account records as the contract shows them: never a password hash."""

from app.users.repository import UserRecord
from contract import models


def user_model(record: UserRecord) -> models.User:
    # Rows from our own tables are already valid: build without re-validating (cheaper).
    return models.User.model_construct(
        id=record.id,
        email=record.email,
        full_name=record.full_name,
        bio=record.bio,
        is_active=record.is_active,
        is_superuser=record.is_superuser,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )

"""Records for tests that write through the repositories themselves, below the API."""

import uuid
from datetime import datetime

from app.users.repository import UserRecord


def user_record(user_id: uuid.UUID, email: str, at: datetime) -> UserRecord:
    """An active, unverified account that is not a superuser, made and changed at `at`."""
    return UserRecord(
        id=user_id,
        email=email,
        hashed_password="x",
        full_name=None,
        bio=None,
        is_active=True,
        is_superuser=False,
        is_verified=False,
        created_at=at,
        updated_at=at,
    )

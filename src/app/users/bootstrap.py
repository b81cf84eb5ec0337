"""Create the first superuser at start-up when settings name one and it does not exist yet.

Idempotent, and safe when several workers start at once: the email is unique, so of racing
workers one inserts and the others see a Conflict and carry on.
"""

import logging
import uuid

from app.auth.passwords import Passwords
from app.db.database import Database
from app.db.types import utcnow
from app.errors import Conflict
from app.users.repository import UserRecord, UserRepository

log = logging.getLogger("app.bootstrap")


async def ensure_first_superuser(
    database: Database, passwords: Passwords, email: str, password: str
) -> None:
    email = email.lower()
    existing = await database.read(
        lambda connection: UserRepository(connection).get_by_email(email)
    )
    if existing is not None:
        return
    now = utcnow()
    record = UserRecord(
        id=uuid.uuid4(),
        email=email,
        hashed_password=await passwords.hash(password),
        full_name=None,
        bio=None,
        is_active=True,
        is_superuser=True,
        is_verified=False,  # no link was followed: it verifies like any account
        created_at=now,
        updated_at=now,
    )
    try:
        await database.write(lambda connection: UserRepository(connection).add(record))
    except Conflict:
        return  # another worker created it first
    # By id: an email is personal data, and no email reaches a log (README "Errors").
    log.info("created the first superuser, id %s", record.id)

"""What the services need to email an account: a token row, an outbox row, a limit, a wake-up.

`write` runs inside the caller's unit of work, so the email exists exactly when the change
that causes it (a registration, a reset request) is committed: the transactional outbox. The
email's token has the outbox row's id (app/auth/mail_tokens.py), so every delivery of the row
carries the same link. `wake` tells this process's dispatcher, after the commit, that there
is something to send (other processes' dispatchers find it at their next poll).

A password reset is asked for by email address, by anyone: the request writes the same row
whether or not an account has the address (`ask_reset`), and `prepare`, run by the
dispatcher in the background, looks the account up, makes its token, or discards the row.
So the request's work, and its time, do not depend on the answer.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from app.auth.mail_limits import MailsPerAccount
from app.auth.mail_tokens import Purpose, mail_token
from app.auth.tokens import fingerprint
from app.mail.messages import KINDS
from app.mail.repository import Claimed, Letter
from app.settings import Settings
from app.unit_of_work import SQL, Repositories
from app.users.repository import UserRecord


def nothing() -> None:
    """The wake-up when this process runs no dispatcher."""


@dataclass
class AccountMail:
    secret: str
    reset_ttl: timedelta
    verify_ttl: timedelta
    # The services' side: a worker (`prepare` only) needs neither.
    limit: MailsPerAccount | None = None
    wake: Callable[[], None] = nothing
    repositories: Repositories = SQL  # what `prepare` (the dispatcher's side) uses

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccountMail":
        return cls(
            secret=settings.secret_key.get_secret_value(),
            reset_ttl=timedelta(minutes=settings.password_reset_minutes),
            verify_ttl=timedelta(hours=settings.email_verification_hours),
        )

    async def take(self, email: str) -> None:
        """Count one email asked for `email` (MailsPerAccount); RateLimited past the limit."""
        if self.limit is not None:
            await self.limit.take(email)

    def write(
        self,
        connection: Connection,
        repositories: Repositories,
        user: UserRecord,
        template: str,
        now: datetime,
    ) -> None:
        """The `template` email to `user`, and the single-use token its link carries."""
        row_id = uuid.uuid4()
        self._token(repositories, connection, row_id, KINDS[template].purpose, user.id, now)
        context = {"full_name": user.full_name or ""}
        repositories.outbox(connection).add(Letter(template, user.email, context), now, row_id)

    def ask_reset(
        self, connection: Connection, repositories: Repositories, email: str, now: datetime
    ) -> None:
        """A reset email to `email`, should an active account have it (see `prepare`)."""
        repositories.outbox(connection).add(Letter("reset", email, {}), now)

    def prepare(self, connection: Connection, row: Claimed) -> Letter | None:
        """The dispatcher's side of `ask_reset`: the letter to send for `row`, with its token
        made (once: a redelivery finds it), or None when no active account has the address."""
        user = self.repositories.users(connection).get_by_email(row.letter.recipient)
        if user is None or not user.is_active:
            return None
        purpose = KINDS[row.letter.template].purpose
        if not self.repositories.mail_tokens(connection).exists(row.id):
            self._token(self.repositories, connection, row.id, purpose, user.id, row.created_at)
        return Letter(row.letter.template, user.email, {"full_name": user.full_name or ""})

    def _token(
        self,
        repositories: Repositories,
        connection: Connection,
        token_id: uuid.UUID,
        purpose: Purpose,
        user_id: uuid.UUID,
        now: datetime,
    ) -> None:
        repositories.mail_tokens(connection).add(
            token_id=token_id,
            token_hash=fingerprint(mail_token(self.secret, purpose, token_id)),
            purpose=purpose,
            user_id=user_id,
            created_at=now,
            expires_at=now + (self.reset_ttl if purpose == "reset" else self.verify_ttl),
        )

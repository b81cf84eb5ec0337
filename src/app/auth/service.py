"""Implements `contract.routers.auth.AuthApi`: accounts, logins, refresh-token rotation, and the
emailed links (password resets, email verification)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app import responses
from app.auth.account_mail import AccountMail
from app.auth.guesses import WrongPasswords
from app.auth.passwords import Passwords
from app.auth.repository import RefreshTokenRepository
from app.auth.tokens import InvalidToken, Tokens, fingerprint
from app.db.types import utcnow
from app.errors import InvalidField, InvalidRequest, Unauthenticated
from app.unit_of_work import SQL, Repositories, Transactions
from app.users.repository import UserRecord
from contract import models
from contract.routers.auth import AuthApi, RegisterResult

BAD_LOGIN = "The email or password is wrong, or the account is disabled."
BAD_REFRESH = "The refresh token is invalid, expired or revoked."
MAX_LOCAL_PART = 64
LONG_LOCAL_PART = f"The part before the @ is longer than {MAX_LOCAL_PART} characters."
RESET_ACCEPTED = "If an account has this email, a link to reset its password is on its way."
BAD_LINK = "The link is invalid, already used or expired; ask for a new one."


def _check_local_part(email: str) -> None:
    if len(email.rpartition("@")[0]) > MAX_LOCAL_PART:
        # RFC 5321's limit, part of `format: email`; the contract's pattern cannot count it.
        raise InvalidField(LONG_LOCAL_PART, pointer="#/email")


@dataclass
class AuthService(AuthApi):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    database: Transactions
    passwords: Passwords
    tokens: Tokens
    guesses: WrongPasswords
    mail: AccountMail
    repositories: Repositories = SQL

    async def register(self, *, body: models.UserRegister) -> RegisterResult:
        _check_local_part(body.email)
        # Hash before the transaction: SQLite has one writer, and hashing takes a while.
        hashed = await self.passwords.hash(body.password)
        now = utcnow()
        record = UserRecord(
            id=uuid.uuid4(),
            email=body.email.lower(),
            hashed_password=hashed,
            full_name=body.full_name,
            bio=None,
            is_active=True,
            is_superuser=False,
            is_verified=False,
            created_at=now,
            updated_at=now,
        )

        def work(connection: Connection) -> None:
            self.repositories.users(connection).add(record)
            # The welcome email commits with the account, or neither does (the outbox).
            self.mail.write(connection, self.repositories, record, "welcome", now)

        await self.database.write(work)
        self.mail.wake()
        return RegisterResult(
            body=responses.view(models.User, record), location=f"/api/v1/users/{record.id}"
        )

    async def login(self, *, body: models.LoginForm) -> models.TokenPair:
        # Past the account's limit of wrong passwords: 429 here, before any read or hash.
        async with self.guesses.guess(body.username) as guess:
            user = await self.database.read(
                lambda connection: self.repositories.users(connection).get_by_email(body.username)
            )
            matches = await self.passwords.verify(
                body.password, user.hashed_password if user else None
            )
            if user is None or not matches or not user.is_active:
                guess.failed()  # a right password on a disabled account counts too
                raise Unauthenticated(BAD_LOGIN)
        user_id, checked, now = user.id, user.hashed_password, utcnow()

        def issue(connection: Connection) -> models.TokenPair | None:
            # Deactivated, or given a new password, since the check: that change has revoked
            # every session, and this one must not be born after it.
            current = self.repositories.users(connection).get(user_id, lock=True)
            if current is None or not current.is_active or current.hashed_password != checked:
                return None
            tokens = self.repositories.refresh_tokens(connection)
            return self._issue(tokens, user_id, uuid.uuid4(), now)

        pair = await self.database.write(issue)
        if pair is None:
            raise Unauthenticated(BAD_LOGIN)
        return pair

    async def refresh_tokens(self, *, body: models.RefreshRequest) -> models.TokenPair:
        try:
            claims = self.tokens.decode(body.refresh_token, "refresh")
        except InvalidToken as exc:
            raise Unauthenticated(BAD_REFRESH) from exc
        token_hash, now = fingerprint(body.refresh_token), utcnow()

        def work(connection: Connection) -> models.TokenPair | None:
            # The account first (locked: see UserRepository.get), then its token, in the order
            # a deactivation takes them: a refresh racing it never outlives it.
            user = self.repositories.users(connection).get(claims.user_id, lock=True)
            tokens = self.repositories.refresh_tokens(connection)
            used = tokens.use(token_hash, now)
            if used is None:
                # Already used, revoked or unknown. A used token coming back means two parties
                # hold it: kill the whole family so the thief's copy dies too. (Committed,
                # then refused below.)
                family = tokens.family_of(token_hash)
                if family is not None:
                    tokens.revoke_family(family, now)
                return None
            if user is not None and user.is_active and used.user_id == user.id:
                # The new pair is stored in the same transaction that used the old one:
                # a crash in between cannot leave the caller with neither.
                return self._issue(tokens, user.id, used.family_id, now)
            return None

        pair = await self.database.write(work)
        if pair is None:
            raise Unauthenticated(BAD_REFRESH)
        return pair

    async def logout(self, *, body: models.RefreshRequest) -> None:
        try:
            self.tokens.decode(body.refresh_token, "refresh")
        except InvalidToken:
            return  # Idempotent: nothing we issued, or already dead.
        now, token_hash = utcnow(), fingerprint(body.refresh_token)

        def work(connection: Connection) -> None:
            tokens = self.repositories.refresh_tokens(connection)
            family = tokens.family_of(token_hash)
            if family is not None:
                tokens.revoke_family(family, now)

        await self.database.write(work)

    async def request_password_reset(
        self, *, body: models.PasswordResetRequest
    ) -> models.MailAccepted:
        _check_local_part(body.email)  # the format's rule, whether or not an account has it
        email = body.email.lower()
        # Counted per email whether or not an account has it: a 429 tells nothing either.
        await self.mail.take(email)
        now = utcnow()

        def work(connection: Connection) -> None:
            # The same row whatever the email, known or not: the dispatcher looks the
            # account up in the background (AccountMail.prepare), so this answer's work and
            # time say nothing about it (tests/api/test_reset_timing.py measures it).
            self.mail.ask_reset(connection, self.repositories, email, now)

        await self.database.write(work)
        # No wake-up: the dispatcher takes it at its next poll (APP_OUTBOX_POLL_S). Woken now,
        # it would look up and send on this event loop while this answer is on its way, and
        # a known email's answer would be the slower (measured: 14 ms against 4 ms).
        return models.MailAccepted(detail=RESET_ACCEPTED)

    async def reset_password(self, *, body: models.PasswordReset) -> None:
        hashed = await self.passwords.hash(body.new_password)
        now = utcnow()

        def work(connection: Connection) -> bool:
            links = self.repositories.mail_tokens(connection)
            spent = links.use(body.token, "reset", now)
            if spent is None:
                return False
            # Lock order as a deactivation's: the account, then its tokens (users/service.py).
            self.repositories.users(connection).update(
                spent.user_id, hashed_password=hashed, is_verified=True, updated_at=now
            )
            # Whoever knew the old password is signed out everywhere, and no older link works.
            self.repositories.refresh_tokens(connection).revoke_user(spent.user_id, now)
            links.spend_all(spent.user_id, "reset", now)
            return True

        if not await self.database.write(work):
            raise InvalidRequest(BAD_LINK)

    async def verify_email(self, *, body: models.EmailVerification) -> None:
        now = utcnow()

        def work(connection: Connection) -> bool:
            spent = self.repositories.mail_tokens(connection).use(body.token, "verify", now)
            if spent is None:
                return False
            self.repositories.users(connection).update(
                spent.user_id, is_verified=True, updated_at=now
            )
            return True

        if not await self.database.write(work):
            raise InvalidRequest(BAD_LINK)

    def _issue(
        self,
        tokens: RefreshTokenRepository,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        now: datetime,
    ) -> models.TokenPair:
        access, _ = self.tokens.issue("access", user_id, now)
        refresh, refresh_expires = self.tokens.issue("refresh", user_id, now)
        tokens.add(
            token_hash=fingerprint(refresh),
            family_id=family_id,
            user_id=user_id,
            issued_at=now,
            expires_at=refresh_expires,
        )
        return models.TokenPair(
            access_token=access,
            refresh_token=refresh,
            token_type="bearer",  # noqa: S106  # the OAuth2 token type, not a secret
            expires_in=int(self.tokens.access_ttl.total_seconds()),
        )

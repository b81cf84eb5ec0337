"""Implements `contract.routers.users.UsersApi`: your own account, and administration."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app import responses
from app.auth.account_mail import AccountMail
from app.auth.guesses import WrongPasswords
from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.db.types import utcnow
from app.errors import InvalidRequest, NotFound, PermissionDenied
from app.pagination import PageRequest
from app.unit_of_work import SQL, Repositories, Transactions
from app.users.repository import UserRecord
from contract import models
from contract.routers.users import UsersApi

NO_SUCH_USER = "No such account."
# A superuser who deactivates, demotes or deletes their own account through the admin operations
# may lock everyone out; another superuser can, and `deleteCurrentUser` is the deliberate way out.
NOT_YOURSELF = "A superuser may not deactivate, demote or delete their own account here."
VERIFICATION_ACCEPTED = "Unless your email is already verified, a link to verify it is on its way."


def _require_superuser(principal: Principal) -> None:
    if not principal.is_superuser:
        raise PermissionDenied("Only superusers may do this.")


@dataclass
class UsersService(UsersApi[Principal]):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    database: Transactions
    passwords: Passwords
    guesses: WrongPasswords
    mail: AccountMail
    repositories: Repositories = SQL

    async def get_current_user(self, *, principal: Principal) -> models.User:
        # Loaded by authentication: no second query.
        return responses.view(models.User, principal.user)

    async def update_current_user(
        self, *, body: models.UserUpdateMe, principal: Principal
    ) -> models.User:
        return await self._update(principal.user.id, body.model_dump(exclude_unset=True))

    async def change_password(self, *, body: models.PasswordChange, principal: Principal) -> None:
        # The current password is a guess like a login's, in the account's one budget: a
        # stolen access token buys no more guesses than the login form gives.
        async with self.guesses.guess(principal.user.email) as guess:
            if not await self.passwords.verify(
                body.current_password, principal.user.hashed_password
            ):
                guess.failed()
                raise InvalidRequest("The current password is wrong.")
        hashed = await self.passwords.hash(body.new_password)
        now = utcnow()
        user_id = principal.user.id

        def work(connection: Connection) -> None:
            self.repositories.users(connection).update(
                user_id, hashed_password=hashed, updated_at=now
            )
            self.repositories.refresh_tokens(connection).revoke_user(user_id, now)

        await self.database.write(work)

    async def request_email_verification(self, *, principal: Principal) -> models.MailAccepted:
        user = principal.user
        await self.mail.take(user.email)  # one budget with password resets
        if not user.is_verified:
            now = utcnow()
            await self.database.write(
                lambda connection: self.mail.write(
                    connection, self.repositories, user, "verify", now
                )
            )
            self.mail.wake()
        return models.MailAccepted(detail=VERIFICATION_ACCEPTED)

    async def delete_current_user(self, *, principal: Principal) -> None:
        user_id = principal.user.id
        await self.database.write(
            lambda connection: self.repositories.users(connection).delete(user_id)
        )

    async def list_users(self, *, page: int, size: int, principal: Principal) -> models.UserPage:
        _require_superuser(principal)
        request = PageRequest(page, size)
        # One statement carries the page and its total (app/db/rows.py): no transaction needed.
        records, total = await self.database.read(
            lambda connection: self.repositories.users(connection).page(request)
        )
        return responses.page(models.UserPage, records, total, request)

    async def get_user(self, *, user_id: uuid.UUID, principal: Principal) -> models.User:
        # Another user's account looks exactly like a missing one.
        if not principal.is_superuser and user_id != principal.user.id:
            raise NotFound(NO_SUCH_USER)
        record = await self.database.read(
            lambda connection: self.repositories.users(connection).get(user_id)
        )
        if record is None:
            raise NotFound(NO_SUCH_USER)
        return responses.view(models.User, record)

    async def update_user(
        self, *, user_id: uuid.UUID, body: models.UserUpdate, principal: Principal
    ) -> models.User:
        _require_superuser(principal)
        changes = body.model_dump(exclude_unset=True)
        demotes = changes.get("is_active") is False or changes.get("is_superuser") is False
        if user_id == principal.user.id and demotes:
            raise PermissionDenied(NOT_YOURSELF)
        return await self._update(user_id, changes)

    async def delete_user(self, *, user_id: uuid.UUID, principal: Principal) -> None:
        _require_superuser(principal)
        if user_id == principal.user.id:
            raise PermissionDenied(NOT_YOURSELF)
        deleted = await self.database.write(
            lambda connection: self.repositories.users(connection).delete(user_id)
        )
        if not deleted:
            raise NotFound(NO_SUCH_USER)

    async def _update(self, user_id: uuid.UUID, changes: dict[str, object]) -> models.User:
        now = utcnow()
        record = await self.database.write(
            lambda connection: self._apply(connection, user_id, changes, now)
        )
        if record is None:
            raise NotFound(NO_SUCH_USER)
        return responses.view(models.User, record)

    def _apply(
        self, connection: Connection, user_id: uuid.UUID, changes: dict[str, object], now: datetime
    ) -> UserRecord | None:
        """Apply `changes`; one that takes rights away also ends every session of the account.

        Deactivating (even an account already inactive) or demoting a superuser revokes every
        refresh-token family in the same transaction, so a reactivated or demoted account signs
        in again: no session outlives the rights it was started with. Reactivating revives none.
        """
        users = self.repositories.users(connection)
        before = users.get(user_id) if changes.get("is_superuser") is False else None
        record = users.update(user_id, **changes, updated_at=now)
        if record is None:
            return None
        demoted = before is not None and before.is_superuser
        if changes.get("is_active") is False or demoted:
            self.repositories.refresh_tokens(connection).revoke_user(user_id, now)
        return record

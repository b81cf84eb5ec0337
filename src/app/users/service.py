"""Implements `contract.routers.users.UsersApi`: your own account, and administration."""

import uuid

from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.auth.repository import RefreshTokenRepository
from app.db.database import Database
from app.db.types import utcnow
from app.errors import InvalidRequest, NotFound, PermissionDenied
from app.pagination import PageRequest
from app.users.repository import UserRepository
from app.users.views import user_model
from contract import models
from contract.routers.users import UsersApi

NO_SUCH_USER = "No such account."
# A superuser who deactivates, demotes or deletes their own account through the admin operations
# may lock everyone out; another superuser can, and `deleteCurrentUser` is the deliberate way out.
NOT_YOURSELF = "A superuser may not deactivate, demote or delete their own account here."


def _require_superuser(principal: Principal) -> None:
    if not principal.is_superuser:
        raise PermissionDenied("Only superusers may do this.")


class UsersService(UsersApi[Principal]):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    def __init__(self, database: Database, passwords: Passwords) -> None:
        self._database = database
        self._passwords = passwords

    async def get_current_user(self, *, principal: Principal) -> models.User:
        return user_model(principal.user)  # loaded by authentication: no second query

    async def update_current_user(
        self, *, body: models.UserUpdateMe, principal: Principal
    ) -> models.User:
        return await self._update(principal.user.id, body.model_dump(exclude_unset=True))

    async def change_password(self, *, body: models.PasswordChange, principal: Principal) -> None:
        if not await self._passwords.verify(body.current_password, principal.user.hashed_password):
            raise InvalidRequest("The current password is wrong.")
        hashed = await self._passwords.hash(body.new_password)
        now = utcnow()
        async with self._database.transaction(write=True) as connection:
            await UserRepository(connection).update(
                principal.user.id, hashed_password=hashed, updated_at=now
            )
            await RefreshTokenRepository(connection).revoke_user(principal.user.id, now)

    async def delete_current_user(self, *, principal: Principal) -> None:
        async with self._database.transaction(write=True) as connection:
            await UserRepository(connection).delete(principal.user.id)

    async def list_users(self, *, page: int, size: int, principal: Principal) -> models.UserPage:
        _require_superuser(principal)
        request = PageRequest(page, size)
        async with self._database.transaction(write=False) as connection:
            records, total = await UserRepository(connection).page(request)
        return models.UserPage(
            items=[user_model(r) for r in records],
            total=total,
            page=page,
            size=size,
            pages=request.pages(total),
        )

    async def get_user(self, *, user_id: uuid.UUID, principal: Principal) -> models.User:
        # Another user's account looks exactly like a missing one.
        if not principal.is_superuser and user_id != principal.user.id:
            raise NotFound(NO_SUCH_USER)
        async with self._database.transaction(write=False) as connection:
            record = await UserRepository(connection).get(user_id)
        if record is None:
            raise NotFound(NO_SUCH_USER)
        return user_model(record)

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
        async with self._database.transaction(write=True) as connection:
            if not await UserRepository(connection).delete(user_id):
                raise NotFound(NO_SUCH_USER)

    async def _update(self, user_id: uuid.UUID, changes: dict[str, object]) -> models.User:
        async with self._database.transaction(write=True) as connection:
            record = await UserRepository(connection).update(
                user_id, **changes, updated_at=utcnow()
            )
        if record is None:
            raise NotFound(NO_SUCH_USER)
        return user_model(record)

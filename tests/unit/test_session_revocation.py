"""Refresh-token families, without a database: rotation, reuse, logout, and the account changes
that end every session (deactivation, demotion, a new password).

A family is every refresh token rotated from one login. A used token coming back means two
parties hold it, so the whole family dies, and that revocation is committed even though the
refresh itself is refused. An account change that takes rights away revokes every family of
the account in the same transaction.
"""

from dataclasses import dataclass, replace

import pytest
from limits.aio.storage import MemoryStorage
from pydantic import SecretStr

from app.auth.account_mail import AccountMail
from app.auth.guesses import WrongPasswords
from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.auth.service import AuthService
from app.auth.tokens import Tokens, fingerprint
from app.errors import Unauthenticated
from app.settings import Settings
from app.users.repository import UserRecord
from app.users.service import UsersService
from contract import models
from tests.support.fakes import FakeDatabase, Store, fake_repositories

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"  # a test account's password
SETTINGS = Settings(
    secret_key=SecretStr("unit-test-secret-key-that-is-long-enough-0123"),
    insecure_fast_password_hashing=True,
    argon2_memory_kib=64,
    argon2_time_cost=1,
)


@dataclass
class Accounts:
    store: Store
    database: FakeDatabase
    auth: AuthService
    users: UsersService
    passwords: Passwords

    async def account(self, *, superuser: bool = False) -> UserRecord:
        hashed = await self.passwords.hash(PASSWORD)
        return self.store.add_user(superuser=superuser, hashed_password=hashed)

    async def login(self, user: UserRecord) -> models.TokenPair:
        form = models.LoginForm(username=user.email, password=PASSWORD)
        return await self.auth.login(body=form)

    async def refresh(self, pair: models.TokenPair) -> models.TokenPair:
        body = models.RefreshRequest(refresh_token=pair.refresh_token)
        return await self.auth.refresh_tokens(body=body)

    def revoked(self, pair: models.TokenPair) -> bool:
        return self.store.tokens[fingerprint(pair.refresh_token)].revoked_at is not None

    async def change(self, user: UserRecord, by: UserRecord, **changes: object) -> None:
        body = models.UserUpdate.model_validate(changes)
        await self.users.update_user(user_id=user.id, body=body, principal=Principal(by))


@pytest.fixture
def accounts() -> Accounts:
    store = Store()
    database = FakeDatabase(store)
    repositories = fake_repositories(store)
    passwords = Passwords(SETTINGS)
    guesses = WrongPasswords(MemoryStorage(), "10/minute", "unit", enabled=False)
    mail = AccountMail.from_settings(SETTINGS)
    auth = AuthService(database, passwords, Tokens(SETTINGS), guesses, mail, repositories)
    users = UsersService(database, passwords, guesses, mail, repositories)
    return Accounts(store, database, auth, users, passwords)


@pytest.fixture
async def user(accounts: Accounts) -> UserRecord:
    return await accounts.account()


@pytest.fixture
async def admin(accounts: Accounts) -> UserRecord:
    return await accounts.account(superuser=True)


async def test_a_refresh_rotates_within_the_family(accounts: Accounts, user: UserRecord) -> None:
    first = await accounts.login(user)
    second = await accounts.refresh(first)
    old, new = (accounts.store.tokens[fingerprint(p.refresh_token)] for p in (first, second))
    assert old.used_at is not None
    assert new.used_at is None
    assert old.family_id == new.family_id
    assert not accounts.revoked(second)


async def test_a_used_token_coming_back_revokes_its_family(
    accounts: Accounts, user: UserRecord
) -> None:
    """The whole family and only that, committed although the refresh is refused."""
    stolen, other_device = await accounts.login(user), await accounts.login(user)
    current = await accounts.refresh(stolen)
    commits = accounts.database.commits

    with pytest.raises(Unauthenticated):
        await accounts.refresh(stolen)

    assert accounts.database.commits == commits + 1
    assert accounts.revoked(current)
    with pytest.raises(Unauthenticated):
        await accounts.refresh(current)
    assert not accounts.revoked(other_device)
    await accounts.refresh(other_device)


async def test_logout_revokes_the_family_only(accounts: Accounts, user: UserRecord) -> None:
    leaving, staying = await accounts.login(user), await accounts.login(user)
    rotated = await accounts.refresh(leaving)
    await accounts.auth.logout(body=models.RefreshRequest(refresh_token=rotated.refresh_token))
    assert accounts.revoked(rotated)
    assert not accounts.revoked(staying)


async def test_deactivating_revokes_every_family_and_reactivating_revives_none(
    accounts: Accounts, admin: UserRecord, user: UserRecord
) -> None:
    pairs = [await accounts.login(user), await accounts.login(user)]
    bystander = await accounts.login(await accounts.account())

    await accounts.change(user, admin, is_active=False)
    assert all(accounts.revoked(pair) for pair in pairs)
    assert not accounts.revoked(bystander)

    await accounts.change(user, admin, is_active=True)
    assert all(accounts.revoked(pair) for pair in pairs)
    with pytest.raises(Unauthenticated):
        await accounts.refresh(pairs[0])
    await accounts.login(user)  # signing in again works


async def test_a_live_token_of_an_inactive_account_is_refused(
    accounts: Accounts, user: UserRecord
) -> None:
    pair = await accounts.login(user)
    # Inactive without the revocation a deactivation makes: the refresh checks the account too.
    accounts.store.users[user.id] = replace(user, is_active=False)
    with pytest.raises(Unauthenticated):
        await accounts.refresh(pair)


async def test_demoting_a_superuser_revokes_and_other_changes_do_not(
    accounts: Accounts, admin: UserRecord, user: UserRecord
) -> None:
    other_admin = await accounts.account(superuser=True)
    admins_pair, users_pair = await accounts.login(other_admin), await accounts.login(user)

    await accounts.change(user, admin, full_name="Renamed", is_superuser=False)  # not one
    await accounts.change(other_admin, admin, bio="Still in charge")
    assert not accounts.revoked(users_pair)
    assert not accounts.revoked(admins_pair)

    await accounts.change(other_admin, admin, is_superuser=False)
    assert accounts.revoked(admins_pair)
    assert not accounts.revoked(users_pair)


async def test_a_new_password_revokes_every_family(accounts: Accounts, user: UserRecord) -> None:
    pairs = [await accounts.login(user), await accounts.login(user)]
    body = models.PasswordChange(current_password=PASSWORD, new_password="a new long password")
    await accounts.users.change_password(body=body, principal=Principal(user))
    assert all(accounts.revoked(pair) for pair in pairs)

"""Accounts for API tests: register, sign in, the header that carries an access token, and a
first superuser configured in settings.

The helpers assert the happy path (201, 200) so a test reads as what it is about; a test about
a failing registration or login posts to `REGISTER` or `LOGIN` itself.
"""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from app.settings import Settings
from tests.support.contract import assert_matches

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
USERS = "/api/v1/users"

PASSWORD = "correct horse battery"
# Two first superusers: `with_superuser` configures SUPERUSER_* unless told otherwise; the
# users, items, posts and bootstrap tests pass ADMIN_* (or their own) explicitly.
SUPERUSER_EMAIL = "root@example.com"
SUPERUSER_PASSWORD = "root password 123"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin password, long enough"

# OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 degree of parallelism.
FLOOR_M, FLOOR_T, FLOOR_P = 19 * 1024, 2, 1
_ARGON2ID = re.compile(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+")


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: str
    refresh: str


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    password: str
    tokens: TokenPair

    @property
    def headers(self) -> dict[str, str]:
        """The `Authorization` header with this account's access token."""
        return bearer(self.tokens.access)

    @property
    def url(self) -> str:
        """This account's `/users/{id}`."""
        return f"{USERS}/{self.id}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_email(prefix: str = "user") -> str:
    """An email no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def with_superuser(
    settings: Settings, email: str = SUPERUSER_EMAIL, password: str = SUPERUSER_PASSWORD
) -> Settings:
    """`settings` plus a first superuser, created when the app starts."""
    return Settings(
        **{
            **settings.model_dump(),
            "first_superuser_email": email,
            "first_superuser_password": SecretStr(password),
        }
    )


async def register(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD, **fields: Any
) -> dict[str, Any]:
    """Register an account (201) and return its `User` body, checked against the contract."""
    body = {"email": email or new_email(), "password": password, **fields}
    response = await client.post(REGISTER, json=body)
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    assert_matches(user, "User")
    return user


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> TokenPair:
    """Sign in with the OAuth2 password form (200) and return the new token pair."""
    response = await client.post(LOGIN, data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return TokenPair(access=body["access_token"], refresh=body["refresh_token"])


async def _me(client: httpx.AsyncClient, tokens: TokenPair) -> dict[str, Any]:
    me = await client.get(ME, headers=bearer(tokens.access))
    assert me.status_code == 200, me.text
    user: dict[str, Any] = me.json()
    return user


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, user_id: str | None = None
) -> Account:
    """Sign an existing account in; its id is asked of `/users/me` unless given."""
    tokens = await login(client, email, password)
    if user_id is None:
        user_id = (await _me(client, tokens))["id"]
    assert user_id is not None
    return Account(id=user_id, email=email, password=password, tokens=tokens)


async def sign_up(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD, **fields: Any
) -> Account:
    """Register a new account (with any further `User` fields) and sign it in."""
    user = await register(client, email, password, **fields)
    tokens = await login(client, user["email"], password)
    return Account(id=user["id"], email=user["email"], password=password, tokens=tokens)


async def sign_in_superuser(
    client: httpx.AsyncClient, email: str = SUPERUSER_EMAIL, password: str = SUPERUSER_PASSWORD
) -> Account:
    """Sign in as the first superuser of an app built from `with_superuser(settings, ...)`."""
    tokens = await login(client, email, password)
    me = await _me(client, tokens)
    assert me["is_superuser"] is True
    return Account(id=me["id"], email=email, password=password, tokens=tokens)


def argon2_parameters(hashed: str) -> tuple[int, int, int]:
    """(m, t, p) of an argon2id hash in PHC format; fails the test for anything else."""
    match = _ARGON2ID.fullmatch(hashed)
    assert match, f"not an argon2id hash: {hashed[:30]}..."
    m, t, p = match.groups()
    return int(m), int(t), int(p)


def keys_anywhere(value: Any) -> set[str]:
    """Every object key in a JSON document, at any depth."""
    if isinstance(value, Mapping):
        return {str(k) for k in value} | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


def assert_no_secrets(body: Any) -> None:
    """No password or hash under any key, and no argon2 hash in any value."""
    leaked = {k for k in keys_anywhere(body) if "password" in k.lower() or "hash" in k.lower()}
    assert not leaked, leaked
    assert "$argon2" not in repr(body)

"""Accounts for the `users` tests: register and sign in through the API, and a superuser app."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from app.settings import Settings
from tests.support.contract import assert_matches

PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin password, long enough"
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"
USERS = "/api/v1/users"


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def url(self) -> str:
        return f"{USERS}/{self.id}"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = PASSWORD,
    **extra: Any,
) -> dict[str, Any]:
    """Create an account; the contract's User as the API returned it."""
    response = await client.post(
        REGISTER, json={"email": email or unique_email(), "password": password, **extra}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert_matches(body, "User")
    return body


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    """Sign in; the TokenPair."""
    response = await client.post(LOGIN, data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, user_id: str | None = None
) -> Account:
    pair = await login(client, email, password)
    if user_id is None:
        me = await client.get(ME, headers=bearer(pair["access_token"]))
        assert me.status_code == 200, me.text
        user_id = me.json()["id"]
    assert user_id is not None
    return Account(user_id, email, password, pair["access_token"], pair["refresh_token"])


async def new_account(client: httpx.AsyncClient, **extra: Any) -> Account:
    """Register a fresh account and sign it in."""
    email = unique_email()
    user = await register(client, email, **extra)
    return await sign_in(client, email, PASSWORD, user["id"])


def superuser_settings(
    settings: Settings, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD
) -> Settings:
    """`settings` with a first superuser that start-up creates."""
    return settings.model_copy(
        update={"first_superuser_email": email, "first_superuser_password": SecretStr(password)}
    )


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

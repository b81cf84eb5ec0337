"""One app per test module for the security suite, a superuser, and a tripwire app.

Each test module walks every operation of the spec, a few requests each, so the apps are built
once per module (anyio's backend fixture is widened to the session for that). Tests sign up
fresh accounts and create fresh resources, so they share an app without sharing state.

The tripwire app serves the same database with every service method replaced by one that notes
the call and raises: a request it answers with anything but a 500 was refused before any
service, query or password hash ran. Its error message carries secrets a 500 must not leak.
`hashing` counts the password hashes and checks of the real app.
"""

import typing
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.providers import Providers
from app.settings import Settings
from contract.api import OPERATIONS
from tests.support.accounts import Account, sign_in_superuser, with_superuser
from tests.support.clients import started
from tests.support.operations import Operation, operations
from tests.support.settings import FAST_HASHING, TEST_SECRET

ALLOWED_ORIGIN = "https://app.example"
MAX_BODY = 64 * 1024  # room for the longest field (50,000 characters), so each is a 422
# What an exception deep in a service might carry; no response may show any of it.
SQL = "SELECT hashed_password FROM users WHERE email = 'victim@example.com'"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def every_operation() -> list[Any]:
    """One pytest param per operation of the spec: what every walk in this suite takes.

    tests/security/test_coverage.py checks that each parametrised test here takes them all.
    """
    return [pytest.param(op, id=op.operation_id) for op in operations()]


@pytest.fixture(scope="module")
def security_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    directory: Path = tmp_path_factory.mktemp("security")
    return with_superuser(
        Settings(
            database_url=f"sqlite+aiosqlite:///{directory / 'security.db'}",
            secret_key=TEST_SECRET,
            var_dir=directory / "var",
            validate_responses=True,
            max_body_bytes=MAX_BODY,
            cors_origins=[ALLOWED_ORIGIN],
            # On, as in production, but out of reach of a suite that signs up hundreds of users.
            rate_limit_auth="100000/minute",
            **FAST_HASHING,
        )
    )


@pytest.fixture(scope="module")
def app(security_settings: Settings) -> FastAPI:
    return create_app(security_settings)


@pytest.fixture(scope="module")
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(app):
        yield client


@pytest.fixture
def hashing(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each password hash ("hash") and check ("verify") the app does during the test."""
    calls: list[str] = []
    passwords = app.state.providers.passwords
    for name in ("hash", "verify"):
        real = getattr(passwords, name)

        async def counted(*args: Any, _name: str = name, _real: Any = real, **kwargs: Any) -> Any:
            calls.append(_name)
            return await _real(*args, **kwargs)

        monkeypatch.setattr(passwords, name, counted)
    return calls


@pytest.fixture(scope="module")
async def superuser(api: httpx.AsyncClient) -> Account:
    return await sign_in_superuser(api)


# The tripwire


class Tripped(RuntimeError):
    """A service method ran in the tripwire app."""


@dataclass
class Tripwire:
    settings: Settings
    client: httpx.AsyncClient = field(init=False)  # set once the app has started
    services: list[str] = field(default_factory=list)  # "Class.method" of each call

    def reset(self) -> None:
        self.services.clear()

    @property
    def secrets(self) -> list[str]:
        """What the tripped exception carries and no response may contain."""
        return [TEST_SECRET, self.settings.database_url, SQL, "Tripped", "Traceback"]


def _tripping_service(tag: str, real: type, wire: Tripwire) -> type:
    def tripping(name: str) -> Callable[..., Any]:
        async def method(self: object, **_: object) -> NoReturn:
            wire.services.append(f"{real.__name__}.{name}")
            raise Tripped(
                f"{real.__name__}.{name} failed running {SQL} on {wire.settings.database_url} "
                f"with key {TEST_SECRET}"
            )

        method.__name__ = name
        return method

    names = {info.method_name for info in OPERATIONS if info.tag == tag}
    return type(f"Tripping{real.__name__}", (real,), {name: tripping(name) for name in names})


def _tripping_provider(tag: str, wire: Tripwire) -> Callable[[Providers], Any]:
    real: type = typing.get_type_hints(getattr(Providers, tag))["return"]
    tripping = _tripping_service(tag, real, wire)

    async def provide(self: Providers) -> Any:
        return object.__new__(tripping)  # never initialised: it never gets to use anything

    provide.__annotations__ = {"return": tripping}  # what create_app's contract check reads
    return provide


@pytest.fixture(scope="module")
def tripwire_app(security_settings: Settings) -> tuple[FastAPI, Tripwire]:
    wire = Tripwire(settings=security_settings)
    with pytest.MonkeyPatch.context() as patch:
        # build_routers binds each `providers.<tag>` as the app is built: patched only for that.
        for tag in {info.tag for info in OPERATIONS}:
            patch.setattr(Providers, tag, _tripping_provider(tag, wire))
        app = create_app(security_settings.model_copy(update={"first_superuser_email": ""}))
    return app, wire


@pytest.fixture(scope="module")
async def tripwire_client(
    api: httpx.AsyncClient, tripwire_app: tuple[FastAPI, Tripwire]
) -> AsyncIterator[Tripwire]:
    """The tripwire app, started after `api` (which migrated the shared database)."""
    app, wire = tripwire_app
    async for client in started(app):
        wire.client = client
        yield wire


@pytest.fixture
def tripwire(tripwire_client: Tripwire) -> Tripwire:
    tripwire_client.reset()
    return tripwire_client


def operation_of(item: pytest.Item) -> Operation | None:
    callspec = getattr(item, "callspec", None)
    op = callspec.params.get("op") if callspec is not None else None
    return op if isinstance(op, Operation) else None

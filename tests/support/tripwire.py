"""An app whose every service method notes the call and raises: the security suite's tripwire.

It serves the database of another app (the security suite's). A request it answers with
anything but a 500 was refused before any service, query or password hash ran. The error it
raises carries secrets a 500 must not leak.
"""

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.providers import Providers
from app.settings import Settings
from contract.api import OPERATIONS
from tests.support.settings import TEST_SECRET

# What an exception deep in a service might carry; no response may show any of it.
SQL = "SELECT hashed_password FROM users WHERE email = 'victim@example.com'"


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


def tripping_service(tag: str, real: type, wire: Tripwire) -> type:
    """A subclass of the service `real` whose methods for `tag`'s operations all raise."""

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


def tripping_provider(tag: str, wire: Tripwire) -> Callable[[Providers], Any]:
    real: type = typing.get_type_hints(getattr(Providers, tag))["return"]
    tripping = tripping_service(tag, real, wire)

    def provide(self: Providers) -> Any:
        return object.__new__(tripping)  # never initialised: it never gets to use anything

    provide.__annotations__ = {"return": tripping}  # what create_app's contract check reads
    return provide


def tripwire_app(settings: Settings) -> tuple[FastAPI, Tripwire]:
    """The tripwire app on `settings`' database (no first superuser: the real app made it)."""
    wire = Tripwire(settings=settings)
    with pytest.MonkeyPatch.context() as patch:
        # build_routers binds each `providers.<tag>` as the app is built: patched only for that.
        for tag in {info.tag for info in OPERATIONS}:
            patch.setattr(Providers, tag, tripping_provider(tag, wire))
        app = create_app(settings.model_copy(update={"first_superuser_email": ""}))
    return app, wire

"""APP_VALIDATE_RESPONSES through `create_app`: a service that answers off-contract fails loudly.

The tests' settings turn the check on, so every other API test also runs under it. Here a
service is swapped for one with a bug the check exists for (a leaked field, a missing one, an
undeclared status) and the response must become a logged 500; with the setting off, the same
bug goes through, which is what production would see without the check.
"""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import Field
from starlette.responses import Response

from app.auth.principal import Principal
from app.errors import Conflict
from app.health.service import HealthService
from app.main import create_app
from app.providers import Providers
from app.settings import Settings
from app.users.service import UsersService
from contract import models
from tests.support.accounts import ME, sign_up
from tests.support.clients import started
from tests.support.contract import assert_matches, assert_problem
from tests.support.http import client_with

pytestmark = pytest.mark.anyio


class LeakyUser(models.User):
    hashed_password: str


class PartialUser(models.User):
    bio: str | None = Field(default=None, exclude=True)


class LeakyUsersService(UsersService):
    """Answers `getCurrentUser` with the password hash in it."""

    async def get_current_user(self, *, principal: Principal) -> models.User:
        user = await super().get_current_user(principal=principal)
        return LeakyUser(**user.model_dump(), hashed_password=principal.user.hashed_password)


class PartialUsersService(UsersService):
    """Answers `getCurrentUser` without `bio`, which the contract requires."""

    async def get_current_user(self, *, principal: Principal) -> models.User:
        user = await super().get_current_user(principal=principal)
        return PartialUser(**user.model_dump())


class ConflictedHealthService(HealthService):
    """Answers `getLiveness` with a 409, which it does not declare."""

    async def get_liveness(self) -> models.HealthStatus:
        raise Conflict("a status getLiveness does not declare")


def leaky_users(self: Providers) -> LeakyUsersService:
    return LeakyUsersService(self.database, self.passwords, self.guesses, self.account_mail)


def partial_users(self: Providers) -> PartialUsersService:
    return PartialUsersService(self.database, self.passwords, self.guesses, self.account_mail)


def conflicted_health(self: Providers) -> ConflictedHealthService:
    return ConflictedHealthService(self.database)


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(create_app(settings)):
        yield client


def contract_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.contract" and r.levelno == logging.ERROR]


def test_the_check_is_off_by_default_and_on_in_the_tests(sqlite_settings: Settings) -> None:
    assert Settings.model_fields["validate_responses"].default is False
    assert sqlite_settings.validate_responses is True


@pytest.mark.parametrize(
    ("provider", "violation"),
    [
        pytest.param(leaky_users, "('hashed_password' was unexpected)", id="extra-field"),
        pytest.param(partial_users, "'bio' is a required property", id="missing-field"),
    ],
)
async def test_a_body_off_contract_becomes_a_logged_500(
    sqlite_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    provider: object,
    violation: str,
) -> None:
    monkeypatch.setattr(Providers, "users", provider)
    caplog.set_level(logging.ERROR, logger="app.contract")
    async for client in client_for(sqlite_settings):
        account = await sign_up(client)
        response = await client.get(ME, headers={**account.headers, "X-Request-ID": "off-1"})
    problem = assert_problem(response, 500)
    assert problem["detail"] == (
        "The service answered getCurrentUser with a 200 response the contract does not allow; "
        "the log names each violation. Quote request id off-1 when reporting it."
    )
    assert "$argon2" not in response.text
    [record] = contract_errors(caplog)
    assert "getCurrentUser answered 200 (request_id=off-1)" in record.getMessage()
    assert violation in record.getMessage()
    assert record.__dict__["request_id"] == "off-1"


async def test_an_undeclared_status_becomes_a_logged_500(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Providers, "health", conflicted_health)
    caplog.set_level(logging.ERROR, logger="app.contract")
    async for client in client_for(sqlite_settings):
        response = await client.get("/health/live")
    assert_problem(response, 500)
    [record] = contract_errors(caplog)
    assert "getLiveness answered 409" in record.getMessage()
    assert "status 409 is not declared" in record.getMessage()


async def test_with_the_setting_off_nothing_is_checked(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Providers, "users", leaky_users)
    caplog.set_level(logging.ERROR, logger="app.contract")
    settings = sqlite_settings.model_copy(update={"validate_responses": False})
    async for client in client_for(settings):
        account = await sign_up(client)
        response = await client.get(ME, headers=account.headers)
    assert response.status_code == 200
    assert response.json()["hashed_password"].startswith("$argon2id$")
    assert contract_errors(caplog) == []


async def test_responses_on_contract_pass_untouched(
    sqlite_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.contract")
    registered = await sqlite_client.post(
        "/api/v1/auth/register", json={"email": "ok@example.com", "password": "long enough pw"}
    )
    assert registered.status_code == 201, registered.text
    assert registered.headers["location"] == f"/api/v1/users/{registered.json()['id']}"
    assert_matches(registered.json(), "User")
    invalid = await sqlite_client.post("/api/v1/auth/register", json={"email": "x"})
    assert_problem(invalid, 422, "ValidationProblem")  # a Problem plus `errors`: allowed
    assert_problem(await sqlite_client.get("/no/such/path"), 404)
    assert_problem(await sqlite_client.delete("/health/live"), 405)
    spec = await sqlite_client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.1")
    assert (await sqlite_client.get("/docs")).headers["content-type"].startswith("text/html")
    assert contract_errors(caplog) == []


async def test_a_problem_outside_the_contract_must_still_be_a_problem(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    router = APIRouter()

    @router.get("/test/bad-problem")
    async def bad_problem() -> Response:
        return Response(b'{"title": "Teapot"}', 418, media_type="application/problem+json")

    caplog.set_level(logging.ERROR, logger="app.contract")
    async for client in client_with(sqlite_settings, router):
        response = await client.get("/test/bad-problem")
    assert_problem(response, 500)
    [record] = contract_errors(caplog)
    assert "GET /test/bad-problem answered 418" in record.getMessage()
    assert "'type' is a required property" in record.getMessage()

"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows, for every operation.

The flows worth automating against this service are guessing passwords and minting accounts
or tokens, and what they cost the service is a password hash. So: every public operation that
makes the real app hash or check a password declares 429, and every operation that declares
429 is limited: past the limit it answers 429 with `Retry-After`.
"""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import Account
from tests.support.clients import started
from tests.support.collection import every_operation
from tests.support.contract import assert_problem
from tests.support.operations import Operation
from tests.support.walk import access, prepare

pytestmark = pytest.mark.anyio

LIMIT = 2


@pytest.fixture(scope="module")
async def limited(security_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The same database behind an app with a tiny rate limit."""
    settings = security_settings.model_copy(update={"rate_limit_auth": f"{LIMIT}/minute"})
    async for client in started(create_app(settings)):
        yield client


@pytest.mark.parametrize("op", every_operation())
async def test_anonymous_password_work_is_rate_limited(
    api: httpx.AsyncClient,
    limited: httpx.AsyncClient,
    superuser: Account,
    hashing: list[str],
    op: Operation,
) -> None:
    prepared = await prepare(api, op, superuser)
    hashing.clear()
    response = await prepared.send(api)
    assert response.is_success, response.text
    if access(op) == "public" and hashing:
        assert op.declares(429), f"{op} lets anyone make the service {hashing[0]} a password"
    if not op.declares(429):
        return
    answers = [await prepared.send(limited) for _ in range(LIMIT + 1)]
    assert 429 not in [a.status_code for a in answers[:LIMIT]]
    problem = assert_problem(answers[-1], 429)
    assert problem["type"] == "urn:problem-type:rate-limited"
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60

"""OWASP API2:2023 Broken Authentication, for every operation of the spec.

An operation needs a token exactly where its `security` says: one that requires a token refuses
every request without a valid one (401, `WWW-Authenticate: Bearer`); one with an optional token
refuses a token that is sent but not valid; a public one serves anyone. A token is valid only if
the service signed it, for an access token, unexpired, for an account that still exists and is
active (tests/support/tokens.py builds each forgery).
"""

from typing import Any

import httpx
import pytest

from app.settings import Settings
from tests.support.accounts import ME, Account, bearer, sign_up
from tests.support.collection import every_operation
from tests.support.contract import assert_problem
from tests.support.operations import Operation
from tests.support.tokens import FORGERIES, claims_for
from tests.support.walk import access, prepare

pytestmark = pytest.mark.anyio

NO_CREDENTIALS: dict[str, dict[str, str]] = {
    "no-header": {},
    "empty-bearer": {"Authorization": "Bearer"},
    "basic": {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
    "token-without-scheme": {"Authorization": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"},
}


def assert_unauthenticated(response: httpx.Response, why: str) -> None:
    assert response.status_code == 401, f"{why}: {response.status_code} {response.text}"
    problem = assert_problem(response, 401)
    assert problem["type"] == "urn:problem-type:unauthenticated", why
    assert response.headers["www-authenticate"] == "Bearer", why


@pytest.fixture(scope="module")
async def dead_tokens(api: httpx.AsyncClient, superuser: Account) -> dict[str, str]:
    """Genuine access tokens whose account was deleted, or deactivated by a superuser."""
    deleted = await sign_up(api)
    assert (await api.delete(ME, headers=deleted.headers)).status_code == 204
    disabled = await sign_up(api)
    response = await api.patch(
        f"/api/v1/users/{disabled.id}", json={"is_active": False}, headers=superuser.headers
    )
    assert response.status_code == 200, response.text
    return {"deleted-account": deleted.tokens.access, "deactivated-account": disabled.tokens.access}


@pytest.mark.parametrize("op", every_operation())
async def test_a_token_is_needed_exactly_where_the_spec_says(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    prepared = await prepare(api, op, superuser)
    kind = access(op)
    if kind == "required":
        assert op.declares(401), f"{op} takes a token but does not declare 401"
        for why, headers in NO_CREDENTIALS.items():
            assert_unauthenticated(await prepared.send(api, caller=None, headers=headers), why)
    elif kind == "optional":
        # Anonymous callers are served (a draft may still be a 404 to them), never refused.
        response = await prepared.send(api, caller=None)
        assert response.status_code != 401, response.text
        assert response.status_code < 500, response.text
    else:
        # Public: the anonymous request is the one that must work (no token is ever read).
        response = await prepared.send(api, caller=None)
        assert response.is_success, response.text
        return
    response = await prepared.send(api)  # the control: the same request with the caller's token
    assert response.is_success, response.text


@pytest.mark.parametrize("op", every_operation())
async def test_a_forged_or_dead_token_is_refused(
    api: httpx.AsyncClient,
    superuser: Account,
    security_settings: Settings,
    dead_tokens: dict[str, str],
    op: Operation,
) -> None:
    prepared = await prepare(api, op, superuser)
    if access(op) == "public":
        # It reads no token, so a forged one neither opens nor closes anything.
        response = await prepared.send(api, caller=None, headers=bearer("forged.token.here"))
        assert response.is_success, response.text
        return
    tokens: dict[str, Any] = {
        name: forge(claims_for(prepared.caller.id, security_settings))
        for name, forge in FORGERIES.items()
    }
    tokens["refresh-token-as-access-token"] = prepared.caller.tokens.refresh
    tokens.update(dead_tokens)
    for why, token in tokens.items():
        response = await prepared.send(api, caller=None, headers=bearer(token))
        assert_unauthenticated(response, why)
    response = await prepared.send(api)  # the control: the caller's genuine token works
    assert response.is_success, response.text

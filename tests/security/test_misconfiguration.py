"""OWASP API8:2023 Security Misconfiguration, for every operation of the spec.

CORS: only the configured origin is ever let in; any other origin, including ones that merely
start or end like it, gets no `Access-Control-Allow-Origin`, neither on a preflight nor on the
request itself. Errors: a service failure whose exception carries the signing key, the database
URL and SQL answers a plain 500 problem with none of it, and no traceback.
"""

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.collection import every_operation
from tests.support.contract import assert_problem
from tests.support.operations import Operation
from tests.support.security_settings import ALLOWED_ORIGIN
from tests.support.tripwire import Tripwire
from tests.support.walk import prepare

pytestmark = pytest.mark.anyio

ACAO = "access-control-allow-origin"
DISALLOWED = (
    "https://evil.example",
    f"{ALLOWED_ORIGIN}.evil.example",  # the allowed origin as a prefix
    f"https://evil{ALLOWED_ORIGIN.removeprefix('https://')}",  # ... and as a suffix
    ALLOWED_ORIGIN.replace("https://", "http://"),  # another scheme
    f"{ALLOWED_ORIGIN}:8443",  # another port
    "null",  # sandboxed frames and file:// pages
)


def preflight_headers(op: Operation, origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": op.method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


@pytest.mark.parametrize("op", every_operation())
async def test_cors_lets_in_only_the_configured_origin(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    prepared = await prepare(api, op, superuser)
    for origin in DISALLOWED:
        preflight = await api.options(prepared.path, headers=preflight_headers(op, origin))
        assert ACAO not in preflight.headers, (origin, preflight.headers)
        assert preflight.status_code >= 400, (origin, preflight.status_code)
        response = await prepared.send(api, caller=None, headers={"Origin": origin})
        assert ACAO not in response.headers, (origin, response.headers)
    # The control: the configured origin is let in, on the preflight and on the request.
    preflight = await api.options(prepared.path, headers=preflight_headers(op, ALLOWED_ORIGIN))
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers[ACAO] == ALLOWED_ORIGIN
    assert "access-control-allow-credentials" not in preflight.headers  # bearer, not cookies
    response = await prepared.send(api, headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers[ACAO] == ALLOWED_ORIGIN, response.headers


@pytest.mark.parametrize("op", every_operation())
async def test_a_failing_service_leaks_nothing(
    api: httpx.AsyncClient, superuser: Account, tripwire: Tripwire, op: Operation
) -> None:
    assert op.declares(500), f"{op} does not declare 500"
    prepared = await prepare(api, op, superuser)
    tripwire.reset()
    response = await prepared.send(tripwire.client, headers={"X-Request-ID": "leak-check"})
    problem = assert_problem(response, 500)
    assert len(tripwire.services) == 1, "the request did not reach its service"
    assert problem["detail"] == (
        "An unexpected error occurred. Quote request id leak-check when reporting it."
    )
    shown = response.text + str(response.headers)
    for secret in tripwire.secrets:
        assert secret not in shown, secret

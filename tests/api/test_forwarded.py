"""X-Forwarded-For is believed only from the proxies APP_FORWARDED_ALLOW_IPS names (issue 12,
point 7): otherwise a client rotating the header would get a fresh sign-in limit every time.

Real `python -m app serve` processes; the client is 127.0.0.1, which plain uvicorn trusts by
default (`--forwarded-allow-ips`), so these fail where the service is run that way.
"""

from pathlib import Path

import httpx
import pytest

from tests.support.accounts import LOGIN
from tests.support.served import served

pytestmark = pytest.mark.slow

LIMIT = 3
SETTINGS = {"APP_RATE_LIMIT_AUTH": f"{LIMIT}/minute", "APP_SHUTDOWN_DRAIN_S": "0"}
FORM = {"username": "nobody@example.com", "password": "wrong password"}


def _logins(base_url: str, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return [
            client.post(LOGIN, data=FORM, headers={"X-Forwarded-For": address}).status_code
            for address in forwarded_for
        ]


def test_rotating_x_forwarded_for_does_not_escape_the_limit_by_default(tmp_path: Path) -> None:
    with served(tmp_path, SETTINGS) as server:
        statuses = _logins(server.base_url, [f"203.0.113.{n}" for n in range(1, 8)])
    assert statuses == [401] * LIMIT + [429] * (7 - LIMIT)


def test_a_named_proxy_s_forwarded_address_is_the_client(tmp_path: Path) -> None:
    settings = {**SETTINGS, "APP_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with served(tmp_path, settings) as server:
        rotating = _logins(server.base_url, [f"203.0.113.{n}" for n in range(1, 8)])
        # One client behind the proxy, and the proxy's own hop appended after it.
        one = _logins(server.base_url, ["198.51.100.7, 127.0.0.1"] * (LIMIT + 1))
    assert rotating == [401] * 7  # seven clients, each within its own limit
    assert one == [401] * LIMIT + [429]

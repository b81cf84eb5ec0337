"""APP_ALLOWED_HOSTS on a real server (`python -m app serve` with its default settings): this
machine's names get through on any port, any other `Host` gets a 400 problem+json that carries
the request id and the security headers. The matching rules: tests/unit/test_allowed_hosts.py.
"""

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.contract import assert_problem
from tests.support.served import Served, served

READY = "/health/ready"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("hosts")) as running:
        yield running


def get(server: Served, host: str | None, path: str = READY, **headers: str) -> httpx.Response:
    """GET `path` from the server (on 127.0.0.1) saying it is for `host`."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        if host is not None:
            headers["Host"] = host
        return client.get(path, headers=headers)


def test_the_default_hosts_are_served(server: Served) -> None:
    port = urlsplit(server.base_url).port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        response = get(server, host)
        assert response.status_code == 200, (host, response.text)
        assert response.json()["status"] == "ok"


def test_another_host_gets_a_400_problem_with_the_request_id_and_security_headers(
    server: Served,
) -> None:
    refused = get(server, "evil.example", "/api/v1/items", **{"X-Request-ID": "host-check-1"})
    body = assert_problem(refused, 400)
    assert body["request_id"] == "host-check-1"
    assert body["type"] == "urn:problem-type:invalid-request"
    assert body["instance"] == "/api/v1/items"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert refused.headers["x-frame-options"] == "DENY"
    assert refused.headers["referrer-policy"] == "no-referrer"
    assert refused.headers["cache-control"] == "no-store"
    for host in ("evil.example:80", "127.0.0.1.evil.example", "localhost.", "[::2]"):
        assert get(server, host).status_code == 400, host

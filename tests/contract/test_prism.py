"""Prism (`prism mock openapi/openapi.yaml`), a mock server built from the spec alone.

Every operation, sent the request its examples make, gets its success status with the
contract's example, which Prism finds valid (no `sl-violations`) and which the service's own
response check (`ResponseContract`) allows. Without examples Prism would invent `"string"` where
a pattern is required. Skipped where `prism` is not on PATH; .ci/run installs it.
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.middleware.response_validation import ResponseContract
from tests.support.contract import SPEC_PATH
from tests.support.examples import contract_violations, example_request, success
from tests.support.operations import Operation, operations

PRISM = shutil.which("prism")
START_TIMEOUT_S = 60.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PRISM is None, reason="prism is not on PATH (.ci/run installs it)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert PRISM is not None
    port = _free_port()
    log = Path(tmp_path_factory.mktemp("prism")) / "prism.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # a fixed command line
            [PRISM, "mock", str(SPEC_PATH), "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    httpx.get(f"{base_url}/health/live", timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="module")
def contract() -> ResponseContract:
    return ResponseContract()


@pytest.mark.parametrize("op", operations(), ids=str)
def test_prism_answers_every_operation_with_a_valid_example(
    op: Operation, prism: str, contract: ResponseContract
) -> None:
    expected = success(op)

    with httpx.Client(base_url=prism, timeout=10) as client:
        response = example_request(op).send(client)

    assert response.status_code == expected.status, response.text
    assert "sl-violations" not in response.headers, response.headers["sl-violations"]
    violations = contract_violations(contract, op, response)
    assert violations == [], violations
    if expected.media_type is not None and not expected.media_type.startswith("text/"):
        assert response.json() == expected.body

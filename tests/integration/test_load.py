"""The load test itself, run for a few seconds: it talks while it runs, groups its failures and
checks responses against the contract (perf/locustfile.py, perf/scenarios/, perf/run_load.py).

Locust runs in subprocesses only (importing it monkey-patches the interpreter with gevent).
"""

import csv
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "tests/support/locustfiles/planted.py"
RUN_TIMEOUT_S = 120

pytestmark = pytest.mark.slow


class PlantedHandler(BaseHTTPRequestHandler):
    """`GET /api/v1/items/{id}`: 200 with an item missing its required fields and a price of the
    wrong type. `GET /api/v1/items`: 429 problem+json, a new request id each time."""

    def do_GET(self) -> None:
        if self.path.startswith("/api/v1/items/"):
            self._answer(200, "application/json", {"id": self.path.rsplit("/", 1)[1], "price": 1})
        else:
            rid = uuid.uuid4().hex
            self._answer(
                429,
                "application/problem+json",
                {
                    "type": "https://example.com/problems/rate-limited",
                    "title": "Too Many Requests",
                    "status": 429,
                    "detail": f"Slow down. Quote request id {rid}.",
                    "request_id": rid,
                },
            )

    def _answer(self, status: int, media_type: str, document: dict[str, object]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the base class names it so
        pass


@pytest.fixture
def planted_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PlantedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_planted(url: str, reports: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "locust", "-f", PLANTED, "--headless", "--host", url,
        "-u", "2", "-r", "2", "-t", "3s", "--only-summary", "--csv", str(reports / "load"),
        "--progress-every", "1", *extra,
    ]  # fmt: skip
    return subprocess.run(  # our own interpreter, fixed arguments
        command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )


def failures(reports: Path) -> dict[str, int]:
    """load_failures.csv: each failure message (unwrapped from Locust's `CatchResponseError(...)`)
    and how often it occurred."""
    found = {}
    with (reports / "load_failures.csv").open() as rows:
        for row in csv.DictReader(rows):
            error = row["Error"]
            if error.startswith("CatchResponseError("):
                error = error.removeprefix("CatchResponseError(")[1:-2]  # ('...')
            found[error] = int(row["Occurrences"])
    return found


def test_failures_group_by_status_and_problem_type_not_by_request_id(
    planted_url: str, tmp_path: Path
) -> None:
    result = run_planted(planted_url, tmp_path, "--contract-sample", "0")
    assert result.returncode == 1, result.stderr[-2000:]
    found = failures(tmp_path)
    rate_limited = "expected 200, got 429 (https://example.com/problems/rate-limited)"
    assert found[rate_limited] > 1, found  # every 429 in one row
    assert list(found) == [rate_limited], found  # sample 0: the planted 200s pass unchecked
    assert "request_id" in result.stderr  # ...and the ids are in the log


def test_the_contract_sample_counts_a_violating_response_as_a_failure(
    planted_url: str, tmp_path: Path
) -> None:
    result = run_planted(planted_url, tmp_path, "--contract-sample", "1")
    assert result.returncode == 1, result.stderr[-2000:]
    found = failures(tmp_path)
    broken = [message for message in found if message.startswith("breaks the contract: getItem")]
    assert len(broken) == 1, found  # grouped: the same violation on every id
    assert found[broken[0]] > 1
    assert "200" in broken[0]
    assert "required property" in broken[0]
    with (tmp_path / "load_stats.csv").open() as rows:
        item = next(r for r in csv.DictReader(rows) if r["Name"] == "/api/v1/items/{item_id}")
    assert int(item["Failure Count"]) == int(item["Request Count"]) > 0


@pytest.mark.parametrize("shape", [[], ["--workers", "2"]], ids=["one-process", "two-workers"])
def test_a_short_run_against_the_service_talks_while_it_runs_and_passes(
    shape: list[str], tmp_path: Path
) -> None:
    command = [
        sys.executable, "-m", "perf.run_load", "-u", "4", "-r", "4", "-t", "6s", *shape,
        "--progress-every", "1", "--contract-sample", "1", "--reports", str(tmp_path),
    ]  # fmt: skip
    result = subprocess.run(  # our own interpreter, fixed arguments
        command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    progress = [line for line in output.splitlines() if "progress " in line and "req/s" in line]
    assert len(progress) >= 2, output[-3000:]
    assert "p95 so far" in progress[-1]
    assert "load test passed" in output
    report = (tmp_path / "load.html").read_text()
    assert 'id="load-verdict"' in report
    assert "Load test passed" in report

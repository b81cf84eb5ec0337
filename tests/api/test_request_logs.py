"""One log line per request, from the service itself, in text and in JSON (issue 14), and the
`Server-Timing` header on every response.

Real `python -m app serve` processes, their stdout and stderr read back: what an operator's log
collector receives. Each line is parsed, not searched: a JSON line must be a JSON object, a text
request line must match the documented shape.
"""

import json
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import LOGIN, ME, PASSWORD, REGISTER, bearer, new_email
from tests.support.served import Served, served

pytestmark = pytest.mark.slow

ITEM = "/api/v1/items/{item_id}"
FAILING_NAME = "explode-in-the-database"
# An insert that fails inside SQLite at run time (not a constraint, which would be a 409).
TRIGGER = f"""
CREATE TRIGGER refuse_user BEFORE INSERT ON users WHEN NEW.full_name = '{FAILING_NAME}'
BEGIN SELECT json('refused'); END;
"""
TEXT_REQUEST = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) INFO app\.requests: "
    r"(?P<method>[A-Z]+) (?P<route>\S+) (?P<status>\d{3}) (?P<duration_ms>\d+\.\d)ms"
    r" request_id=(?P<request_id>[A-Za-z0-9._:-]{1,128}) client=(?P<client>127\.0\.0\.1:\d+)"
    r"(?: principal=(?P<principal>[0-9a-f-]{36}))?$"
)


def _traffic(server: Served) -> dict[str, Any]:
    """A sign-up and sign-in, an authenticated read, a miss, an unknown path, and a 500;
    returns what the log must then say about them."""
    email = new_email("logs")
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        registered = client.post(REGISTER, json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201
        user_id = registered.json()["id"]
        login = client.post(LOGIN, data={"username": email, "password": PASSWORD})
        me = client.get(ME, headers=bearer(login.json()["access_token"]))
        assert me.status_code == 200
        missing_id = uuid.uuid4()
        missing = client.get(ITEM.format(item_id=missing_id))
        assert missing.status_code == 404
        unknown = client.get("/no/such/path", headers={"X-Request-ID": "caller-chosen-id.1"})
        with sqlite3.connect(server.database) as connection:
            connection.executescript(TRIGGER)
        failed = client.post(
            REGISTER,
            json={"email": new_email("fails"), "password": PASSWORD, "full_name": FAILING_NAME},
        )
        assert failed.status_code == 500
    return {
        "user_id": user_id,
        "missing_id": str(missing_id),
        "ids": {
            name: response.headers["x-request-id"]
            for name, response in (
                ("registered", registered),
                ("login", login),
                ("me", me),
                ("missing", missing),
                ("unknown", unknown),
                ("failed", failed),
            )
        },
    }


def _request_lines(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The request lines by request id; each request has exactly one."""
    lines: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.get("logger") == "app.requests":
            assert entry["request_id"] not in lines, f"two lines for one request: {entry}"
            lines[entry["request_id"]] = entry
    return lines


def _check(entries: list[dict[str, Any]], seen: dict[str, Any], output: str) -> None:
    lines = _request_lines(entries)
    ids = seen["ids"]
    assert set(ids.values()) <= set(lines), "a request without its line"
    expected = {
        "registered": ("POST", "/api/v1/auth/register", 201, None),
        "login": ("POST", "/api/v1/auth/login", 200, None),
        "me": ("GET", "/api/v1/users/me", 200, seen["user_id"]),
        "missing": ("GET", ITEM, 404, None),
        "unknown": ("GET", "-", 404, None),
        "failed": ("POST", "/api/v1/auth/register", 500, None),
    }
    for name, (method, route, status, principal) in expected.items():
        line = lines[ids[name]]
        assert (line["method"], line["route"], line["status"]) == (method, route, status), name
        assert line["principal"] == principal, name
        assert float(line["duration_ms"]) >= 0
        assert re.fullmatch(r"127\.0\.0\.1:\d+", line["client"])
    assert ids["unknown"] == "caller-chosen-id.1"
    assert seen["missing_id"] not in output  # the route template, never the raw path
    assert "/no/such/path" not in output
    # The error's own lines carry the id of the request that failed.
    errors = [e for e in entries if e.get("level") in ("error", "ERROR")]
    assert errors
    assert all(e.get("request_id") == ids["failed"] for e in errors), errors
    # uvicorn's access log is off: no request is logged twice.
    assert 'HTTP/1.1" ' not in output


def _json_entries(output: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all(isinstance(entry, dict) for entry in entries)
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
    return entries


def _text_entries(output: str) -> list[dict[str, Any]]:
    """Request lines parsed with the documented shape; error lines by their level word."""
    entries: list[dict[str, Any]] = []
    for line in output.splitlines():
        if " INFO app.requests: " in line:
            match = TEXT_REQUEST.match(line)
            assert match, f"a request line not in the documented shape: {line!r}"
            fields = match.groupdict()
            entries.append({**fields, "logger": "app.requests", "status": int(fields["status"])})
        elif re.match(r"^\S+Z ERROR ", line):
            request_id = re.search(r" request_id=(\S+)", line)
            entries.append({"level": "ERROR", "request_id": request_id and request_id[1]})
    return entries


def test_json_lines_carry_each_request_and_its_errors(tmp_path: Path) -> None:
    with served(tmp_path, {"APP_LOG_FORMAT": "json"}) as server:
        seen = _traffic(server)
    output = server.output()
    _check(_json_entries(output), seen, output)


def test_text_lines_carry_each_request_and_its_errors(tmp_path: Path) -> None:
    with served(tmp_path) as server:
        seen = _traffic(server)
    output = server.output()
    _check(_text_entries(output), seen, output)


def test_log_level_warning_leaves_request_lines_out(tmp_path: Path) -> None:
    with served(tmp_path, {"APP_LOG_LEVEL": "warning"}) as server:
        assert httpx.get(f"{server.base_url}/health/live").status_code == 200
    assert "app.requests" not in server.output()


SERVER_TIMING = re.compile(r"^app;dur=(\d+\.\d), db;dur=(\d+\.\d)$")


def test_every_response_says_where_its_time_went(tmp_path: Path) -> None:
    with (
        served(tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        timings = {
            "live": client.get("/health/live"),  # no database
            "list": client.get("/api/v1/items"),  # reads
            "ready": client.get("/health/ready"),  # the readiness probe of the database
            "unknown": client.get("/no/such/path"),
            "refused": client.post(REGISTER, json={"email": "not an email"}),
        }
    durations = {}
    for name, response in timings.items():
        match = SERVER_TIMING.match(response.headers.get("server-timing", ""))
        assert match, (name, response.headers)
        app_ms, db_ms = float(match[1]), float(match[2])
        assert db_ms <= app_ms + 0.1, name
        durations[name] = db_ms
    assert durations["list"] > 0
    assert durations["ready"] > 0
    assert durations["live"] == durations["unknown"] == durations["refused"] == 0

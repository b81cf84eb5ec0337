"""`nox -s request_cost` (perf/request_cost.py): every bench route answered and timed in-process."""

import re

import pytest
from starlette.types import Receive, Scope, Send

from perf import request_cost
from perf.request_cost import Request

ROUTES = ["/bench/constant", "/api/v1/items/", "/api/v1/items ", "/api/v1/users/me", "POST"]


def test_every_route_is_timed_after_it_answered_as_expected(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)  # SQLite in a temp folder
    request_cost.main(["--calls", "3", "--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(ROUTES)
    for line, route in zip(lines, ROUTES, strict=True):
        assert route in line + " "
        micros = re.search(r"([\d.]+) us$", line)
        assert micros is not None
        assert float(micros.group(1)) > 0


@pytest.mark.anyio
async def test_a_route_that_answers_another_status_stops_the_run() -> None:
    async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with pytest.raises(SystemExit, match="418, not 200"):
        await request_cost.expect(teapot, Request("GET", "/"))

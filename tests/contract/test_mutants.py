"""`nox -s mutants` and its planted bugs: each layer plants what it says, nothing when unnamed,
and the in-process harness catches a quick subset (a bug of shape and a bug of meaning)."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from tests.support import mutants
from tests.support.operations import operations

ROOT = Path(__file__).resolve().parents[2]
# One bug the built-in checks must see, one only the checks of meaning (tests/support/meaning.py)
# can: the README's table is the full catalogue, from `nox -s mutants`.
QUICK = ("wrong_status", "frozen_etag")


async def missing(scope: Scope, receive: Receive, send: Send) -> None:
    body = json.dumps({"type": "about:blank", "title": "Not Found", "status": 404}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"etag", b'"7"')]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def call(app: Any, method: str, path: str) -> tuple[int, dict[str, str], Any]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": []}
    asyncio.run(app(scope, receive, send))
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers, json.loads(sent[1]["body"])


def test_a_planted_mutant_changes_only_what_it_targets() -> None:
    planted = mutants.plant(missing, "wrong_status")
    assert call(planted, "GET", "/api/v1/items/x")[0] == 412
    assert call(planted, "GET", "/api/v1/items/x")[2]["status"] == 412
    assert call(planted, "GET", "/api/v1/posts/x")[0] == 404  # another operation: untouched
    assert call(planted, "DELETE", "/api/v1/items/x")[0] == 404
    frozen = mutants.plant(missing, "frozen_etag")
    assert call(frozen, "GET", "/api/v1/items/x")[1]["etag"] == '"1"'


def test_no_mutant_is_planted_unless_named() -> None:
    assert mutants.plant(missing, None) is missing
    assert mutants.plant(missing, "") is missing
    with pytest.raises(ValueError, match="use one of wrong_status"):
        mutants.plant(missing, "typo")


def test_every_mutant_names_the_operations_it_is_planted_in() -> None:
    known = {operation.operation_id for operation in operations()}
    for mutant in mutants.CATALOGUE.values():
        assert mutant.operations, mutant.name
        assert set(mutant.operations) <= known, mutant.name


@pytest.mark.slow
def test_the_harness_catches_the_quick_subset(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.mutants", "--quick", "--only", *QUICK],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"caught {len(QUICK)} of {len(QUICK)} (100%)" in result.stdout
    assert "| `frozen_etag` |" in result.stdout
    assert "etag_tracks_changes" in result.stdout  # caught by the check of meaning, not by luck


def test_mutants_of_a_file_of_ones_own_join_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "mine.py"
    extra.write_text(
        "from tests.support.mutants import Mutant\n"
        "def gone(scope, response):\n"
        "    response.status = 410\n"
        "MINE = Mutant('mine', 'a 410', 'GET', '/x', answer=gone, operations=('getItem',))\n"
        "CATALOGUE = {'mine': MINE}\n"
    )
    assert "mine" not in mutants.catalogue({})
    monkeypatch.setenv(mutants.EXTRA_ENV, str(extra))
    assert set(mutants.catalogue()) == {*mutants.CATALOGUE, "mine"}
    assert call(mutants.plant(missing, "mine"), "GET", "/x")[0] == 410
    assert call(mutants.plant(missing, "mine"), "GET", "/y")[0] == 404

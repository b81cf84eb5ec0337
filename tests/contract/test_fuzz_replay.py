"""`nox -s fuzz`'s failures replay after the run: a planted bug's failing case, kept in
`reports/`, fails again with the command the run printed, against a fresh local service, and
passes against the service without the bug."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.support import crashes, junit

ROOT = Path(__file__).resolve().parents[2]
REPLAY = re.compile(r"^\s*nox -s fuzz -- (--replay \S+ .*?)\s+# (.*)$", re.MULTILINE)


def fuzz_runner(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_a_planted_bugs_failure_replays_with_the_printed_command(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    found = fuzz_runner(
        "--mutant", "wrong_status", "--operations", "getItem", "--reports", str(reports)
    )
    assert found.returncode == 1, found.stdout + found.stderr
    commands = REPLAY.findall(found.stdout)
    assert commands, found.stdout
    # The kept case holds no token: the replay signs in to its own service.
    kept = "".join(p.read_text() for p in reports.rglob("*.json"))
    assert "Bearer ey" not in kept
    command, what = commands[0]
    assert "GET /api/v1/items/{item_id}" in what
    assert "status_code_conformance" in what
    args = shlex.split(command)
    assert args[2:4] == ["--mutant", "wrong_status"], args  # the bug planted again

    again = fuzz_runner(*args)  # the first run's service is long gone
    assert again.returncode == 1, again.stdout + again.stderr
    assert "fails again: the failure reproduces" in again.stdout
    assert "Received: 412" in again.stdout  # the status the replayed request got

    fixed = fuzz_runner(*[arg for arg in args if arg not in ("--mutant", "wrong_status")])
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "passes now: the failure is gone" in fixed.stdout


def test_replaying_an_unknown_case_says_so(tmp_path: Path) -> None:
    missing = fuzz_runner("--replay", "nope42", "--reports", str(tmp_path))
    assert missing.returncode != 0
    assert "no failing case nope42" in missing.stderr


def step(path_parameters: dict[str, str], body: str, link: dict[str, str] | None) -> dict[str, Any]:
    return {
        "path_parameters": path_parameters,
        "response": {"status_code": 201, "headers": {"Location": "/x/1"}, "body": body},
        "link": {"operationId": "l", "parameters": link} if link is not None else None,
        "parent_index": 0 if link is not None else None,
    }


def test_a_replay_sends_what_the_run_sent_where_it_did_not_follow_a_link() -> None:
    created = step({}, '{"id": "new-1"}', None)
    followed = step({"item_id": "new-1"}, "{}", {"path.item_id": "$response.body#/id"})
    generated = step({"item_id": "made-up"}, "{}", {"path.item_id": "$response.body#/id"})
    unknown = step({"item_id": "made-up"}, "{}", {"path.item_id": "$request.path.x"})
    for later, kept in ((followed, True), (generated, False), (unknown, True)):
        crash = {"sequence": [created, later]}
        link = crashes.faithful(crash)["sequence"][1]["link"]
        assert ("path.item_id" in link["parameters"]) is kept, later
        assert crash["sequence"][1]["link"]["parameters"], "the original is left alone"


REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="1" failures="1" skipped="0" tests="2" time="2">
  <testsuite name="schemathesis" errors="1" failures="1" skipped="0" tests="2" time="2">
    <testcase name="GET /api/v1/items" time="1" />
    <testcase name="Stateful tests" time="1">
      <failure type="failure" message="ST103, ST901">1. Test Case ID: aaa111

- ST103 Undocumented status code

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' http://h:1/api/v1/items
    curl -X GET http://h:1/api/v1/items/5

2. Test Case ID: bbb222

- ST901 Custom check failed: `deleted_stays_gone`

Reproduce with:

    curl -X DELETE http://h:1/api/v1/posts/7?x=1</failure>
      <error type="error">Missing Open API links</error>
    </testcase>
  </testsuite>
</testsuites>
"""
PATHS: dict[str, dict[str, object]] = {
    "/api/v1/items": {"get": {}},
    "/api/v1/items/{item_id}": {"get": {}, "parameters": []},
}


def test_stateful_failures_are_filed_under_the_operation_whose_response_failed(
    tmp_path: Path,
) -> None:
    report = tmp_path / "r.xml"
    report.write_text(REPORT)
    by_case = {"bbb222": "DELETE /api/v1/posts/{post_id}"}  # from its crash file
    moved = junit.by_operation(report, by_case, junit.label_rules(PATHS), lambda c: f"again {c}")
    assert moved == 2
    suite = ElementTree.parse(report).getroot()[0]  # noqa: S314  # written just above
    cases = {tc.get("name"): tc for tc in suite.iter("testcase")}
    get_item = cases["GET /api/v1/items/{item_id}"].findall("failure")  # by its last request
    assert len(get_item) == 1
    assert get_item[0].get("message") == "ST103"
    assert "aaa111" in (get_item[0].text or "")
    assert "again aaa111" in (get_item[0].text or "")
    assert "bbb222" not in (get_item[0].text or "")
    delete_post = cases["DELETE /api/v1/posts/{post_id}"].findall("failure")
    assert "again bbb222" in (delete_post[0].text or "")
    stateful = cases[junit.STATEFUL]  # its error is the phase's own: it stays
    assert stateful.find("failure") is None
    assert stateful.find("error") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")


@pytest.mark.slow
def test_a_stateful_only_failure_names_its_operation_in_junit(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    found = fuzz_runner(
        "--mutant", "wrong_status", "--reports", str(reports), "--", "--phases", "stateful"
    )
    assert found.returncode == 1, found.stdout + found.stderr
    suite = ElementTree.parse(reports / "schemathesis-fuzz.xml").getroot()[0]  # noqa: S314
    failing = {tc.get("name") for tc in suite.iter("testcase") if tc.find("failure") is not None}
    # Which check sees the 412 first depends on what the phase explores (a tree with one more
    # operation explores otherwise): the GET's own status check files it under the GET;
    # `deleted_stays_gone`, a check of what a DELETE means (after its 204 the resource reads
    # 404), under the DELETE whose case it ran on. Never under "Stateful tests".
    items = {"GET /api/v1/items/{item_id}", "DELETE /api/v1/items/{item_id}"}
    assert failing, found.stdout
    assert failing <= items, (failing, found.stdout)
    assert junit.STATEFUL not in failing
    for testcase in suite.iter("testcase"):
        for failure in testcase.findall("failure"):
            assert "(stateful phase)" in (failure.text or "")
            assert "nox -s fuzz -- --replay " in (failure.text or "")

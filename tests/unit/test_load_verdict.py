"""The load test's pass mark and its words (perf/scenarios/verdict.py), apart from Locust."""

import json

from perf.scenarios.verdict import (
    Route,
    Thresholds,
    failure_message,
    html_section,
    judge,
    no_response_message,
    request_id,
    splice,
)

THRESHOLDS = Thresholds(
    max_error_ratio=0.0, default_p95_ms=300, min_samples=20, p95_ms={"GET /a": 100}
)


def problem(status: int, kind: str, rid: str) -> str:
    return json.dumps(
        {"type": kind, "title": "t", "status": status, "detail": f"id {rid}", "request_id": rid}
    )


def test_the_same_problem_is_one_failure_whatever_its_request_id() -> None:
    first = failure_message(200, 429, problem(429, "https://x/rate-limited", "a1"))
    second = failure_message(200, 429, problem(429, "https://x/rate-limited", "b2"))
    assert first == second == "expected 200, got 429 (https://x/rate-limited)"
    assert "a1" not in first
    assert request_id(problem(429, "https://x/rate-limited", "a1")) == "a1"


def test_problems_of_other_types_or_statuses_stay_apart() -> None:
    keys = {
        failure_message(200, 429, problem(429, "https://x/rate-limited", "a")),
        failure_message(200, 409, problem(409, "https://x/conflict", "a")),
        failure_message(201, 429, problem(429, "https://x/rate-limited", "a")),
        failure_message(200, 500, "Internal Server Error"),
    }
    assert len(keys) == 4
    assert "expected 200, got 500: Internal Server Error" in keys


def test_no_answer_is_grouped_by_the_kind_of_error() -> None:
    refused = no_response_message(200, ConnectionRefusedError(111, "Connection refused :8765"))
    assert refused == no_response_message(200, ConnectionRefusedError(111, "other port"))
    assert refused == "expected 200, got no response (ConnectionRefusedError)"


def test_a_route_with_few_samples_is_reported_but_not_judged() -> None:
    verdict = judge(2, 0, [Route("GET /a", 2, 0, 900.0)], THRESHOLDS)
    assert verdict.passed
    assert [row.verdict for row in verdict.rows] == ["few"]
    assert "GET /a" in verdict.table()


def test_a_route_with_enough_samples_is_held_to_its_limit() -> None:
    verdict = judge(
        40, 0, [Route("GET /a", 20, 0, 101.0), Route("GET /b", 20, 0, 290.0)], THRESHOLDS
    )
    assert verdict.breaches == ["GET /a: p95 101 ms > 100 ms"]
    assert [row.verdict for row in verdict.rows] == ["OVER", "ok"]


def test_failures_of_a_small_route_still_fail_the_run() -> None:
    verdict = judge(22, 1, [Route("GET /a", 2, 1, 5.0), Route("GET /b", 20, 0, 5.0)], THRESHOLDS)
    assert verdict.breaches == ["1 of 22 requests failed (ratio 0.0455 > 0.0)"]


def test_the_verdict_goes_above_the_report_once() -> None:
    verdict = judge(1, 1, [Route("GET /a", 1, 1, 5.0)], THRESHOLDS)
    section = html_section(verdict, THRESHOLDS, "perf/thresholds.toml")
    page = '<html><body><script>x="<body>"</script><div id="root"></div></body></html>'
    once = splice(page, section)
    assert once.index('id="load-verdict"') < once.index('<div id="root">')
    assert once.index("<script>") < once.index('id="load-verdict"')
    again = splice(once, section)
    assert again == once
    assert "FAILED" in section
    assert "1 of 1 requests failed" in section
    assert "perf/thresholds.toml" in section

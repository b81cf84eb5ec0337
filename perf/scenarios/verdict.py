"""The pass mark of a load test and its words, apart from Locust (so tests import it freely).

- `Thresholds`: perf/thresholds.toml, the error ratio, the per-route p95 limits and the fewest
  requests a route needs before its p95 is judged (a p95 of 2 samples is noise, not a verdict).
- `judge`: the rows of the short table printed after the run, and each broken rule in words.
- `failure_message`: what a wrong status is called in Locust's failures table. Locust groups
  failures by method, name and message, so the message names only what the failure *is* (the
  status expected and given, and the problem's `type`); the `request_id`, different on each
  response, goes to the log instead.
- `html_section` and `splice`: the verdict and thresholds as HTML, put into Locust's report.
"""

import html
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BODY_SHOWN = 120  # characters of a non-problem body kept in a failure's message


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_error_ratio: float
    default_p95_ms: float
    min_samples: int = 1  # a route with fewer requests is reported, its p95 not judged
    p95_ms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Thresholds":
        data = tomllib.loads(path.read_text())
        return cls(
            max_error_ratio=float(data["max_error_ratio"]),
            default_p95_ms=float(data["default_p95_ms"]),
            min_samples=int(data.get("min_samples", 1)),
            p95_ms={str(k): float(v) for k, v in data.get("p95_ms", {}).items()},
        )

    def limit(self, route: str) -> float:
        return self.p95_ms.get(route, self.default_p95_ms)


@dataclass(frozen=True, slots=True)
class Route:
    """One row of Locust's statistics: "METHOD /template", its counts and its p95 in ms."""

    route: str
    requests: int
    failures: int
    p95_ms: float


@dataclass(frozen=True, slots=True)
class Row:
    route: Route
    limit_ms: float
    verdict: str  # "ok", "OVER", or "few" (fewer requests than min_samples: not judged)


@dataclass(frozen=True, slots=True)
class Verdict:
    rows: list[Row]
    breaches: list[str]  # empty: passed

    @property
    def passed(self) -> bool:
        return not self.breaches

    def table(self) -> str:
        """The short table: one line a route."""
        lines = [f"  {'route':<40} {'requests':>8} {'fails':>6} {'p95 ms':>7} {'limit':>6}"]
        for row in self.rows:
            r = row.route
            lines.append(
                f"  {r.route:<40} {r.requests:>8} {r.failures:>6} {r.p95_ms:>7.0f} "
                f"{row.limit_ms:>6.0f}  {row.verdict}"
            )
        return "\n".join(lines)


def judge(
    total_requests: int, total_failures: int, routes: Iterable[Route], thresholds: Thresholds
) -> Verdict:
    """Each broken rule in words (none: the run passed) and the table's rows.

    Every request counts towards the error ratio; a route's p95 is held to its limit only once
    the route has `min_samples` requests.
    """
    found = []
    if total_requests == 0:
        found.append("no requests were made")
    else:
        ratio = total_failures / total_requests
        if ratio > thresholds.max_error_ratio:
            found.append(
                f"{total_failures} of {total_requests} requests failed "
                f"(ratio {ratio:.4f} > {thresholds.max_error_ratio})"
            )
    rows = []
    for route in sorted(routes, key=lambda r: r.route.split(" ", 1)[::-1]):
        if route.requests == 0:
            continue
        limit = thresholds.limit(route.route)
        if route.requests < thresholds.min_samples:
            verdict = "few"
        elif route.p95_ms > limit:
            verdict = "OVER"
            found.append(f"{route.route}: p95 {route.p95_ms:.0f} ms > {limit:.0f} ms")
        else:
            verdict = "ok"
        rows.append(Row(route, limit, verdict))
    return Verdict(rows, found)


def _document(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def failure_message(expected: int, status: int, body: str) -> str:
    """A wrong status as Locust's failures table should group it.

    `expected 201, got 429 (https://.../rate-limited)` for a problem+json answer; otherwise the
    start of the body, which carries no per-request value in this service's other answers.
    """
    document = _document(body)
    if isinstance(document, dict) and isinstance(document.get("type"), str):
        return f"expected {expected}, got {status} ({document['type']})"
    shown = " ".join(body.split())[:BODY_SHOWN]
    return f"expected {expected}, got {status}" + (f": {shown}" if shown else "")


def no_response_message(expected: int, error: object) -> str:
    """No answer at all (status 0): grouped by the kind of error, not its text (which names the
    port, or an address)."""
    return f"expected {expected}, got no response ({type(error).__name__})"


def request_id(body: str) -> str | None:
    """The `request_id` a problem carries, for the log."""
    document = _document(body)
    value = document.get("request_id") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


def html_section(verdict: Verdict, thresholds: Thresholds, source: str) -> str:
    """The verdict, its reasons and the thresholds, as a `<section>` for the HTML report."""
    colour = "#1b7f3b" if verdict.passed else "#b3261e"
    said = "passed" if verdict.passed else "FAILED"
    reasons = "".join(f"<li>{html.escape(b)}</li>" for b in verdict.breaches)
    cells = "".join(
        "<tr>"
        f"<td>{html.escape(row.route.route)}</td><td>{row.route.requests}</td>"
        f"<td>{row.route.failures}</td><td>{row.route.p95_ms:.0f}</td>"
        f"<td>{row.limit_ms:.0f}</td><td>{html.escape(row.verdict)}</td>"
        "</tr>"
        for row in verdict.rows
    )
    return (
        '<section id="load-verdict" style="font-family:sans-serif;margin:1em;padding:1em;'
        f'border:3px solid {colour}">'
        f'<h2 style="color:{colour};margin-top:0">Load test {said}</h2>'
        + (f"<ul>{reasons}</ul>" if reasons else "")
        + f"<p>Thresholds ({html.escape(source)}): error ratio at most "
        f"{thresholds.max_error_ratio}, p95 at most the route's limit (default "
        f"{thresholds.default_p95_ms:.0f} ms), judged from {thresholds.min_samples} requests "
        "on (fewer: <em>few</em>, not judged).</p>"
        '<table style="border-collapse:collapse" border="1" cellpadding="4">'
        "<tr><th>route</th><th>requests</th><th>failures</th><th>p95 ms</th><th>limit ms</th>"
        f"<th>verdict</th></tr>{cells}</table></section>"
    )


def splice(report: str, section: str) -> str:
    """`report` (Locust's HTML report) with `section` above the report itself, replacing an
    earlier one. The report is a page whose scripts render into `<div id="root">` (its scripts
    also hold the text `<body`, so that is no anchor); without that div, at the end."""
    start = report.find('<section id="load-verdict"')
    if start != -1:
        end = report.find("</section>", start)
        report = report[:start] + report[end + len("</section>") :]
    at = report.rfind('<div id="root">')
    if at == -1:
        at = report.rfind("</body>")
    if at == -1:
        at = len(report)
    return report[:at] + section + report[at:]

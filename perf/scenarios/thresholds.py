"""The verdict of a load test: no errors and each route's p95 under its limit in thresholds.toml.

Runs as Locust's `quitting` listener on the process that holds the whole test's statistics (the
master, or the only process) and sets `environment.process_exit_code`, so `locust` itself exits
non-zero on a breach; the report and CSVs are written either way.
"""

import argparse
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from locust import log as locust_log
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import RequestStats

log = logging.getLogger(__name__)
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "thresholds.toml"


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_error_ratio: float
    default_p95_ms: float
    p95_ms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Thresholds":
        data = tomllib.loads(path.read_text())
        return cls(
            max_error_ratio=float(data["max_error_ratio"]),
            default_p95_ms=float(data["default_p95_ms"]),
            p95_ms={str(k): float(v) for k, v in data.get("p95_ms", {}).items()},
        )


def breaches(stats: RequestStats, thresholds: Thresholds) -> list[str]:
    """Each broken rule, in words; empty when the run passes."""
    found = []
    total = stats.total
    if total.num_requests == 0:
        found.append("no requests were made")
    elif total.fail_ratio > thresholds.max_error_ratio:
        found.append(
            f"{total.num_failures} of {total.num_requests} requests failed "
            f"(ratio {total.fail_ratio:.4f} > {thresholds.max_error_ratio})"
        )
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: (e.name, e.method or "")):
        if entry.num_requests == 0:
            continue
        route = f"{entry.method} {entry.name}"
        limit = thresholds.p95_ms.get(route, thresholds.default_p95_ms)
        p95 = entry.get_response_time_percentile(0.95)
        verdict = "ok" if p95 <= limit else "OVER"
        rows.append(f"  {route:<40} {entry.num_requests:>7} {p95:>8.0f} {limit:>8.0f}  {verdict}")
        if p95 > limit:
            found.append(f"{route}: p95 {p95:.0f} ms > {limit:.0f} ms")
    log.info(
        "p95 per route (ms):\n  %-40s %7s %8s %8s\n%s",
        "route", "requests", "p95", "limit", "\n".join(rows),
    )  # fmt: skip
    return found


def add_option(parser: argparse.ArgumentParser, **_kwargs: Any) -> None:
    """`--thresholds FILE` (Locust's `init_command_line_parser` listener)."""
    parser.add_argument(
        "--thresholds",
        default=str(DEFAULT_FILE),
        help="TOML file of the error ratio and per-route p95 limits the run must meet",
    )


def check(environment: Environment, **_kwargs: Any) -> None:
    """Locust's `quitting` listener: exit code 1 on any breach."""
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    path = Path(getattr(options, "thresholds", None) or DEFAULT_FILE)
    found = breaches(environment.stats, Thresholds.load(path))
    if environment.runner is not None and environment.runner.exceptions:
        found.append(f"{len(environment.runner.exceptions)} kinds of exception in tasks")
    if locust_log.unhandled_greenlet_exception:
        found.append("an unhandled exception in Locust (see the log above)")
    if found:
        log.error("load test FAILED (%s):\n  %s", path, "\n  ".join(found))
        environment.process_exit_code = 1
    else:
        log.info("load test passed: no errors, every p95 within %s", path)
        environment.process_exit_code = 0

"""The verdict of a load test, as Locust listeners: thresholds.toml checked after the run.

Runs as Locust's `quitting` listener on the process that holds the whole test's statistics (the
master, or the only process): prints the short table (one line a route), the failures grouped
as Locust groups them, and the verdict last; puts the same into the HTML report (Locust writes
it just before `quitting`); and sets `environment.process_exit_code`, so `locust` itself exits
non-zero on a breach. The rules themselves are in perf/scenarios/verdict.py.
"""

import argparse
import logging
from pathlib import Path
from typing import Any

from locust import log as locust_log
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import RequestStats

from perf.scenarios.verdict import Route, Thresholds, Verdict, html_section, judge, splice

log = logging.getLogger(__name__)
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "thresholds.toml"
FAILURES_SHOWN = 10


def verdict_of(stats: RequestStats, thresholds: Thresholds) -> Verdict:
    routes = [
        Route(
            f"{entry.method} {entry.name}",
            entry.num_requests,
            entry.num_failures,
            float(entry.get_response_time_percentile(0.95) or 0),
        )
        for entry in stats.entries.values()
    ]
    return judge(stats.total.num_requests, stats.total.num_failures, routes, thresholds)


def failures_table(stats: RequestStats) -> str:
    """Locust's failures, most frequent first: count, route and message, a line each."""
    errors = sorted(stats.errors.values(), key=lambda e: -e.occurrences)
    lines = [f"  {e.occurrences:>6}  {e.to_name()}" for e in errors[:FAILURES_SHOWN]]
    if len(errors) > FAILURES_SHOWN:
        lines.append(f"  ... and {len(errors) - FAILURES_SHOWN} more kinds (load_failures.csv)")
    return "\n".join(lines)


def add_option(parser: argparse.ArgumentParser, **_kwargs: Any) -> None:
    """`--thresholds FILE` (Locust's `init_command_line_parser` listener)."""
    parser.add_argument(
        "--thresholds",
        default=str(DEFAULT_FILE),
        help="TOML file of the error ratio and per-route p95 limits the run must meet",
    )


def check(environment: Environment, **_kwargs: Any) -> None:
    """Locust's `quitting` listener: the short tables, the verdict, exit code 1 on any breach."""
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    path = Path(getattr(options, "thresholds", None) or DEFAULT_FILE)
    thresholds = Thresholds.load(path)
    verdict = verdict_of(environment.stats, thresholds)
    found = list(verdict.breaches)
    if environment.runner is not None and environment.runner.exceptions:
        found.append(f"{len(environment.runner.exceptions)} kinds of exception in tasks")
    if locust_log.unhandled_greenlet_exception:
        found.append("an unhandled exception in Locust (see the log above)")
    verdict = Verdict(verdict.rows, found)
    log.info(
        "routes (p95 judged from %d requests on):\n%s", thresholds.min_samples, verdict.table()
    )
    if environment.stats.errors:
        log.info("failures, grouped:\n%s", failures_table(environment.stats))
    report = getattr(options, "html_file", None)
    if report and Path(report).is_file():
        page = Path(report)
        page.write_text(splice(page.read_text(), html_section(verdict, thresholds, str(path))))
    total = environment.stats.total
    if found:
        log.error("load test FAILED (%s):\n  %s", path, "\n  ".join(found))
        environment.process_exit_code = 1
    else:
        log.info(
            "load test passed: %d requests, no errors, every judged p95 within %s",
            total.num_requests,
            path,
        )
        environment.process_exit_code = 0

"""A line every few seconds while the test runs: users, requests/s, failures and p95 so far.

Locust's own `--only-summary` keeps its periodic tables quiet; this prints one line instead, from
the statistics of the process that holds them all (the master, or the only process), in a
greenlet started by `test_start` and stopped by `test_stop`. `--progress-every 0` turns it off.
"""

import argparse
import logging
import time
from typing import Any

import gevent
from locust.env import Environment
from locust.runners import WorkerRunner

log = logging.getLogger(__name__)
DEFAULT_EVERY_S = 5.0


def add_option(parser: argparse.ArgumentParser, **_kwargs: Any) -> None:
    parser.add_argument(
        "--progress-every",
        type=float,
        default=DEFAULT_EVERY_S,
        help=f"seconds between progress lines (default {DEFAULT_EVERY_S:g}; 0: none)",
    )


def fresh_clock(**_kwargs: Any) -> None:
    """`init` listener: bring gevent's clock up to date before Locust sets its run-time timer.

    The loop caches "now" and has not run while the locustfile was imported (seconds: the app's
    contract, FastAPI); a timer set from that stale "now" fires early, so `-t 3s` after a 4 s
    import would stop the test as soon as it started.
    """
    gevent.get_hub().loop.update_now()


def line(environment: Environment, elapsed_s: float) -> str:
    stats = environment.stats.total
    users = environment.runner.user_count if environment.runner is not None else 0
    p95 = stats.get_response_time_percentile(0.95) if stats.num_requests else 0
    return (
        f"progress {elapsed_s:5.0f}s: {users} users, {stats.current_rps:.1f} req/s, "
        f"{stats.num_requests} requests, {stats.num_failures} failed, p95 so far {p95:.0f} ms"
    )


class Progress:
    def __init__(self) -> None:
        self.greenlet: gevent.Greenlet | None = None

    def start(self, environment: Environment, **_kwargs: Any) -> None:
        """`test_start` listener."""
        every = float(getattr(environment.parsed_options, "progress_every", DEFAULT_EVERY_S))
        if isinstance(environment.runner, WorkerRunner) or every <= 0:
            return
        self.stop()
        self.greenlet = gevent.spawn(self._run, environment, every)

    def stop(self, **_kwargs: Any) -> None:
        """`test_stop` listener."""
        if self.greenlet is not None:
            self.greenlet.kill(block=False)
            self.greenlet = None

    @staticmethod
    def _run(environment: Environment, every: float) -> None:
        started = time.monotonic()
        while True:
            gevent.sleep(every)
            log.info(line(environment, time.monotonic() - started))

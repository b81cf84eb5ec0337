"""The service's Prometheus metrics: their definitions, one registry per app, and the hooks.

`build_metrics(settings)` makes them when `APP_METRICS_ENABLED` is true (None otherwise: then
nothing is counted and `/metrics` answers 404). Every app gets its own `CollectorRegistry`, so
a test session that builds many apps never registers a name twice; nothing is made at import.

Who feeds what (README "Metrics"):

- `request_started` / `request_finished`: the outermost middleware (app/middleware/observe.py),
  once per request. `operation` is the contract's operationId, the path template of a route
  outside the contract, or "unmatched". Both run on every request, so the label children of
  each (operation, status) are looked up once and kept.
- `pool(name)`: the database backends, around each unit of work that takes a pooled
  connection, reader thread or the writer (app/db/metered.py).
- `rate_limited(limit)`: the rate-limit middleware ("address") and the per-account limit on
  wrong passwords ("account").
- `hash_queue`: app/auth/passwords.py, the hashes waiting for a thread and those refused.

Several workers (`python -m app serve --workers N`): the supervisor gives every worker the
same fresh `PROMETHEUS_MULTIPROC_DIR` (app/metrics/workers.py). prometheus-client then keeps
each value in a file per process, from the moment it is imported, and `/metrics` adds up the
files of all workers (`MultiProcessCollector`). Gauges say how: `livesum`, the sum over the
workers alive. A single process keeps its values in memory.
"""

import os
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from app.settings import Settings

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # the library's variable: set before it is imported
PREFIX = "app_"
# Request latency: most requests here take a millisecond or less, so the buckets start there.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Waiting for a database connection: nothing at all when one is free, up to the pool timeout.
WAIT_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10)
POOLS = ("read", "write")
LIMITS = ("address", "account")


class PoolMeter:
    """One pool's connections in use, and how long each unit of work waited for one."""

    __slots__ = ("_in_use", "_waits")

    def __init__(self, in_use: Gauge, waits: Histogram) -> None:
        self._in_use = in_use
        self._waits = waits

    def started(self, waited_s: float) -> None:
        self._waits.observe(waited_s)
        self._in_use.inc()

    def finished(self) -> None:
        self._in_use.dec()


class HashQueueMeter:
    """Password hashes waiting for a hashing thread, and those refused because too many wait."""

    __slots__ = ("_refused", "_waiting")

    def __init__(self, waiting: Gauge, refused: Counter) -> None:
        self._waiting = waiting
        self._refused = refused

    def queued(self) -> None:
        self._waiting.inc()

    def left_queue(self) -> None:
        """Its thread took it, or it was cancelled while it waited."""
        self._waiting.dec()

    def refused(self) -> None:
        self._refused.inc()


class Metrics:
    """Every metric of one app, in its own registry; `multiprocess_dir` when workers share."""

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._requests = Counter(
            PREFIX + "requests",
            "Requests answered, by operationId (or route, or `unmatched`) and status code.",
            ["operation", "status"],
            registry=registry,
        )
        self._latency = Histogram(
            PREFIX + "request_duration_seconds",
            "Time from a request's arrival to the end of its response, by operationId.",
            ["operation"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self._in_progress = Gauge(
            PREFIX + "requests_in_progress",
            "Requests being served now.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        in_use = Gauge(
            PREFIX + "db_connections_in_use",
            "Units of work running on a database connection now, by pool (`read`: reads off "
            "the event loop; `write`: transactions, on SQLite the one writer).",
            ["pool"],
            registry=registry,
            multiprocess_mode="livesum",
        )
        waits = Histogram(
            PREFIX + "db_connection_wait_seconds",
            "Time a unit of work waited for a database connection (a pooled connection, a "
            "reader thread or the SQLite writer's queue) before it ran, by pool.",
            ["pool"],
            buckets=WAIT_BUCKETS,
            registry=registry,
        )
        self._pools = {name: PoolMeter(in_use.labels(name), waits.labels(name)) for name in POOLS}
        limited = Counter(
            PREFIX + "rate_limited",
            "Requests refused with 429, by limit (`address`: per client address and operation; "
            "`account`: wrong passwords per account).",
            ["limit"],
            registry=registry,
        )
        self._limited = {name: limited.labels(name) for name in LIMITS}
        self.hash_queue = HashQueueMeter(
            Gauge(
                PREFIX + "password_hashes_waiting",
                "Password hashes waiting for a hashing thread now.",
                registry=registry,
                multiprocess_mode="livesum",
            ),
            Counter(
                PREFIX + "password_hashes_refused",
                "Password hashes refused (503) because too many were already waiting.",
                registry=registry,
            ),
        )
        # (operation, status) -> its request counter and its operation's histogram.
        self._children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    # Per request: the outermost middleware calls these two.

    def request_started(self) -> None:
        self._in_progress.inc()

    def request_finished(self, operation: str, status: int, seconds: float) -> None:
        self._in_progress.dec()
        children = self._children.get((operation, status))
        if children is None:
            children = self._children[(operation, status)] = (
                self._requests.labels(operation, str(status)),
                self._latency.labels(operation),
            )
        children[0].inc()
        children[1].observe(seconds)

    def pool(self, name: str) -> PoolMeter:
        """The meter of the database pool `name` ("read" or "write")."""
        return self._pools[name]

    def rate_limited(self, limit: str) -> Counter:
        """The refusals counter of `limit` ("address" or "account"): `.inc()` on each 429."""
        return self._limited[limit]

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format (0.0.4), of all workers when they share."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        # A registry per scrape, as the library documents: the collector reads the files anew.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def build_metrics(settings: Settings, environ: Mapping[str, str] = os.environ) -> Metrics | None:
    """The app's metrics, shared by the workers when their supervisor set the directory."""
    if not settings.metrics_enabled:
        return None
    return Metrics(environ.get(MULTIPROC_DIR) or None)

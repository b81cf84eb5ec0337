"""`GET /metrics`: Prometheus' text format, parsed with the library's own parser, and numbers that
move with what they count: requests (by operationId and status), their latency, the database's
connections and waits, rate-limit refusals and the password-hashing queue. Off, it is a 404 and
nothing is counted. With `serve --workers 2`, one scrape adds up both workers.
"""

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from app.auth.passwords import Passwords
from app.errors import Unavailable
from app.main import create_app
from app.metrics.registry import MULTIPROC_DIR, Metrics
from app.settings import ARGON2_FLOOR_MEMORY_KIB, ARGON2_FLOOR_TIME_COST, Settings
from tests.support.accounts import LOGIN, PASSWORD, REGISTER, new_email
from tests.support.clients import started
from tests.support.contract import assert_problem
from tests.support.served import SERVE, served

pytestmark = pytest.mark.anyio

METRICS = "/metrics"
LIVE = "/health/live"
MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition, by name and labels; the library's parser reads it."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for one not exported yet (a label pair nothing has counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: Samples, operation: str, status: int = 200) -> float:
    return value(samples, "app_requests_total", operation=operation, status=str(status))


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get(METRICS)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    return parse(response.text)


def settings_with(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


@pytest.mark.covers("getMetrics", 200)
async def test_requests_are_counted_by_operation_and_status_with_their_latency(
    sqlite_settings: Settings,
) -> None:
    async for client in started(create_app(sqlite_settings)):
        before = await scrape(client)
        for _ in range(3):
            assert (await client.get(LIVE)).status_code == 200
        missing = await client.get("/api/v1/items/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404
        assert (await client.get("/no/such/path")).status_code == 404

        after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("app_requests_total", operation="getLiveness", status="200") == 3
    assert moved("app_requests_total", operation="getItem", status="404") == 1
    assert moved("app_requests_total", operation="unmatched", status="404") == 1
    # The first scrape was counted once it had answered; the second, not yet.
    assert moved("app_requests_total", operation="getMetrics", status="200") == 1
    assert moved("app_request_duration_seconds_count", operation="getLiveness") == 3
    assert moved("app_request_duration_seconds_bucket", operation="getLiveness", le="+Inf") == 3
    assert 0 < moved("app_request_duration_seconds_sum", operation="getLiveness") < 3
    assert value(after, "app_requests_in_progress") == 1  # the scrape itself


@pytest.mark.covers("getMetrics", 404)
async def test_turned_off_it_is_a_404_problem_and_nothing_is_counted(
    sqlite_settings: Settings,
) -> None:
    app = create_app(settings_with(sqlite_settings, metrics_enabled=False))
    assert app.state.metrics is None
    async for client in started(app):
        assert (await client.get(LIVE)).status_code == 200
        body = assert_problem(await client.get(METRICS), 404)
        assert "APP_METRICS_ENABLED" in body["detail"]


async def test_each_app_counts_on_its_own_registry(sqlite_settings: Settings) -> None:
    """Two apps in one process: neither sees the other's requests, and nothing clashes."""
    first, second = create_app(sqlite_settings), create_app(sqlite_settings)
    async for one in started(first):
        async for other in started(second):
            await one.get(LIVE)
            await one.get(LIVE)
            await other.get(LIVE)
            counted = [requests(await scrape(client), "getLiveness") for client in (one, other)]
    assert counted == [2, 1]


async def test_rate_limit_refusals_are_counted_by_limit(sqlite_settings: Settings) -> None:
    limited = settings_with(
        sqlite_settings, rate_limit_auth="3/minute", login_failures_per_account="2/15 minutes"
    )
    async for client in started(create_app(limited)):
        email = new_email("limited")
        registered = await client.post(REGISTER, json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201
        wrong = {"username": email, "password": "not the password at all"}
        answers = [(await client.post(LOGIN, data=wrong)).status_code for _ in range(3)]
        assert answers == [401, 401, 429]  # the account's limit: 2 failures
        assert (await client.post(LOGIN, data=wrong)).status_code == 429  # the address's: 3
        found = await scrape(client)
    assert value(found, "app_rate_limited_total", limit="account") == 1
    assert value(found, "app_rate_limited_total", limit="address") == 1


@pytest.mark.parametrize("reads_on_loop", [True, False], ids=["loop-reads", "thread-reads"])
async def test_database_units_of_work_count_their_wait_and_give_their_connection_back(
    settings: Settings, reads_on_loop: bool
) -> None:
    # No outbox dispatcher: registering wakes it, and its unit of work (the welcome mail) may
    # hold the write connection while the test scrapes; this test counts the requests' own.
    settings = settings_with(settings, sqlite_reads_on_loop=reads_on_loop, outbox_dispatcher=False)
    async for client in started(create_app(settings)):
        before = await scrape(client)
        email = new_email("pooled")
        response = await client.post(REGISTER, json={"email": email, "password": PASSWORD})
        assert response.status_code == 201
        assert (await client.get("/api/v1/items")).status_code == 200
        after = await scrape(client)

    def waits(pool: str) -> float:
        name = "app_db_connection_wait_seconds_count"
        return value(after, name, pool=pool) - value(before, name, pool=pool)

    assert waits("write") >= 1  # registering wrote
    # A read on SQLite's event loop waits for nothing and is not counted; elsewhere it is.
    counted_reads = not (settings.is_sqlite and reads_on_loop)
    assert (waits("read") >= 1) == counted_reads
    for pool in ("read", "write"):
        assert value(after, "app_db_connections_in_use", pool=pool) == 0


async def test_the_hashing_queue_counts_waiting_and_refused_hashes(
    sqlite_settings: Settings,
) -> None:
    """One hashing thread at the OWASP floor (tens of ms a hash), two places to wait."""
    metrics = Metrics()
    floor = settings_with(
        sqlite_settings,
        argon2_memory_kib=ARGON2_FLOOR_MEMORY_KIB,
        argon2_time_cost=ARGON2_FLOOR_TIME_COST,
        password_hash_concurrency=1,
        password_hash_queue=2,
    )
    passwords = Passwords(floor, metrics.hash_queue)

    def waiting() -> float:
        return value(parse(metrics.exposition().decode()), "app_password_hashes_waiting")

    def refused() -> float:
        return value(parse(metrics.exposition().decode()), "app_password_hashes_refused_total")

    hashes = [asyncio.create_task(passwords.hash(f"password {n}")) for n in range(3)]
    deadline = time.monotonic() + 5
    while waiting() != 2:  # one on the thread, two behind it
        assert time.monotonic() < deadline, f"never two waiting: {waiting()}"
        await asyncio.sleep(0.001)
    with pytest.raises(Unavailable):
        await passwords.hash("a fourth: no room left")
    assert refused() == 1
    await asyncio.gather(*hashes)
    assert waiting() == 0
    assert refused() == 1


# Several workers: the library's multiprocess mode.


def per_worker(folder: Path, name: str, **labels: str) -> dict[int, float]:
    """A counter's value in each worker's own file (`counter_<pid>.db`) of the shared folder."""
    found = {}
    for path in folder.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        merged = MultiProcessCollector.merge([str(path)], accumulate=False)  # type: ignore[no-untyped-call]
        found[pid] = sum(
            sample.value
            for family in merged
            for sample in family.samples
            if sample.name == name and sample.labels == labels
        )
    return found


@pytest.fixture
def shared_folder(tmp_path: Path) -> Path:
    """The folder the workers share, with a stale file the supervisor must remove."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"stale: the supervisor empties the folder")
    return folder


@pytest.mark.slow
def test_two_workers_are_counted_together(tmp_path: Path, shared_folder: Path) -> None:
    """Requests on fresh connections until both workers served some; one scrape sums them."""
    env = {MULTIPROC_DIR: str(shared_folder)}
    ready = {"operation": "getReadiness", "status": "200"}
    with served(tmp_path, env=env, command=(*SERVE, "--workers", "2")) as server:
        assert not (shared_folder / "counter_1.db").exists()
        sent = 0
        while True:
            for _ in range(20):
                response = httpx.get(f"{server.base_url}/health/ready", timeout=10)
                assert response.status_code == 200, response.text
                sent += 1
            counted = per_worker(shared_folder, "app_requests_total", **ready)
            if len([count for count in counted.values() if count > 0]) == 2 or sent >= 1000:
                break
        assert len([count for count in counted.values() if count > 0]) == 2, counted
        assert sum(counted.values()) == sent

        scraped = parse(httpx.get(f"{server.base_url}{METRICS}", timeout=10).text)
        assert value(scraped, "app_requests_total", **ready) == sent
        assert (
            value(scraped, "app_request_duration_seconds_count", operation="getReadiness") == sent
        )
        assert value(scraped, "app_requests_in_progress") == 1  # the scrape, in one worker

        # A worker that dies: its live gauges go with it, its counts stay.
        victim = max(counted, key=lambda pid: counted[pid])
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while (shared_folder / f"gauge_livesum_{victim}.db").exists():
            assert time.monotonic() < deadline, "the supervisor did not mark the worker dead"
            time.sleep(0.1)
        scraped = parse(httpx.get(f"{server.base_url}{METRICS}", timeout=10).text)
        assert value(scraped, "app_requests_total", **ready) == sent


@pytest.mark.slow
def test_without_a_folder_named_the_workers_share_a_private_one_removed_at_exit(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with served(tmp_path, env={"TMPDIR": str(temporary)}, command=(*SERVE, "--workers", "2")):
        (folder,) = temporary.glob("app-metrics-*")
        assert folder.stat().st_mode & 0o077 == 0  # the owner's only
        assert list(folder.glob("counter_*.db"))
    assert list(temporary.iterdir()) == []

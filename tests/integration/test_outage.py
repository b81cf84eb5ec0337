"""When the database cannot serve, every data operation answers a prompt 503 with Retry-After.

Issue 12, points 3-5, on real databases in real trouble: a private PostgreSQL cluster that is
stopped, frozen (SIGSTOP) and made read-only; SQLite on a disk that fills up, at its
max_page_count, on an immutable file, and locked by another process. Each time the service
answers 503 problem+json with `Retry-After` (never a 500), readiness says 503 while writes
cannot be served, and once the database is back the same app serves again, unrestarted.
"""

import asyncio
import functools
import gc
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import LOGIN, ME, PASSWORD, REGISTER, Account, new_email, sign_up
from tests.support.clients import started
from tests.support.contract import assert_problem
from tests.support.filesystems import fill, immutable, small_disk
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.resources import ITEMS, create_item
from tests.support.settings import FAST_HASHING, TEST_HOSTS, TEST_SECRET

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

STATEMENT_S = 1.0  # the tests' statement timeout: short, so that waiting for it is cheap
RETRY_AFTER = 3
READY = "/health/ready"
Call = Callable[[], Awaitable[httpx.Response]]


def outage_settings(url: str, tmp_path: Path, **more: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "secret_key": TEST_SECRET,
        "var_dir": tmp_path / "var",
        "validate_responses": True,  # a 503 the contract does not allow would be a 500
        "rate_limit_enabled": False,  # many sign-ins from one address
        "db_retry_after_s": RETRY_AFTER,
        "db_statement_timeout_s": STATEMENT_S,
        "db_pool_timeout_s": STATEMENT_S,
        "db_connect_timeout_s": STATEMENT_S,
        "readiness_timeout_s": STATEMENT_S,
        "allowed_hosts": TEST_HOSTS,
        # The tests count the requests' log lines; a dispatcher polling the same database
        # would add one a second during the outage (tests/integration/test_outbox.py).
        "outbox_dispatcher": False,
        **FAST_HASHING,
        **more,
    }
    return Settings(**values)  # type: ignore[arg-type]


def data_calls(client: httpx.AsyncClient, account: Account) -> dict[str, Call]:
    """One request of each kind that needs the database: reads, writes, sign-in, sign-up."""
    item = {"title": "A lamp", "price": "9.90", "description": "x" * 200}
    return {
        "getCurrentUser": lambda: client.get(ME, headers=account.headers),
        "listItems": lambda: client.get(ITEMS, headers=account.headers),
        "createItem": lambda: client.post(ITEMS, json=item, headers=account.headers),
        "login": lambda: client.post(LOGIN, data={"username": account.email, "password": PASSWORD}),
        "register": lambda: client.post(
            REGISTER, json={"email": new_email(), "password": PASSWORD}
        ),
    }


async def timed(call: Call) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = await call()
    return response, time.monotonic() - start


async def all_at_once(calls: list[tuple[str, Call]]) -> list[tuple[str, httpx.Response, float]]:
    """Every call concurrently: (name, response, seconds it took).

    The cyclic collector is off meanwhile: late in a full test session, a collection over
    everything earlier tests left can pause the loop for a large part of a second (a
    frozen-database call once took 2.08 s against a 1.5 s deadline), which times the test
    process, not the service (which freezes its start-up objects out of the collector's way,
    app.main).
    """
    gc.collect()
    gc.disable()
    try:
        results = await asyncio.gather(*(timed(call) for _, call in calls))
    finally:
        gc.enable()
    return [
        (name, response, seconds)
        for (name, _), (response, seconds) in zip(calls, results, strict=True)
    ]


def assert_unavailable(response: httpx.Response, what: str = "") -> dict[str, object]:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
    body = assert_problem(response, 503)
    assert response.headers["retry-after"] == str(RETRY_AFTER), what
    return body


async def serving_again(client: httpx.AsyncClient, account: Account, within_s: float) -> None:
    """Every data call succeeds again, and readiness says 200, within `within_s` seconds."""
    deadline = time.monotonic() + within_s
    while (await client.get(READY)).status_code != 200:
        assert time.monotonic() < deadline, "readiness never came back"
        await asyncio.sleep(0.2)
    for name, call in data_calls(client, account).items():
        response = await call()
        assert response.status_code in (200, 201), f"{name}: {response.text}"


# PostgreSQL: a private cluster, stopped, frozen, read-only


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        yield pg


async def test_a_stopped_postgresql_is_a_prompt_503_and_serves_again_once_started(
    cluster: PrivatePostgres, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async for client in started(create_app(outage_settings(cluster.url, tmp_path))):
        alice = await sign_up(client)
        await create_item(client, alice)
        cluster.stop()
        calls = list(data_calls(client, alice).items())
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="app"):
            for name, response, seconds in await all_at_once(calls):
                assert_unavailable(response, name)
                assert seconds < STATEMENT_S + 1, f"{name} took {seconds:.2f} s"
        outages = [r for r in caplog.records if "cannot serve" in r.getMessage()]
        assert len(outages) == len(calls), [r.getMessage() for r in caplog.records]
        # Logged by class and SQLSTATE only: no statement, no parameter, no email.
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert alice.email not in logged
        assert "INSERT" not in logged
        assert "SELECT" not in logged
        body = assert_unavailable(await client.get(READY))
        assert body["detail"] == "The database did not answer."
        cluster.start()
        await serving_again(client, alice, within_s=10)


async def test_a_frozen_postgresql_is_a_503_within_the_statement_timeout_then_serves_again(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    """SIGSTOP: connections stay open and nothing answers, not even a cancel request.

    A pool of 2 and 20 requests at once: some hold a connection whose statement never
    returns, the others wait for one or connect anew. Each must answer within the statement
    timeout plus a second, and the app must not keep connections broken by the timeout.
    """
    settings = outage_settings(cluster.url, tmp_path, db_pool_size=2)
    async for client in started(create_app(settings)):
        alice = await sign_up(client)
        await create_item(client, alice)
        calls = [(name, call) for _ in range(4) for name, call in data_calls(client, alice).items()]
        calls.append(("getReadiness", functools.partial(client.get, READY)))
        cluster.freeze()
        try:
            results = await all_at_once(calls)
            again = await all_at_once(calls[:5])  # pooled connections must not be stuck
        finally:
            cluster.thaw()
        for name, response, seconds in results + again:
            assert_unavailable(response, name)
            assert seconds <= STATEMENT_S + 1, f"{name} took {seconds:.2f} s"
        await serving_again(client, alice, within_s=10)


async def test_a_read_only_postgresql_refuses_writes_with_503_and_is_not_ready(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    async for client in started(create_app(outage_settings(cluster.url, tmp_path))):
        alice = await sign_up(client)
        assert (await client.get(READY)).status_code == 200
        cluster.set_read_only(True)
        calls = data_calls(client, alice)
        assert_unavailable(await calls["createItem"](), "createItem")
        assert_unavailable(await calls["register"](), "register")
        assert (await calls["listItems"]()).status_code == 200
        assert (await calls["getCurrentUser"]()).status_code == 200
        body = assert_unavailable(await client.get(READY))
        assert body["detail"] == "The database is read-only."
        cluster.set_read_only(False)
        await serving_again(client, alice, within_s=10)


async def test_a_standby_in_recovery_refuses_writes_with_503_and_is_not_ready(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    """The service pointed at a standby (a failover not finished yet): reads served, writes
    and readiness 503, and writable again once it is promoted, without a restart."""
    async for client in started(create_app(outage_settings(cluster.url, tmp_path))):
        alice = await sign_up(client)
        cluster.restart_as_standby()
        assert cluster.sql("SELECT pg_is_in_recovery()") == "t"
        # The restart closed the pooled connections: the first call to meet one is a 503.
        deadline = time.monotonic() + 10
        while (await data_calls(client, alice)["listItems"]()).status_code != 200:
            assert time.monotonic() < deadline, "reads never came back on the standby"
        calls = data_calls(client, alice)
        assert_unavailable(await calls["createItem"](), "createItem")
        assert_unavailable(await calls["register"](), "register")
        assert (await calls["getCurrentUser"]()).status_code == 200
        body = assert_unavailable(await client.get(READY))
        assert body["detail"] == "The database is read-only."
        cluster.promote()
        await serving_again(client, alice, within_s=10)


# SQLite: a full disk, max_page_count, an immutable file, a lock held elsewhere


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


async def write_until_refused(client: httpx.AsyncClient, account: Account) -> httpx.Response:
    """Create items until one is refused: the WAL may have room left from earlier writes."""
    item = {"title": "A lamp", "price": "9.90", "description": "y" * 2000}
    for _ in range(2000):
        response = await client.post(ITEMS, json=item, headers=account.headers)
        if response.status_code != 201:
            return response
    raise AssertionError("2000 items were written on a full database")


async def test_sqlite_on_a_full_disk_is_a_503_and_not_ready_until_space_returns(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path / "disk", 8 * 1024 * 1024) as disk:
        settings = outage_settings(sqlite_url(disk / "app.db"), tmp_path)
        async for client in started(create_app(settings)):
            alice = await sign_up(client)
            await create_item(client, alice)
            assert (await client.get(READY)).status_code == 200
            filler = disk / "filler"
            fill(filler)
            body = assert_unavailable(await client.get(READY))
            assert body["detail"] == "The database is full."
            assert_unavailable(await write_until_refused(client, alice), "createItem")
            assert (await client.get(ITEMS, headers=alice.headers)).status_code == 200
            filler.unlink()
            await serving_again(client, alice, within_s=5)


async def test_sqlite_at_its_max_page_count_is_a_503_and_not_ready_until_raised(
    tmp_path: Path,
) -> None:
    """SQLITE_FULL without mounting anything: the writer's connection may not grow the file."""
    app = create_app(outage_settings(sqlite_url(tmp_path / "app.db"), tmp_path))
    database = app.state.database

    def cap(connection: Connection, pages: int | None) -> None:
        count = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count = {pages or count}")

    async for client in started(app):
        alice = await sign_up(client)
        await database.write(lambda connection: cap(connection, None))
        body = assert_unavailable(await client.get(READY))
        assert body["detail"] == "The database is full."
        assert_unavailable(await write_until_refused(client, alice), "createItem")
        await database.write(lambda connection: cap(connection, 1_000_000))
        await serving_again(client, alice, within_s=5)


async def test_sqlite_on_a_read_only_file_serves_reads_and_answers_writes_with_503(
    tmp_path: Path,
) -> None:
    """Started on a file no one may write (root included): reads 200, writes and ready 503."""
    path = tmp_path / "app.db"
    settings = outage_settings(sqlite_url(path), tmp_path)
    async for client in started(create_app(settings)):
        alice = await sign_up(client)  # its access token outlives this app
        await create_item(client, alice)
    with immutable(path) as release:
        async for client in started(create_app(settings)):
            calls = data_calls(client, alice)
            assert (await calls["getCurrentUser"]()).status_code == 200
            listed = await calls["listItems"]()
            assert listed.status_code == 200
            assert len(listed.json()["items"]) == 1
            for name in ("createItem", "register", "login"):
                assert_unavailable(await calls[name](), name)
            body = assert_unavailable(await client.get(READY))
            assert body["detail"] == "The database is read-only."
            release()
            await serving_again(client, alice, within_s=5)


async def test_sqlite_locked_past_the_busy_timeout_is_a_503(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    settings = outage_settings(sqlite_url(path), tmp_path, db_busy_timeout_ms=200)
    async for client in started(create_app(settings)):
        alice = await sign_up(client)
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process writing, for too long
            response, seconds = await timed(data_calls(client, alice)["createItem"])
            assert_unavailable(response, "createItem")
            assert seconds < 2
            assert (await client.get(ITEMS, headers=alice.headers)).status_code == 200
        finally:
            holder.close()
        await serving_again(client, alice, within_s=5)


async def test_writes_queued_behind_a_lock_wait_one_busy_timeout_not_one_each(
    tmp_path: Path,
) -> None:
    """Writes that queue while the writer waits out a foreign lock get their 503 when it gives
    up, not after a busy timeout of their own for each group of them."""
    path = tmp_path / "app.db"
    busy_timeout_s = 1.0
    settings = outage_settings(
        sqlite_url(path), tmp_path, db_busy_timeout_ms=int(busy_timeout_s * 1000)
    )
    async for client in started(create_app(settings)):
        alice = await sign_up(client)
        create = data_calls(client, alice)["createItem"]
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            started_at = time.monotonic()
            first = asyncio.ensure_future(create())
            await asyncio.sleep(0.2)  # the writer is waiting on the lock now
            later = await asyncio.gather(*(create() for _ in range(20)))
            waited = time.monotonic() - started_at
            for response in [await first, *later]:
                assert_unavailable(response, "createItem")
            # One busy timeout and change; each group waiting its own took two.
            assert waited < busy_timeout_s + 0.6, waited
        finally:
            holder.close()
        await serving_again(client, alice, within_s=5)


# What is not an outage stays what it is


async def test_a_bug_is_not_an_outage(database_url: str, tmp_path: Path) -> None:
    """A programming error keeps its own error (a 500), and a taken email stays a 409."""
    app = create_app(outage_settings(database_url, tmp_path))
    async for client in started(app):
        with pytest.raises(DBAPIError) as raised:
            await app.state.database.write(
                lambda c: c.exec_driver_sql("SELECT * FROM no_such_table").all()
            )
        assert "no_such_table" in str(raised.value)  # the driver's error, not a 503
        alice = await sign_up(client)
        taken = await client.post(REGISTER, json={"email": alice.email, "password": PASSWORD})
        assert_problem(taken, 409)

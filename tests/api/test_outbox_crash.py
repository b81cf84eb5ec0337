"""`kill -9` while emails are pending: after a restart every committed email is delivered at
least once, and a redelivery carries the same Message-ID (issue 17).

Real processes (`python -m app serve`, `python -m app worker`: tests/support/served.py) send
to a real SMTP server (aiosmtpd) that keeps each message and then holds its answer: the
process is killed with emails handed over but not acknowledged (sent again after their
lease: the duplicates) and others not yet claimed (sent once). Each test prints its figures.
"""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.accounts import REGISTER, new_email
from tests.support.mailbox import Mail, SmtpInbox, smtp_inbox
from tests.support.served import WORKER, running, served

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

RUNS = 5
EMAILS = 5  # registrations a run, each committing one welcome email
BATCH = 2  # claimed at once per dispatcher: the rest of a run's emails wait unclaimed
LEASE_S = 2.0
DELIVERY_WAIT_S = 30.0


def outbox_env(inbox: SmtpInbox, database_url: str, **more: str) -> dict[str, str]:
    env = {
        "APP_SMTP_URL": inbox.url,
        "APP_OUTBOX_BATCH": str(BATCH),
        "APP_OUTBOX_LEASE_S": str(LEASE_S),
        "APP_OUTBOX_POLL_S": "0.2",
        "APP_OUTBOX_RETRY_S": "0.5",
        "APP_SMTP_TIMEOUT_S": "60",  # a held answer is no timeout: the kill comes first
        "APP_RATE_LIMIT_ENABLED": "false",  # 36 registrations a minute from one address
        **more,
    }
    if not database_url.startswith("sqlite"):
        env["APP_DATABASE_URL"] = database_url
    return env


def register(base_url: str, count: int) -> list[str]:
    """Register `count` accounts (each 201: committed, with its welcome email); their emails."""
    emails = [new_email("crash") for _ in range(count)]
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for email in emails:
            response = client.post(REGISTER, json={"email": email, "password": "p" * 12})
            assert response.status_code == 201, response.text
    return emails


async def received(inbox: SmtpInbox, count: int) -> list[Mail]:
    deadline = time.monotonic() + DELIVERY_WAIT_S
    while len(mails := inbox.mails()) < count:
        assert time.monotonic() < deadline, f"{len(mails)} of {count} emails received"
        await asyncio.sleep(0.02)
    return mails


async def every_one_delivered(inbox: SmtpInbox, emails: list[str]) -> list[Mail]:
    """Wait until each of `emails` has its welcome email; check no one got two different ones."""
    deadline = time.monotonic() + DELIVERY_WAIT_S
    while not set(emails) <= {mail.to for mail in inbox.mails()}:
        assert time.monotonic() < deadline, "a committed email was never delivered"
        await asyncio.sleep(0.05)
    await asyncio.sleep(LEASE_S + 1)  # any redelivery still to come arrives
    mails = [mail for mail in inbox.mails() if mail.to in emails]
    for email in emails:
        ids = {mail.message_id for mail in mails if mail.to == email}
        assert len(ids) == 1, f"{email} got different emails: {ids}"
    return mails


def report(killed: str, database: str, totals: list[tuple[int, int]], committed: int) -> None:
    deliveries, duplicates = (sum(column) for column in zip(*totals, strict=True))
    print(  # the figures the README quotes (pytest -s)
        f"kill -9 of {killed}, {database}, {len(totals)} runs: {committed} committed emails, "
        f"{deliveries} deliveries, {duplicates} duplicates (same Message-ID)"
    )


def figures(mails: list[Mail]) -> tuple[int, int]:
    """Deliveries, and how many of them were redeliveries (a Message-ID seen before)."""
    return len(mails), len(mails) - len({mail.message_id for mail in mails})


@pytest.fixture
def inbox() -> Iterator[SmtpInbox]:
    with smtp_inbox() as running_inbox:
        yield running_inbox


async def test_kill_9_of_the_service_loses_no_committed_email(
    tmp_path: Path, database_url: str, inbox: SmtpInbox
) -> None:
    env = outbox_env(inbox, database_url)
    totals = []
    for run in range(RUNS):
        start = len(inbox.mails())
        inbox.answering.clear()  # kept, not acknowledged: the sender waits for the 250
        with served(tmp_path, env) as server:
            emails = register(server.base_url, EMAILS)
            # The first registration woke the dispatcher, which claimed its email alone and
            # waits for the answer: one email handed over, the others committed, not claimed.
            await received(inbox, start + 1)
            server.process.kill()  # SIGKILL: no shutdown of any kind
            server.process.wait()
        inbox.answering.set()
        with served(tmp_path, env):
            mails = await every_one_delivered(inbox, emails)
        deliveries, duplicates = figures(mails)
        # The batch handed over before the kill is sent again, as the same email.
        assert duplicates >= 1, mails
        totals.append((deliveries, duplicates))
        print(f"run {run + 1}: {EMAILS} committed, {deliveries} deliveries, {duplicates} dup.")
    report("service", database_url.split(":")[0], totals, RUNS * EMAILS)


async def test_kill_9_of_one_of_two_workers_loses_no_committed_email(
    tmp_path: Path, postgres_url: str, inbox: SmtpInbox
) -> None:
    """On PostgreSQL: the service sends nothing itself; two workers claim with FOR UPDATE SKIP
    LOCKED, never the same row at once; one is killed, the other finishes its work."""
    env = outbox_env(inbox, postgres_url, APP_OUTBOX_DISPATCHER="false")
    totals = []
    with served(tmp_path, env) as server:
        for run in range(RUNS):
            start = len(inbox.mails())
            inbox.answering.clear()
            # Committed before any worker runs: each claims a full batch at its first poll.
            emails = register(server.base_url, EMAILS + 1)
            logs = [tmp_path / f"worker-{run}-{n}.log" for n in (1, 2)]
            with (
                running(tmp_path, env, WORKER, logs[0]) as doomed,
                running(tmp_path, env, WORKER, logs[1]),
            ):
                # Each worker holds a batch: four emails handed over, two not claimed.
                before_kill = (await received(inbox, start + 2 * BATCH))[start:]
                doomed.kill()
                doomed.wait()
                inbox.answering.set()
                mails = await every_one_delivered(inbox, emails)
            # Two workers at once never sent one row twice: only the kill causes a repeat.
            assert len({mail.message_id for mail in before_kill}) == len(before_kill)
            deliveries, duplicates = figures(mails)
            assert duplicates >= 1, mails
            assert duplicates <= BATCH  # only the killed worker's batch is sent again
            totals.append((deliveries, duplicates))
            print(f"run {run + 1}: {EMAILS + 1} committed, {deliveries} deliveries, "
                  f"{duplicates} dup.")  # fmt: skip
    report("one of two workers", "postgresql", totals, RUNS * (EMAILS + 1))

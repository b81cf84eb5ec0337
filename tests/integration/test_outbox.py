"""The outbox's claims and retries on SQLite and PostgreSQL: a claimed row is nobody else's
until its lease ends, PostgreSQL's claims skip the rows another claim holds (not wait for
them), and failed deliveries back off, then are given up."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select, text

from app.db import migrate
from app.db.database import Database
from app.db.types import utcnow
from app.mail.dispatcher import Dispatcher
from app.mail.messages import Composer
from app.mail.repository import Letter, OutboxRepository
from app.mail.tables import outbox
from app.settings import Settings
from tests.support.database import transaction

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=60)
WELCOME = Letter("welcome", "ada@example.com", {"full_name": "Ada"})


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_settings(settings)
    await migrate.upgrade(database)
    try:
        yield database
    finally:
        await database.dispose()


async def add(database: Database, count: int) -> None:
    now = utcnow()
    for _ in range(count):
        await database.write(lambda connection: OutboxRepository(connection).add(WELCOME, now))


async def claim(database: Database, later: timedelta = timedelta(0)) -> list[str]:
    now = utcnow() + later
    rows = await database.write(
        lambda connection: OutboxRepository(connection).claim(now, now + LEASE, 10)
    )
    return sorted(str(row.id) for row in rows)


async def test_a_claimed_row_is_claimed_again_only_once_its_lease_ends(
    database: Database,
) -> None:
    await add(database, 1)
    first = await claim(database)
    assert len(first) == 1
    assert await claim(database) == []  # another dispatcher, during the lease
    assert await claim(database, LEASE + timedelta(seconds=1)) == first  # the first one died


async def test_postgres_claims_skip_the_rows_another_claim_holds(
    database: Database, settings: Settings
) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite has one writer: no claim ever runs beside another")
    await add(database, 4)
    async with transaction(settings) as held:
        # A claim under way elsewhere: two rows locked, its transaction still open.
        locked = await held.execute(
            text("SELECT id FROM outbox ORDER BY next_attempt_at LIMIT 2 FOR UPDATE")
        )
        locked_ids = sorted(str(row.id) for row in locked)
        # Not blocked until the other commits: the other two rows, at once.
        others = await asyncio.wait_for(claim(database), timeout=2)
        assert len(others) == 2
        assert not set(others) & set(locked_ids)
    assert await claim(database) == locked_ids  # released: theirs to claim now


class Refusing:
    """An SMTP server that refuses every email."""

    def __init__(self) -> None:
        self.tried = 0

    async def send(self, message: EmailMessage) -> None:
        self.tried += 1
        raise ConnectionRefusedError("nothing listens there")


async def test_failures_back_off_then_are_given_up(database: Database, settings: Settings) -> None:
    tuned = Settings(**{**settings.model_dump(), "outbox_max_attempts": 2, "outbox_retry_s": 30})
    sender = Refusing()
    dispatcher = Dispatcher(database, Composer(tuned), sender, tuned)
    await add(database, 1)
    started = utcnow()
    assert await dispatcher.deliver_due() == 1
    (row,) = await database.read(lambda c: c.execute(select(outbox)).all())
    assert row.attempts == 1
    assert row.sent_at is None
    assert row.last_error == "ConnectionRefusedError: nothing listens there"
    wait = row.next_attempt_at - started
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=34)  # 30 s, and up to 10% jitter
    assert await dispatcher.deliver_due() == 0  # not due yet

    await database.write(lambda c: c.execute(outbox.update().values(next_attempt_at=utcnow())))
    assert await dispatcher.deliver_due() == 1
    (row,) = await database.read(lambda c: c.execute(select(outbox)).all())
    assert row.attempts == 2
    assert row.failed_at is not None
    assert row.next_attempt_at is None  # given up: never claimed again
    assert sender.tried == 2


class Unreachable:
    """A database that is down: every unit of work fails."""

    async def read(self, work: object) -> object:
        raise ConnectionRefusedError("down")

    async def write(self, work: object) -> object:
        raise ConnectionRefusedError("down")


async def test_an_outage_is_logged_once_not_once_a_poll(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    tuned = Settings(**{**settings.model_dump(), "outbox_poll_s": 0.01})
    dispatcher = Dispatcher(Unreachable(), Composer(tuned), Refusing(), tuned)  # type: ignore[arg-type]
    with caplog.at_level("INFO", logger="app.mail"):
        dispatcher.start()
        await asyncio.sleep(0.2)  # about 20 polls
        await dispatcher.stop()
    assert [r.getMessage() for r in caplog.records] == [
        "the outbox cannot be read: ConnectionRefusedError"
    ]

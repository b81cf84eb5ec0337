"""The outbox's dispatcher: claims due rows, sends them, marks them sent or retries later.

At least once: a row is marked sent only after the server accepted it, so a process that dies
in between (or a database that fails the mark) leaves it to be sent again when its lease runs
out, as the same email (app/mail/messages.py). Failures retry with exponential back-off and
some jitter, then are given up after APP_OUTBOX_MAX_ATTEMPTS (logged as an error).

It runs inside the service (one per process, started and stopped by the lifespan:
app/main.py) or alone (`python -m app worker`: app/mail/worker.py). Any number may run
against one database: a claim moves each row a lease ahead, in a transaction that skips the
rows another is claiming (app/mail/repository.py).
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection

from app.db.types import utcnow
from app.mail.delivery import Sender, sender_for
from app.mail.messages import KINDS, Composer
from app.mail.repository import Claimed, Letter, OutboxRepository
from app.settings import Settings
from app.unit_of_work import Transactions

log = logging.getLogger("app.mail")
MAX_BACKOFF_S = 3600.0


class Dispatcher:
    def __init__(
        self,
        database: Transactions,
        composer: Composer,
        sender: Sender,
        settings: Settings,
        prepare: Callable[[Connection, Claimed], Letter | None] | None = None,
        outbox: Callable[[Connection], OutboxRepository] = OutboxRepository,
    ) -> None:
        """`prepare` settles, in a transaction, the letter of a row whose kind is looked up
        when sent (app/mail/messages.py KINDS); None means there is nothing to send."""
        self._database = database
        self._composer = composer
        self._sender = sender
        self._outbox = outbox
        self._prepare = prepare
        self._lease = timedelta(seconds=settings.outbox_lease_s)
        self._poll_s = settings.outbox_poll_s
        self._batch = settings.outbox_batch
        self._max_attempts = settings.outbox_max_attempts
        self._retry_s = settings.outbox_retry_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: Transactions,
        prepare: Callable[[Connection, Claimed], Letter | None] | None = None,
    ) -> "Dispatcher":
        return cls(database, Composer(settings), sender_for(settings), settings, prepare)

    def wake(self) -> None:
        """Something was committed to the outbox: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="outbox-dispatcher")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Finish the batch under way (for `grace_s` at most), then stop.

        Cancelled mid-send, a row stays claimed: it is sent again once its lease runs out.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_s)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        failing = False
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self.deliver_due()
            except Exception as error:  # the database is down: try again at the next poll
                if not failing:  # once an outage, not once a poll
                    log.warning("the outbox cannot be read: %s", type(error).__name__)
                failing, claimed = True, 0
            else:
                if failing:
                    log.info("the outbox can be read again")
                failing = False
            if claimed < self._batch and not self._stopping:
                # A full batch may have more behind it: go on at once. Otherwise sleep until
                # this process commits an email or the poll interval passes.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def deliver_due(self) -> int:
        """Claim the rows that are due and send them; how many were claimed."""
        now = utcnow()
        rows = await self._database.write(
            lambda connection: self._outbox(connection).claim(now, now + self._lease, self._batch)
        )
        await asyncio.gather(*(self._deliver(row) for row in rows))
        return len(rows)

    async def _deliver(self, row: Claimed) -> None:
        try:
            letter = await self._letter(row)
            if letter is None:
                await self._database.write(
                    lambda connection: self._outbox(connection).discard(row.id)
                )
                return
            await self._sender.send(self._composer.compose(row, letter))
        except Exception as error:
            await self._failed(row, error)
            return
        log.info("email %s sent (attempt %d)", row.id, row.attempts)
        try:
            await self._database.write(
                lambda connection: self._outbox(connection).sent(row.id, utcnow())
            )
        except Exception as error:  # sent but not marked: sent again after the lease
            log.warning("email %s sent but not marked sent: %s", row.id, type(error).__name__)

    async def _letter(self, row: Claimed) -> Letter | None:
        prepare = self._prepare
        if prepare is None or not KINDS[row.letter.template].looked_up:
            return row.letter
        return await self._database.write(lambda connection: prepare(connection, row))

    async def _failed(self, row: Claimed, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        now = utcnow()
        try:
            if row.attempts >= self._max_attempts:
                log.error("email %s given up after %d attempts: %s", row.id, row.attempts,
                          type(error).__name__)  # fmt: skip
                await self._database.write(
                    lambda connection: self._outbox(connection).give_up(row.id, now, reason)
                )
                return
            delay = min(self._retry_s * 2 ** (row.attempts - 1), MAX_BACKOFF_S)
            delay *= 1 + random.random() / 10  # noqa: S311  # jitter, not a secret
            log.warning("email %s: attempt %d failed (%s); next in %.0f s", row.id, row.attempts,
                        type(error).__name__, delay)  # fmt: skip
            await self._database.write(
                lambda connection: self._outbox(connection).retry(
                    row.id, now + timedelta(seconds=delay), reason
                )
            )
        except Exception as failure:  # the lease runs out and the row is tried again
            log.warning("email %s: the failure was not recorded: %s", row.id,
                        type(failure).__name__)  # fmt: skip

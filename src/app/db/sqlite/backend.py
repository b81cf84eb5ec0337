"""`Database`'s doors on SQLite: reads on the loop (or a reader thread), the rest on the writer.

- read: on the event loop itself (loop_reader.py), unless it meets a lock or outruns its
  budget there, or reads stay off the loop (`APP_SQLITE_READS_ON_LOOP=false`): then on a
  reader thread (readers.py), never on the writer thread, which it would hold up.
- write, maintain (migrations) and the readiness probe: on the process's writer thread
  (writer.py), one hand-off a unit of work. SQLite's waits are bounded by its busy timeout,
  so there is no deadline to lift for maintenance.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from app.db.metered import metered
from app.db.sqlite.loop_reader import MovedOffTheLoop, create_loop_reader
from app.db.sqlite.readers import create_readers
from app.db.sqlite.readiness import Probed, probe
from app.db.sqlite.writer import create_writer
from app.metrics.registry import PoolMeter
from app.settings import Settings

log = logging.getLogger("app.db")
T = TypeVar("T")


class SQLiteBackend:
    def __init__(
        self,
        settings: Settings,
        *,
        read_meter: PoolMeter | None = None,
        write_meter: PoolMeter | None = None,
    ) -> None:
        """`read_meter` counts the reader threads' units of work, `write_meter` the writer's.

        Reads on the event loop wait for nothing and hold no pooled connection: not counted.
        """
        self._loop_reader = create_loop_reader(settings)  # None: reads stay off the loop
        self._readers = create_readers(settings)
        self._writer = create_writer(settings)
        self._read_meter = read_meter
        self._write_meter = write_meter

    async def read(self, work: Callable[[Connection], T]) -> T:
        if self._loop_reader is not None:
            try:
                return self._loop_reader.read(work)
            except MovedOffTheLoop as reason:
                log.info("a read moved off the event loop: %s", reason)
        return await self._readers.read(metered(work, self._read_meter))

    async def write(self, work: Callable[[Connection], T]) -> T:
        return await self._writer.run(metered(work, self._write_meter))

    async def write_single(self, work: Callable[[Connection], T]) -> T:
        # The writer's transaction costs no round trip here: one door for every write.
        return await self.write(work)

    async def maintain(self, work: Callable[[Connection], T]) -> T:
        return await self._writer.run(metered(work, self._write_meter))

    async def refusal(self) -> str | None:
        try:
            await self._writer.run(metered(probe, self._write_meter))
        except Probed as probed:
            return "full" if probed.full else None
        return None  # not reached: the probe always raises Probed

    async def dispose(self) -> None:
        if self._loop_reader is not None:
            self._loop_reader.close()
        await self._readers.close()
        await self._writer.close()

"""Units of work counted on their pool's meter: connections in use, and the wait for one.

Wrapped where a unit of work is handed to something that may make it wait (a pooled connection,
a reader thread, the SQLite writer's queue): the wait runs from the hand-off to the moment the
work starts on its connection. Reads made on the event loop (SQLite) wait for nothing and are
not counted. Costs a closure and three lock-guarded updates; none without metrics.
"""

from collections.abc import Callable
from time import perf_counter
from typing import TypeVar

from sqlalchemy import Connection

from app.metrics.registry import PoolMeter

T = TypeVar("T")


def metered(work: Callable[[Connection], T], meter: PoolMeter | None) -> Callable[[Connection], T]:
    """`work`, telling `meter` when it starts (after how long) and ends; `work` itself if None."""
    if meter is None:
        return work
    handed_over = perf_counter()

    def run(connection: Connection) -> T:
        meter.started(perf_counter() - handed_over)
        try:
            return work(connection)
        finally:
            meter.finished()

    return run

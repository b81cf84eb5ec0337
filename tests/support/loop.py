"""Whether the event loop kept running while a test awaited something slow."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

TICK_S = 0.01


@dataclass
class Ticks:
    """How many 10 ms sleeps a background task finished: a held loop finishes none."""

    count: int = 0


@asynccontextmanager
async def ticking() -> AsyncIterator[Ticks]:
    ticks = Ticks()

    async def tick() -> None:
        while True:
            ticks.count += 1
            await asyncio.sleep(TICK_S)

    task = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        task.cancel()

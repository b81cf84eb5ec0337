"""Password hashing with argon2id (pwdlib), off the event loop and a few at a time.

A hash at the OWASP floor takes ~20-40 ms of CPU and 19 MiB of memory. On the event loop it
would stall every other request; in anyio's default thread pool (40 threads) a burst of
logins ran 40 at once: 40 x 19 MiB, and reads waited behind them for the CPU (issue 12).
So hashes run on at most `concurrency` threads (about the cores, less one, left for the
event loop), a few more wait their turn, and beyond that the caller gets `Unavailable` (503
with Retry-After) at once, without hashing. Verifying an unknown email runs against a dummy
hash through the same bound, so that an unknown email and a wrong password cost the same.
"""

from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.errors import Unavailable
from app.metrics.registry import HashQueueMeter
from app.settings import Settings

T = TypeVar("T")
RETRY_AFTER_S = 1  # the default queue drains in about half a second
BUSY = "Too many passwords are being checked right now; try again in 1 s."


class Passwords:
    def __init__(self, settings: Settings, queue_meter: HashQueueMeter | None = None) -> None:
        """`queue_meter` counts the hashes waiting for a thread and those refused."""
        self._hasher = PasswordHash(
            (
                Argon2Hasher(
                    memory_cost=settings.argon2_memory_kib,
                    time_cost=settings.argon2_time_cost,
                    parallelism=settings.argon2_parallelism,
                ),
            )
        )
        self.concurrency = settings.hash_concurrency
        # Threads of its own: the default pool's 40 stay free for everything else.
        self._threads = CapacityLimiter(self.concurrency)
        self._capacity = self.concurrency + settings.hash_queue
        self._admitted = 0  # hashing or waiting for a thread; only the event loop touches it
        self._meter = queue_meter

    @cached_property
    def _dummy_hash(self) -> str:
        # First read on a hashing thread (`_verify_unknown`), never on the event loop.
        return self._hasher.hash("a password nobody has: timing equaliser")

    def _verify_unknown(self, password: str) -> bool:
        self._hasher.verify(password, self._dummy_hash)
        return False

    async def _bounded(self, work: Callable[..., T], *args: str) -> T:
        """`work(*args)` on a hashing thread, or Unavailable if too many already wait."""
        if self._admitted >= self._capacity:
            if self._meter is not None:
                self._meter.refused()
            raise Unavailable(BUSY, retry_after=RETRY_AFTER_S)
        self._admitted += 1
        try:
            if self._meter is not None:
                return await self._metered(self._meter, work, *args)
            # Not abandoned on cancellation: the count stays true to the threads at work.
            return await anyio.to_thread.run_sync(work, *args, limiter=self._threads)
        finally:
            self._admitted -= 1

    async def _metered(self, meter: HashQueueMeter, work: Callable[..., T], *args: str) -> T:
        """`work` on a hashing thread, counted as waiting until that thread takes it."""
        taken = False

        def start(*given: str) -> T:
            nonlocal taken
            taken = True
            meter.left_queue()
            return work(*given)

        meter.queued()
        try:
            return await anyio.to_thread.run_sync(start, *args, limiter=self._threads)
        finally:
            if not taken:  # cancelled while it waited: the thread never took it
                meter.left_queue()

    async def hash(self, password: str) -> str:
        return await self._bounded(self._hasher.hash, password)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether `password` matches `hashed`; `None` (no such user) costs the same and fails."""
        if hashed is None:
            return await self._bounded(self._verify_unknown, password)
        return await self._bounded(self._hasher.verify, password, hashed)

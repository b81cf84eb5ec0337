"""Password hashing with argon2id (pwdlib), always off the event loop.

A hash at the OWASP floor takes ~20 ms of CPU; on the event loop that would stall every other
request. Verifying an unknown email runs against a dummy hash, so that an unknown email and a
wrong password cost the same time.
"""

from functools import cached_property

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.settings import Settings


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHash(
            (
                Argon2Hasher(
                    memory_cost=settings.argon2_memory_kib,
                    time_cost=settings.argon2_time_cost,
                    parallelism=settings.argon2_parallelism,
                ),
            )
        )

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("a password nobody has: timing equaliser")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether `password` matches `hashed`; `None` (no such user) costs the same and fails."""
        if hashed is None:
            await anyio.to_thread.run_sync(self._hasher.verify, password, self._dummy_hash)
            return False
        return await anyio.to_thread.run_sync(self._hasher.verify, password, hashed)

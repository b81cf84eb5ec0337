"""argon2id at or above the OWASP floor unless a test suite says otherwise, explicitly."""

import asyncio
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import ValidationError

from app.auth.passwords import Passwords
from app.errors import Unavailable
from app.settings import Settings, available_cpus
from tests.support.accounts import FLOOR_M, FLOOR_P, FLOOR_T, argon2_parameters
from tests.support.settings import FAST_HASHING, TEST_SECRET

pytestmark = pytest.mark.anyio


def test_the_defaults_meet_the_floor(tmp_path: Path) -> None:
    settings = Settings(secret_key=TEST_SECRET, var_dir=tmp_path)
    assert settings.argon2_memory_kib >= FLOOR_M
    assert settings.argon2_time_cost >= FLOOR_T
    assert settings.argon2_parallelism >= FLOOR_P


@pytest.mark.parametrize(
    "below",
    [
        pytest.param({"argon2_memory_kib": FLOOR_M - 1}, id="memory"),
        pytest.param({"argon2_time_cost": FLOOR_T - 1}, id="time"),
    ],
)
def test_settings_refuse_argon2_below_the_floor(tmp_path: Path, below: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="OWASP floor"):
        Settings(secret_key=TEST_SECRET, var_dir=tmp_path, **below)
    allowed = Settings(
        secret_key=TEST_SECRET, var_dir=tmp_path, insecure_fast_password_hashing=True, **below
    )
    assert allowed.model_dump(include=set(below)) == below


async def test_default_hashes_are_argon2id_at_the_floor(tmp_path: Path) -> None:
    passwords = Passwords(Settings(secret_key=TEST_SECRET, var_dir=tmp_path))
    hashed = await passwords.hash("a password")
    m, t, p = argon2_parameters(hashed)
    assert m >= FLOOR_M
    assert t >= FLOOR_T
    assert p >= FLOOR_P
    assert await passwords.verify("a password", hashed)
    assert not await passwords.verify("another password", hashed)


async def test_an_unknown_user_never_verifies(tmp_path: Path) -> None:
    passwords = Passwords(Settings(secret_key=TEST_SECRET, var_dir=tmp_path, **FAST_HASHING))
    assert not await passwords.verify("a password nobody has: timing equaliser", None)
    assert not await passwords.verify("", None)


# Bounded hashing: at most `concurrency` at once, a short queue, Unavailable beyond it

# Slow enough (a few ms a hash) that calls fired together overlap; below the floor, explicitly.
SLOWISH: dict[str, Any] = {
    "insecure_fast_password_hashing": True,
    "argon2_memory_kib": 4 * 1024,
    "argon2_time_cost": 2,
}


@dataclass
class InFlight:
    """How many argon2 hashes and checks run at this moment, and the most there ever were."""

    now: int = 0
    most: int = 0
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.now += 1
                self.calls += 1
                self.most = max(self.most, self.now)
            try:
                return real(*args, **kwargs)
            finally:
                with self.lock:
                    self.now -= 1

        return counted


@pytest.fixture
def in_flight(monkeypatch: pytest.MonkeyPatch) -> InFlight:
    """Counts every argon2 hash and check in the process (pwdlib's hasher, patched on its class)."""
    counter = InFlight()
    for name in ("hash", "verify"):
        monkeypatch.setattr(Argon2Hasher, name, counter.wrap(getattr(Argon2Hasher, name)))
    return counter


def bounded(tmp_path: Path, concurrency: int, queue: int) -> Passwords:
    return Passwords(
        Settings(
            secret_key=TEST_SECRET,
            var_dir=tmp_path,
            password_hash_concurrency=concurrency,
            password_hash_queue=queue,
            **SLOWISH,
        )
    )


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_hashing_never_runs_more_than_its_concurrency_at_once(
    tmp_path: Path, in_flight: InFlight, concurrency: int
) -> None:
    passwords = bounded(tmp_path, concurrency, queue=100)
    hashed = await passwords.hash("a password")
    in_flight.most = 0
    # Hashes, checks and checks for unknown emails (the dummy hash) share the one bound.
    work = [
        *(passwords.hash(f"password {i}") for i in range(8)),
        *(passwords.verify("a password", hashed) for _ in range(8)),
        *(passwords.verify("a guess", None) for _ in range(8)),
    ]
    results = await asyncio.gather(*work)
    assert results[8:16] == [True] * 8
    assert results[16:] == [False] * 8
    # In anyio's default pool (40 threads) all 24 ran at once.
    assert in_flight.most == concurrency


async def test_beyond_the_queue_hashing_is_refused_at_once(
    tmp_path: Path, in_flight: InFlight
) -> None:
    passwords = bounded(tmp_path, concurrency=1, queue=2)
    hashed = await passwords.hash("a password")
    calls_before = in_flight.calls
    outcomes = await asyncio.gather(
        *(passwords.verify("a password", hashed) for _ in range(8)), return_exceptions=True
    )
    # One hashing, two waiting; the other five are refused without hashing.
    assert outcomes[:3] == [True] * 3
    refused = outcomes[3:]
    assert all(isinstance(r, Unavailable) for r in refused), refused
    assert {r.retry_after for r in refused if isinstance(r, Unavailable)} == {1}
    assert in_flight.calls - calls_before == 3
    # The queue drained, hashing works again.
    assert await passwords.verify("a password", hashed)


async def test_a_cancelled_caller_frees_its_place(tmp_path: Path) -> None:
    passwords = bounded(tmp_path, concurrency=1, queue=0)
    hashed = await passwords.hash("a password")
    task = asyncio.create_task(passwords.verify("a password", hashed))
    await asyncio.sleep(0)  # admitted, hashing
    with pytest.raises(Unavailable):
        await passwords.verify("a password", hashed)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # waits for its thread, which runs to the end
    assert await passwords.verify("a password", hashed)


def test_the_default_concurrency_is_the_cpus_less_one_and_16_wait_for_each(tmp_path: Path) -> None:
    settings = Settings(secret_key=TEST_SECRET, var_dir=tmp_path)
    assert settings.password_hash_concurrency is None
    assert settings.hash_concurrency == max(1, available_cpus() - 1)
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)
    assert settings.hash_queue == 16 * settings.hash_concurrency
    given = Settings(
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
        password_hash_concurrency=3,
        password_hash_queue=0,
    )
    assert (given.hash_concurrency, given.hash_queue) == (3, 0)
    default_queue = Settings(secret_key=TEST_SECRET, var_dir=tmp_path, password_hash_concurrency=3)
    assert default_queue.hash_queue == 48
    with pytest.raises(ValidationError):
        Settings(secret_key=TEST_SECRET, var_dir=tmp_path, password_hash_concurrency=0)
    with pytest.raises(ValidationError):
        Settings(secret_key=TEST_SECRET, var_dir=tmp_path, password_hash_queue=-1)

"""argon2id at or above the OWASP floor unless a test suite says otherwise, explicitly."""

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.auth.passwords import Passwords
from app.settings import Settings
from tests.conftest import FAST_HASHING, TEST_SECRET
from tests.support.accounts import FLOOR_M, FLOOR_P, FLOOR_T, argon2_parameters

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

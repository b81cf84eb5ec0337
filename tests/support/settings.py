"""Settings for the app under test: the test key, cheap argon2, a database and folder of its own."""

from pathlib import Path
from typing import Any

from app.settings import Settings

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# argon2 at the OWASP floor costs ~20 ms a hash; tests hash hundreds of passwords.
FAST_HASHING: dict[str, Any] = {
    "insecure_fast_password_hashing": True,
    "argon2_memory_kib": 64,
    "argon2_time_cost": 1,
}


# The product default (localhost, 127.0.0.1, ::1: real servers in tests) and the Host that
# in-process clients send (tests/support/clients.py: http://testserver); the default stays as is.
TEST_HOSTS = ["localhost", "127.0.0.1", "::1", "testserver"]


def sqlite_url(folder: Path, name: str = "test.db") -> str:
    return f"sqlite:///{folder / name}"


def app_settings(database_url: str, folder: Path, **fields: Any) -> Settings:
    """What most tests run the app with: responses checked against the contract, cheap hashes.

    A response the contract does not allow is a 500 (`validate_responses`); `fields` add to or
    override the defaults.
    """
    defaults: dict[str, Any] = {
        "secret_key": TEST_SECRET,
        "var_dir": folder / "var",
        "validate_responses": True,
        "allowed_hosts": TEST_HOSTS,
        **FAST_HASHING,
    }
    return Settings(database_url=database_url, **{**defaults, **fields})

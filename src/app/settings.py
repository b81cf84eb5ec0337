"""Runtime configuration from `APP_*` environment variables, refusing unsafe values at start."""

import os
import secrets
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_BYTES = 32
# OWASP's floor for argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
ARGON2_FLOOR_MEMORY_KIB = 19 * 1024
ARGON2_FLOOR_TIME_COST = 2
SECRET_FILE = "secret_key"  # noqa: S105  # a file name, not a secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", extra="forbid")

    var_dir: Path = Field(
        Path("var"), description="Where the default SQLite database and dev secret live."
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db. "
            "Empty means a SQLite file under var_dir."
        ),
    )
    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Signing key, at least 32 bytes. Empty means a dev key kept in var_dir.",
    )
    auto_migrate: bool = Field(True, description="Apply pending migrations at start-up.")
    max_body_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 1024 * 1024
    db_busy_timeout_ms: Annotated[int, Field(ge=0, le=60_000)] = 5_000
    db_connect_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    db_pool_size: Annotated[int | None, Field(ge=1, le=100)] = Field(
        None,
        description=(
            "Connections per pool (the service keeps two pools). Empty means 10 on PostgreSQL "
            "and 2 on SQLite, where requests read on the event loop and write on one thread, "
            "and the pools serve only migrations, readiness and the reads moved off the loop."
        ),
    )
    readiness_timeout_s: Annotated[float, Field(gt=0, le=30)] = 2.0
    db_retry_after_s: Annotated[int, Field(ge=1, le=3600)] = Field(
        5,
        description=(
            "The Retry-After (seconds) of a 503 answered because the database cannot serve: "
            "unreachable, refusing, timing out, read-only, full or locked."
        ),
    )
    db_statement_timeout_s: Annotated[float, Field(gt=0, le=600)] = Field(
        5.0,
        description=(
            "PostgreSQL: the server's statement_timeout on the service's connections, and how "
            "long a request's database call may take in all (waiting for a pooled connection, "
            "connecting, every statement, the commit), plus 0.5 s, before it answers 503, even "
            "when the server does not answer at all (frozen, or a network that drops packets)."
        ),
    )
    db_pool_timeout_s: Annotated[float, Field(gt=0, le=600)] = Field(
        3.0,
        description=(
            "PostgreSQL: how long a request waits for a pooled connection before it answers "
            "503 (the pool is exhausted: the database is slow or frozen, or the load too high)."
        ),
    )
    sqlite_reads_on_loop: bool = Field(
        True,
        description=(
            "SQLite: make reads on the event loop, where they cost microseconds, instead of a "
            "thread hand-off each. They never wait for a lock and never run past their budget "
            "(such reads run again on a thread). Set false when the database is much bigger "
            "than memory: a read of pages not in memory waits for the disk."
        ),
    )
    sqlite_loop_read_budget_ms: Annotated[float, Field(gt=0, le=100)] = Field(
        1.0,
        description=(
            "SQLite: how much of the loop thread's CPU time a read may use before it is "
            "interrupted and run again on a thread (a title search over a big table, a deep page)."
        ),
    )

    access_token_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    refresh_token_days: Annotated[int, Field(ge=1, le=365)] = 7
    jwt_issuer: Annotated[str, Field(min_length=1, max_length=200)] = "contract-first-api"
    jwt_audience: Annotated[str, Field(min_length=1, max_length=200)] = "contract-first-api"
    argon2_memory_kib: Annotated[int, Field(ge=8, le=4 * 1024 * 1024)] = ARGON2_FLOOR_MEMORY_KIB
    argon2_time_cost: Annotated[int, Field(ge=1, le=100)] = ARGON2_FLOOR_TIME_COST
    argon2_parallelism: Annotated[int, Field(ge=1, le=64)] = 1
    insecure_fast_password_hashing: bool = Field(
        False, description="Allow argon2 below the OWASP floor. For test suites only."
    )
    first_superuser_email: str = ""
    first_superuser_password: SecretStr = SecretStr("")

    rate_limit_enabled: bool = True
    rate_limit_auth: Annotated[str, Field(min_length=1, max_length=100)] = "20/minute"
    rate_limit_storage_url: Annotated[str, Field(min_length=1)] = "memory://"
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser."
    )
    validate_responses: bool = Field(
        False,
        description=(
            "Check every response against the contract and answer 500 to one it does not allow "
            "(logged). For development and tests: it buffers and parses every response."
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept the plain scheme people paste and pick the async driver we ship."""
        for plain, asynchronous in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if url.startswith(plain):
                return asynchronous + url[len(plain) :]
        return url

    @model_validator(mode="after")
    def _defaults_under_var_dir(self) -> "Settings":
        if not self.database_url:
            # The embedded default must work even when the secret comes from the environment.
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'app.db'}"
        if not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(dev_secret(self.var_dir))
        if len(self.secret_key.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"APP_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes; "
                'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        if not self.insecure_fast_password_hashing and (
            self.argon2_memory_kib < ARGON2_FLOOR_MEMORY_KIB
            or self.argon2_time_cost < ARGON2_FLOOR_TIME_COST
        ):
            raise ValueError(
                f"argon2 below the OWASP floor (m={ARGON2_FLOOR_MEMORY_KIB} KiB, "
                f"t={ARGON2_FLOOR_TIME_COST}) needs APP_INSECURE_FAST_PASSWORD_HASHING=true"
            )
        if "*" in self.cors_origins:
            raise ValueError("APP_CORS_ORIGINS must list origins; '*' is refused")
        if bool(self.first_superuser_email) != bool(
            self.first_superuser_password.get_secret_value()
        ):
            raise ValueError(
                "set both APP_FIRST_SUPERUSER_EMAIL and APP_FIRST_SUPERUSER_PASSWORD, or neither"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def pool_size(self) -> int:
        # SQLite: aiosqlite runs each connection on its own thread, and every statement wakes
        # it; more threads mean more GIL hand-offs, not more throughput. On SQLite, requests
        # use these pools only for reads moved off the loop (database.py).
        if self.db_pool_size is not None:
            return self.db_pool_size
        return 2 if self.is_sqlite else 10


def dev_secret(var_dir: Path) -> str:
    """The development signing key: made once, readable by its owner only, never committed.

    Several workers may start at once: O_EXCL lets exactly one of them write the file.
    """
    path = var_dir / SECRET_FILE
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()

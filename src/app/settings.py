"""Runtime configuration from `APP_*` environment variables and `.env`, refusing unsafe values at
start.

Each field's docstring is the one statement of what the setting means: `.env.example` is written
from them (app/env_example.py).
"""

import difflib
import ipaddress
import json
import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from limits import parse
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from contract.models import UserRegister

MIN_SECRET_BYTES = 32
# OWASP's floor for argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
ARGON2_FLOOR_MEMORY_KIB = 19 * 1024
ARGON2_FLOOR_TIME_COST = 2
# Password hashes that may wait per hashing thread, by default: each takes ~25-40 ms.
HASH_QUEUE_PER_THREAD = 16
SECRET_FILE = "secret_key"  # noqa: S105  # a file name, not a secret
ENV_PREFIX = "APP_"
# Read from the working directory the service starts in; environment variables win over it.
ENV_FILE = ".env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # Sources, strongest first: arguments, environment variables, `.env`, defaults. A missing
        # `.env` is no error.
        env_file=ENV_FILE,
        # `.env` is often shared (compose reads POSTGRES_PASSWORD from it): only its APP_ lines
        # are ours. Of those, a name that is no setting is refused (`extra`), not ignored: a
        # misspelt line would otherwise leave its setting at the default unnoticed.
        dotenv_filtering="match_prefix",
        extra="forbid",
        # `APP_X=` means the default, as in `.env.example`, and as compose passes `${APP_X:-}`.
        env_ignore_empty=True,
        use_attribute_docstrings=True,  # a docstring under a field is its description
        # A refused setting's error names it and the rule, never the value: the values include
        # the secret key and the first superuser's password, and start-up errors get logged.
        hide_input_in_errors=True,
    )

    var_dir: Path = Path("var")
    """Where the default SQLite database and the development signing key live (relative to the
    working directory).
    """
    database_url: str = ""
    """Where the data lives: `sqlite:///path.db` (the standard library's sqlite3) or
    `postgresql://user:password@host:5432/db` (asyncpg is added to the scheme). Empty means
    `app.db` under APP_VAR_DIR.
    """
    secret_key: SecretStr = SecretStr("")
    """The key tokens are signed with, at least 32 bytes; make one with
    `python -c "import secrets; print(secrets.token_urlsafe(48))"`. Empty means a key generated
    once into `secret_key` under APP_VAR_DIR (readable by its owner only) and reused: fine on one
    machine, but every process and host that serves must share one key.
    """
    auto_migrate: bool = True
    """Apply pending migrations at start-up. False: run `python -m app migrate` before starting."""
    max_body_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 1024 * 1024
    """The largest request body accepted, in bytes; a larger one is answered 413."""
    db_busy_timeout_ms: Annotated[int, Field(ge=0, le=60_000)] = 5_000
    """SQLite: how long a statement waits for a lock another connection holds (SQLite's busy
    timeout), in milliseconds, before it fails.
    """
    db_connect_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    """PostgreSQL: how long opening a connection may take, in seconds."""
    db_pool_size: Annotated[int | None, Field(ge=1, le=100)] = None
    """Connections per pool (PostgreSQL: two pools, for reads and for transactions). Empty means 10
    on PostgreSQL and 2 on SQLite, where requests read on the event loop and write on one thread,
    and the pool (one reader thread a connection) serves only the reads moved off the loop.
    """
    readiness_timeout_s: Annotated[float, Field(gt=0, le=30)] = 2.0
    """How long `/health/ready` waits for the database, in seconds, before it answers 503."""
    db_retry_after_s: Annotated[int, Field(ge=1, le=3600)] = 5
    """The Retry-After (seconds) of a 503 answered because the database cannot serve: unreachable,
    refusing, timing out, read-only, full or locked.
    """
    db_statement_timeout_s: Annotated[float, Field(gt=0, le=600)] = 5.0
    """PostgreSQL: the server's statement_timeout on the service's connections, and how long a
    request's database call may take in all (waiting for a pooled connection, connecting, every
    statement, the commit), plus 0.5 s, before it answers 503, even when the server does not answer
    at all (frozen, or a network that drops packets).
    """
    db_pool_timeout_s: Annotated[float, Field(gt=0, le=600)] = 3.0
    """PostgreSQL: how long a request waits for a pooled connection before it answers 503 (the pool
    is exhausted: the database is slow or frozen, or the load too high).
    """
    sqlite_reads_on_loop: bool = True
    """SQLite: make reads on the event loop, where they cost microseconds, instead of a thread
    hand-off each. They never wait for a lock and never run past their budget (such reads run again
    on a thread). Set false when the database is much bigger than memory: a read of pages not in
    memory waits for the disk.
    """
    sqlite_loop_read_budget_ms: Annotated[float, Field(gt=0, le=100)] = 1.0
    """SQLite: how much of the loop thread's CPU time a read may use before it is interrupted and
    run again on a thread (a title search over a big table, a deep page).
    """

    access_token_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    """How long an access token is accepted, in minutes."""
    refresh_token_days: Annotated[int, Field(ge=1, le=365)] = 7
    """How long a refresh token can be used, in days."""
    jwt_issuer: Annotated[str, Field(min_length=1, max_length=200)] = "contract-first-api"
    """The `iss` claim every token carries, and must carry to be accepted."""
    jwt_audience: Annotated[str, Field(min_length=1, max_length=200)] = "contract-first-api"
    """The `aud` claim every token carries, and must carry to be accepted."""
    argon2_memory_kib: Annotated[int, Field(ge=8, le=4 * 1024 * 1024)] = ARGON2_FLOOR_MEMORY_KIB
    """argon2id memory per password hash, in KiB. Below the OWASP floor (19456 KiB with 2 passes)
    is refused unless APP_INSECURE_FAST_PASSWORD_HASHING.
    """
    argon2_time_cost: Annotated[int, Field(ge=1, le=100)] = ARGON2_FLOOR_TIME_COST
    """argon2id passes over that memory per password hash. Below the OWASP floor (2) is refused
    unless APP_INSECURE_FAST_PASSWORD_HASHING.
    """
    argon2_parallelism: Annotated[int, Field(ge=1, le=64)] = 1
    """argon2id lanes per password hash (each hash still runs on one thread)."""
    insecure_fast_password_hashing: bool = False
    """Allow argon2 below the OWASP floor. For test suites only."""
    password_hash_concurrency: Annotated[int | None, Field(ge=1, le=256)] = None
    """How many password hashes (register, login, password changes) run at once in this process,
    each on a thread of its own with APP_ARGON2_MEMORY_KIB of memory. Empty means the CPUs this
    process may use, less one for the event loop (at least 1). With several workers on one host,
    give each its share; in a container limited by a CPU quota rather than by CPUs, set it to the
    quota less one.
    """
    password_hash_queue: Annotated[int | None, Field(ge=0, le=10_000)] = None
    """How many further hashes may wait for a thread; beyond that the request answers 503 with
    Retry-After (1 s) at once, without hashing. Waiting costs no hashing memory, only time: the
    longest wait is about queue / concurrency hashes. Empty means 16 per hashing thread: a wait of
    at most that many hashes, ~0.5 s at the OWASP floor, whatever the CPUs.
    """
    first_superuser_email: str = ""
    """The email of a superuser created at start-up when no account has it (an existing account
    is left as it is), with APP_FIRST_SUPERUSER_PASSWORD: both or neither. Empty: none.
    """
    first_superuser_password: SecretStr = SecretStr("")
    """The first superuser's password, used only when that account is created. Empty only with
    APP_FIRST_SUPERUSER_EMAIL empty.
    """

    rate_limit_enabled: bool = True
    """Rate-limit the operations whose contract declares 429 (APP_RATE_LIMIT_AUTH), and wrong
    passwords per account (APP_LOGIN_FAILURES_PER_ACCOUNT).
    """
    rate_limit_auth: Annotated[str, Field(min_length=1, max_length=100)] = "20/minute"
    """The limit of those operations, per operation and client address (`limits` syntax)."""
    rate_limit_storage_url: Annotated[str, Field(min_length=1)] = "memory://"
    """Where rate-limit counters live: `memory://` counts in each process on its own,
    `redis://host:6379/0` shares the counts between workers and hosts.
    """
    login_failures_per_account: Annotated[str, Field(min_length=1, max_length=100)] = (
        "10/15 minutes"
    )
    """Wrong passwords one account may receive (login and changePassword together, from any client
    address) before further attempts answer 429 without checking the password, right or wrong;
    `limits` syntax, a window starting at the first failure. Only failures stay counted. It bounds
    online guessing to about 1,000 a day per account, and lets whoever knows an email lock its owner
    out for up to a window: the usual price, kept short. Applies when APP_RATE_LIMIT_ENABLED, in
    APP_RATE_LIMIT_STORAGE_URL.
    """
    frontend_url: Annotated[str, Field(min_length=1, max_length=500)] = "http://localhost:3000"
    """The front-end's base URL, which emailed links point at: `/reset-password?token=...` and
    `/verify-email?token=...` under it. The page there posts the token to the API.
    """
    mail_from: Annotated[str, Field(min_length=3, max_length=300)] = (
        "Contract-first API <no-reply@localhost>"
    )
    """The From of every email (`Name <address>` or an address); its domain also ends each
    email's Message-ID.
    """
    smtp_url: SecretStr = SecretStr("")
    """Where emails are sent: `smtp://user:password@host:587` (STARTTLS as APP_SMTP_STARTTLS says)
    or `smtps://user:password@host:465` (TLS from the first byte). Empty: each email is written as
    an `.eml` file under APP_VAR_DIR/mail and its path logged, for development.
    """
    smtp_starttls: Literal["auto", "always", "never"] = "auto"
    """For `smtp://`: `auto` upgrades to TLS when the server offers STARTTLS, `always` refuses to
    send without it, `never` sends in clear text (a relay on the same host).
    """
    smtp_tls_verify: bool = True
    """Check the SMTP server's TLS certificate and host name. False only for a test relay."""
    smtp_ca_file: Path | None = None
    """PEM file of the certificate authorities to trust for the SMTP server, instead of the
    system's. Empty: the system's.
    """
    smtp_timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0
    """How long connecting to the SMTP server and each of its answers may take, in seconds."""
    password_reset_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 30
    """How long an emailed password-reset link works, in minutes (once at most)."""
    email_verification_hours: Annotated[int, Field(ge=1, le=30 * 24)] = 48
    """How long an emailed verification link works, in hours (once at most)."""
    mails_per_account: Annotated[str, Field(min_length=1, max_length=100)] = "5/hour"
    """Emails one account (one email address, for a password reset, whether or not an account has
    it) may be sent on request (requestPasswordReset, requestEmailVerification) before further
    requests answer 429; `limits` syntax. Applies when APP_RATE_LIMIT_ENABLED, in
    APP_RATE_LIMIT_STORAGE_URL.
    """
    outbox_dispatcher: bool = True
    """Deliver the outbox from inside the service: one dispatcher per process, started and stopped
    with it. False: run `python -m app worker` processes instead (as many as needed).
    """
    outbox_poll_s: Annotated[float, Field(gt=0, le=300)] = 1.0
    """How often a dispatcher looks for emails other processes wrote, in seconds. An email written
    by its own process is sent at once.
    """
    outbox_lease_s: Annotated[float, Field(ge=1, le=3600)] = 60.0
    """How long a dispatcher owns the emails it claimed, in seconds: one not marked sent by then
    (its process died while sending) is sent again, with the same Message-ID. Longer than a send
    can take (APP_SMTP_TIMEOUT_S, a few times over).
    """
    outbox_batch: Annotated[int, Field(ge=1, le=1000)] = 10
    """How many emails a dispatcher claims at once; they are sent concurrently."""
    outbox_max_attempts: Annotated[int, Field(ge=1, le=100)] = 10
    """Attempts per email before it is given up (logged as an error, kept in the table)."""
    outbox_retry_s: Annotated[float, Field(gt=0, le=3600)] = 5.0
    """The wait after a first failed attempt, in seconds; it doubles after each further failure,
    up to an hour, with up to 10% more at random so that retries spread out.
    """
    cors_origins: list[str] = Field(default_factory=list)
    """Browser origins (`https://app.example.com`) allowed to call the API, as a JSON list; `*` is
    refused. Empty: none, so browsers allow only same-origin calls.
    """
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses or networks (CIDR) of the proxies whose X-Forwarded-For and X-Forwarded-Proto are
    believed, as a JSON list or comma-separated. Empty (the default): none, so the client address is
    the connection's peer and a client cannot pick the address the sign-in rate limit counts.
    `*` and anything that is not an address or network are refused. Applied by
    `python -m app serve`.
    """
    shutdown_drain_s: Annotated[float, Field(ge=0, le=300)] = 5.0
    """On SIGTERM, how long to keep accepting and serving while readiness answers 503 and every
    response closes its connection, so that load balancers stop sending here before the listening
    socket closes. 0 stops accepting at once.
    """
    shutdown_grace_s: Annotated[int, Field(ge=1, le=3600)] = 20
    """After the drain, how long requests already accepted may take to finish; what is still running
    then is cancelled and the process exits.
    """
    gc_young_threshold: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    """How many more container objects the process may hold before Python's cyclic garbage
    collector looks at the young ones (`gc.set_threshold`'s first number; Python's own is 700).
    Requests in flight keep thousands of objects alive, so at 700 it ran every ten requests or so
    under load and found nothing to free: 6-8% of the CPU. Garbage in cycles waits longer for it.
    """
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    """The least severe log lines written: `info` includes one line per request, `warning` leaves
    those out.
    """
    log_format: Literal["text", "json"] = "text"
    """`text`: one readable line per event. `json`: one JSON object per line, for a log collector.
    """
    metrics_enabled: bool = True
    """Serve Prometheus metrics at `/metrics`. False answers 404 there and counts nothing."""
    opentelemetry_enabled: bool = False
    """FastAPI's own OpenTelemetry spans, metrics and logs, for the providers an OpenTelemetry SDK
    configures in this process. Off by default: the service logs and counts every request itself,
    and FastAPI looks up the three global providers on every request to see whether any is set
    (~2 us a request, measured)."""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1"]
    )
    """Host names (the `Host` header without its port) this service answers to, as a JSON list or
    comma-separated; `*.example.com` matches its subdomains, `*` matches any host. Any other `Host`
    is refused with 400. The default serves a newcomer on this machine; behind a proxy or in a
    container, name the public host names.
    """
    validate_responses: bool = False
    """Check every response against the contract (status, content type, required headers, body
    with objects closed) and answer 500 to one it does not allow (logged). For development and
    tests: it buffers and parses every response.
    """

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, given: Any) -> Any:
        """Refuse a name that is no setting by the name it was written as (`APP_DATABSE_URL` in
        `.env`), with the setting it was probably meant to be; `extra="forbid"` alone would say
        `databse_url: Extra inputs are not permitted`."""
        if isinstance(given, dict):
            unknown = sorted(set(given) - set(cls.model_fields))
            if unknown:
                listed = "`python -m app env-example` lists every setting"
                raise ValueError("; ".join([*map(_unknown_setting, unknown), listed]))
        return given

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        """Accept the schemes people paste and name the driver the service uses.

        PostgreSQL: asyncpg. SQLite: the standard library's sqlite3 (app/db/sqlite/ says why no
        async driver); a `sqlite+aiosqlite://` URL from older settings names the same file.
        """
        for given, used in (
            ("sqlite+aiosqlite://", "sqlite://"),
            ("sqlite+pysqlite://", "sqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if url.startswith(given):
                return used + url[len(given) :]
        return url

    @field_validator("rate_limit_auth", "login_failures_per_account", "mails_per_account")
    @classmethod
    def _a_limit(cls, limit: str) -> str:
        """A limit `limits` can parse, refused at start rather than at the first request."""
        parse(limit)  # ValueError names the string
        return limit

    @field_validator("mail_from")
    @classmethod
    def _a_sender(cls, value: str) -> str:
        """An address with a domain: it ends every Message-ID (RFC 5322's `id-right`)."""
        if not mail_domain(value):
            raise ValueError("APP_MAIL_FROM: give an address such as `Name <no-reply@example.com>`")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _an_smtp_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if url and (urlsplit(url).scheme not in ("smtp", "smtps") or not urlsplit(url).hostname):
            # Never the value: it may carry the SMTP password.
            raise ValueError("APP_SMTP_URL: use smtp://user:password@host:port or smtps://...")
        return value

    @field_validator("frontend_url")
    @classmethod
    def _a_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("APP_FRONTEND_URL: an http(s) URL such as https://app.example.com")
        return value.rstrip("/")

    @field_validator("forwarded_allow_ips", "allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Take a comma-separated list (uvicorn's FORWARDED_ALLOW_IPS form) or a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in text.split(",") if part.strip()]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: list[str]) -> list[str]:
        """Every entry an IP address or network: uvicorn quietly treats a typo as a name."""
        proxies = []
        for entry in (part.strip() for part in value):
            if entry == "*":
                raise ValueError(
                    "APP_FORWARDED_ALLOW_IPS: '*' would let any client choose its address; "
                    "name the proxies' addresses or their network (e.g. 10.0.0.0/8)"
                )
            try:
                address = (
                    ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
                )
            except ValueError:
                raise ValueError(
                    f"APP_FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network (CIDR)"
                ) from None
            proxies.append(str(address))
        return proxies

    @model_validator(mode="after")
    def _defaults_under_var_dir(self) -> "Settings":
        if not self.database_url:
            # The embedded default must work even when the secret comes from the environment.
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.var_dir / 'app.db'}"
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
        if self.first_superuser_email:
            _check_first_superuser(self.first_superuser_email, self.first_superuser_password)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def smtp_password(self) -> str:
        """The password in APP_SMTP_URL (empty if none): masked in logs like the other secrets."""
        return unquote(urlsplit(self.smtp_url.get_secret_value()).password or "")

    @property
    def hash_concurrency(self) -> int:
        if self.password_hash_concurrency is not None:
            return self.password_hash_concurrency
        return max(1, available_cpus() - 1)

    @property
    def hash_queue(self) -> int:
        if self.password_hash_queue is not None:
            return self.password_hash_queue
        return HASH_QUEUE_PER_THREAD * self.hash_concurrency

    @property
    def pool_size(self) -> int:
        # SQLite: each connection is a reader thread, for reads moved off the loop only
        # (app/db/sqlite/readers.py); more threads mean more GIL hand-offs, not throughput.
        if self.db_pool_size is not None:
            return self.db_pool_size
        return 2 if self.is_sqlite else 10


def mail_domain(sender: str) -> str:
    """The domain of a From such as `Name <no-reply@example.com>`; empty if it has none."""
    _, address = parseaddr(sender)
    return address.rpartition("@")[2] if "@" in address else ""


def env_name(field: str) -> str:
    """The environment variable (and `.env` name) of a setting."""
    return f"{ENV_PREFIX}{field.upper()}"


def _unknown_setting(name: str) -> str:
    known = [env_name(field) for field in Settings.model_fields]
    close = difflib.get_close_matches(env_name(name), known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{env_name(name)} is not a setting{hint}"


def available_cpus() -> int:
    """The CPUs this process may run on: its affinity mask where the system has one (what
    os.process_cpu_count() of Python 3.13 answers), else every CPU of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity masks on this system (macOS, Windows)
        return os.cpu_count() or 1


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


def _check_first_superuser(email: str, password: SecretStr) -> None:
    """The first superuser must be an account the contract accepts at registration.

    Responses are validated against the contract (app/responses.py): an address such as
    `admin@localhost`, stored at start-up, would make every answer about that user a 500.
    The message names the fields and rules, never the values (a password must not be echoed).
    """
    try:
        UserRegister(email=email.lower(), password=password.get_secret_value())
    except ValidationError as error:
        names = {"email": "APP_FIRST_SUPERUSER_EMAIL", "password": "APP_FIRST_SUPERUSER_PASSWORD"}
        reasons = "; ".join(
            f"{names.get(str(problem['loc'][0]), problem['loc'][0])}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        raise ValueError(
            f"the first superuser is not an account the API accepts: {reasons}"
        ) from None

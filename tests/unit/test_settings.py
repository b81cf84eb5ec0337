"""Settings refuse unsafe values and make safe development defaults under var/; they come from
arguments, then APP_* variables, then `.env`."""

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import (
    ARGON2_FLOOR_MEMORY_KIB,
    ARGON2_FLOOR_TIME_COST,
    HASH_QUEUE_PER_THREAD,
    Settings,
)

LONG_ENOUGH = "k" * 32


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(secret_key="k" * 31, var_dir=tmp_path)


def test_the_secret_length_is_counted_in_bytes_not_characters(tmp_path: Path) -> None:
    # 16 two-byte characters: 16 characters, 32 bytes.
    assert Settings(secret_key="é" * 16, var_dir=tmp_path).secret_key.get_secret_value()
    with pytest.raises(ValidationError):
        Settings(secret_key="é" * 15, var_dir=tmp_path)


def test_the_dev_secret_is_made_once_owner_only_and_reused(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path / "var").secret_key.get_secret_value()
    secret_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.encode()) >= 32
    assert Settings(var_dir=tmp_path / "var").secret_key.get_secret_value() == first
    assert Settings(var_dir=tmp_path / "other").secret_key.get_secret_value() != first


def test_an_explicit_secret_writes_no_file(tmp_path: Path) -> None:
    Settings(secret_key=LONG_ENOUGH, var_dir=tmp_path / "var")
    assert not (tmp_path / "var" / "secret_key").exists()


def test_the_default_database_is_sqlite_under_var(tmp_path: Path) -> None:
    settings = Settings(secret_key=LONG_ENOUGH, var_dir=tmp_path / "var")
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    assert (tmp_path / "var").is_dir()  # created, so SQLite can open the file
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite:///x.db"),
        ("sqlite+pysqlite:///x.db", "sqlite:///x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_name_the_driver_the_service_uses(
    given: str, used: str, tmp_path: Path
) -> None:
    assert (
        Settings(database_url=given, secret_key=LONG_ENOUGH, var_dir=tmp_path).database_url == used
    )


def test_settings_come_from_app_prefixed_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APP_SECRET_KEY", LONG_ENOUGH)
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("APP_AUTO_MIGRATE", "false")
    settings = Settings()
    assert settings.secret_key.get_secret_value() == LONG_ENOUGH
    assert settings.var_dir == tmp_path / "elsewhere"
    assert settings.auto_migrate is False


def test_unknown_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"APP_DATABASE_ULR is not a setting \(did you mean"):
        Settings(database_ulr="sqlite:///typo.db", secret_key=LONG_ENOUGH, var_dir=tmp_path)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("url", "given", "used"),
    [
        ("sqlite:///x.db", None, 2),  # each SQLite connection is a thread contending for the GIL
        ("postgresql://u@h/db", None, 10),
        ("sqlite:///x.db", 7, 7),
        ("postgresql://u@h/db", 3, 3),
    ],
)
def test_the_pool_size_depends_on_the_database_unless_given(
    url: str, given: int | None, used: int, tmp_path: Path
) -> None:
    settings = Settings(
        secret_key=LONG_ENOUGH, var_dir=tmp_path, database_url=url, db_pool_size=given
    )
    assert settings.pool_size == used


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("admin@localhost", "long enough password", "APP_FIRST_SUPERUSER_EMAIL"),
        ("admin@example.org", "short", "APP_FIRST_SUPERUSER_PASSWORD"),
    ],
)
def test_a_first_superuser_the_contract_would_refuse_is_refused_without_echoing_it(
    tmp_path: Path, email: str, password: str, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(
            var_dir=tmp_path,
            first_superuser_email=email,
            first_superuser_password=password,
        )
    assert field in str(raised.value)
    assert password not in str(raised.value)


def test_a_first_superuser_the_contract_accepts_is_kept(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        first_superuser_email="Admin@Example.org",
        first_superuser_password="x" * 12,
    )
    assert settings.first_superuser_email == "Admin@Example.org"


def test_docstrings_quote_the_constants_they_name() -> None:
    """The meanings in .env.example are docstrings, which cannot interpolate a constant."""
    fields = Settings.model_fields
    assert f"Empty means {HASH_QUEUE_PER_THREAD} per hashing thread" in str(
        fields["password_hash_queue"].description
    )
    floor = f"OWASP floor ({ARGON2_FLOOR_MEMORY_KIB} KiB with {ARGON2_FLOOR_TIME_COST} passes)"
    assert floor in str(fields["argon2_memory_kib"].description)
    assert f"OWASP floor ({ARGON2_FLOOR_TIME_COST})" in str(fields["argon2_time_cost"].description)


# `.env`. The suite builds Settings without one (tests/conftest.py): these name theirs.


def _from_dotenv(folder: Path, text: str) -> Settings:
    dotenv = folder / ".env"
    dotenv.write_text(text)
    return Settings(_env_file=dotenv, secret_key=LONG_ENOUGH, var_dir=folder / "var")


def test_dotenv_lines_without_the_prefix_are_not_ours(tmp_path: Path) -> None:
    """Compose reads the same file: its POSTGRES_* lines neither fail nor set anything, and nor
    does a bare field name, which pydantic-settings would otherwise read despite the prefix."""
    settings = _from_dotenv(
        tmp_path,
        "POSTGRES_PASSWORD=compose-only\n"
        "COMPOSE_PROJECT_NAME=api\n"
        "jwt_issuer=bare-name\n"
        "APP_JWT_AUDIENCE=from-dotenv\n",
    )
    assert settings.jwt_audience == "from-dotenv"
    assert settings.jwt_issuer == Settings.model_fields["jwt_issuer"].default


@pytest.mark.parametrize("line", ["APP_SECRET_KY", "app_secret_ky"])
def test_a_misspelt_app_line_is_refused_by_its_name_without_echoing_it(
    tmp_path: Path, line: str
) -> None:
    value = "a-secret-that-must-not-be-printed-0123456789"
    with pytest.raises(ValidationError) as refused:
        _from_dotenv(tmp_path, f"POSTGRES_PASSWORD=x\n{line}={value}\n")
    message = str(refused.value)
    assert "APP_SECRET_KY is not a setting (did you mean APP_SECRET_KEY?)" in message
    assert value not in message


def test_the_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_JWT_ISSUER", "from-environment")
    settings = _from_dotenv(tmp_path, "APP_JWT_ISSUER=from-dotenv\nAPP_JWT_AUDIENCE=from-dotenv\n")
    assert (settings.jwt_issuer, settings.jwt_audience) == ("from-environment", "from-dotenv")


def test_an_empty_value_means_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `.env.example` shows unset defaults, and as compose passes `${APP_X:-}`."""
    monkeypatch.setenv("APP_CORS_ORIGINS", "")
    settings = _from_dotenv(tmp_path, "APP_DB_POOL_SIZE=\nAPP_JWT_ISSUER=\n")
    assert settings.db_pool_size is None
    assert settings.jwt_issuer == Settings.model_fields["jwt_issuer"].default
    assert settings.cors_origins == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("mail_from", "no-reply", "APP_MAIL_FROM"),
        ("frontend_url", "app.example.com", "APP_FRONTEND_URL"),
        ("smtp_url", "http://mail.example.com", "APP_SMTP_URL"),
        ("mails_per_account", "five a day", "five a day"),
    ],
)
def test_mail_settings_are_checked_at_start(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{name: value}, secret_key=LONG_ENOUGH, var_dir=tmp_path)  # type: ignore[arg-type]


def test_a_refused_smtp_url_is_not_echoed_and_its_password_is_known(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(smtp_url="ftp://me:hunter2-secret@host", secret_key=LONG_ENOUGH, var_dir=tmp_path)
    assert "hunter2" not in str(refused.value)
    given = Settings(
        smtp_url="smtps://me:p%40ss@mail.example.com:465",
        frontend_url="https://app.example.com/",
        secret_key=LONG_ENOUGH,
        var_dir=tmp_path,
    )
    assert given.smtp_password == "p@ss"  # what the logs mask (app/redaction.py)
    assert given.frontend_url == "https://app.example.com"  # links add their own slash

"""compose.yaml holds together: migrations run once before the API, which runs several workers
on PostgreSQL and Redis, configured by settings that exist, from required secrets.

No Docker engine on these machines: `docker compose up` has not been run here. What can be
checked without one is: the file's structure, Compose's variable substitution done the way
Compose does it, and the resulting environment given to the service's own Settings.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}.
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
REQUIRED = {
    "POSTGRES_PASSWORD",
    "APP_SECRET_KEY",
    "APP_FIRST_SUPERUSER_EMAIL",
    "APP_FIRST_SUPERUSER_PASSWORD",
}
OPERATOR_ENV = {
    "POSTGRES_PASSWORD": "s3cret-Password_123",
    "APP_SECRET_KEY": "k" * 48,
    "APP_FIRST_SUPERUSER_EMAIL": "admin@example.com",
    "APP_FIRST_SUPERUSER_PASSWORD": "a long passphrase 42",
}


SETTINGS = {f"APP_{name.upper()}" for name in Settings.model_fields}


class MissingVariable(Exception):
    pass


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's substitution (the compose-spec's interpolation rules) over a parsed file."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        given = env.get(name)
        unset = given is None or (given == "" and op is not None and op.startswith(":"))
        if op in (":?", "?") and unset:
            raise MissingVariable(f"{name}: {arg}")
        if op in (":-", "-") and unset:
            return str(arg)
        return given or ""

    return VARIABLE.sub(substitute, value)


def var_dir(dockerfile: str) -> str:
    found = re.findall(r"\bAPP_VAR_DIR=(\S+)", dockerfile)
    assert len(found) == 1, found
    return str(found[0])


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    return parsed


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = interpolate(compose, OPERATOR_ENV)["services"]
    return resolved


def test_the_secrets_are_required_and_nothing_else(compose: dict[str, Any]) -> None:
    for name in sorted(REQUIRED):
        with pytest.raises(MissingVariable, match=name):
            interpolate(compose, {k: v for k, v in OPERATOR_ENV.items() if k != name})
        # Set but empty counts as missing (`:?`): an empty secret key would mean a dev key.
        with pytest.raises(MissingVariable, match=name):
            interpolate(compose, {**OPERATOR_ENV, name: ""})
    interpolate(compose, OPERATOR_ENV)


def test_every_app_variable_it_reads_is_a_setting(compose: dict[str, Any]) -> None:
    """APP_* always names a setting: the same values can feed the service outside Compose."""
    read = set(VARIABLE.findall((PROJECT / "compose.yaml").read_text()))
    names = {name for name, _op, _arg in read if name.startswith("APP_")}
    assert names <= SETTINGS, names - SETTINGS


def test_migrations_run_once_before_the_api(services: dict[str, Any]) -> None:
    migrate, api = services["migrate"], services["api"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"  # one-shot: done is done
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert api["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert api["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert api["depends_on"]["redis"] == {"condition": "service_healthy"}
    # The workers never migrate themselves: no race between them.
    assert api["environment"]["APP_AUTO_MIGRATE"] == "false"


def test_both_run_the_image_built_from_the_dockerfile(services: dict[str, Any]) -> None:
    for name in ("migrate", "api"):
        build = services[name]["build"]
        assert (PROJECT / build["context"] / build["dockerfile"]).resolve() == (
            PROJECT / "Dockerfile"
        )
    assert services["migrate"]["image"] == services["api"]["image"]
    assert services["migrate"]["environment"] == services["api"]["environment"]


def test_the_api_runs_several_workers_on_the_published_port(services: dict[str, Any]) -> None:
    command = services["api"]["command"]
    assert command[0] == "serve"
    assert int(command[command.index("--workers") + 1]) > 1
    port = command[command.index("--port") + 1]
    assert services["api"]["ports"] == [f"8000:{port}"]
    dockerfile = (PROJECT / "Dockerfile").read_text()
    assert re.findall(r"^EXPOSE (\d+)$", dockerfile, re.MULTILINE) == [port]
    # The named volume is where the image keeps APP_VAR_DIR.
    assert services["api"]["volumes"] == [f"app-var:{var_dir(dockerfile)}"]


def test_postgres_and_redis_report_their_health(services: dict[str, Any]) -> None:
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_the_api_environment_is_settings_the_service_accepts(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment: dict[str, str] = services["api"]["environment"]
    assert set(environment) <= SETTINGS, set(environment) - SETTINGS

    # Settings read from exactly this environment, as in the container (no .env, no other APP_*).
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("APP_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings()
    assert settings.database_url == (
        f"postgresql+asyncpg://app:{OPERATOR_ENV['POSTGRES_PASSWORD']}@postgres:5432/app"
    )
    assert settings.rate_limit_storage_url.startswith("redis://redis:6379/")
    assert settings.log_format == "json"
    assert settings.auto_migrate is False
    assert settings.first_superuser_email == OPERATOR_ENV["APP_FIRST_SUPERUSER_EMAIL"]
    # The image's HEALTHCHECK asks with Host: localhost.
    assert "localhost" in settings.allowed_hosts
    assert "'Host': 'localhost'" in (PROJECT / "Dockerfile").read_text()
    assert not (tmp_path / "var").exists()  # nothing fell back to the SQLite default

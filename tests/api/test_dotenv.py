"""`.env` in the working directory configures a real `python -m app serve`; a developer's own
`.env` changes nothing the suite builds (tests/conftest.py, tests/support/served.py).

The rules of reading it (which lines are ours, what wins) are in tests/unit/test_settings.py.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.support.accounts import LOGIN
from tests.support.served import served
from tests.support.settings import TEST_SECRET, app_settings, sqlite_url

FORM = {"username": "nobody@example.com", "password": "wrong password"}
# What a developer's `.env` might say: a compose line, settings that would change what tests
# see, and a misspelt name that would stop every Settings() built from it.
DEVELOPERS_DOTENV = (
    "POSTGRES_PASSWORD=compose-only\n"
    "APP_VALIDATE_RESPONSES=false\n"
    "APP_RATE_LIMIT_AUTH=1/hour\n"
    "APP_DATABSE_URL=sqlite:///elsewhere.db\n"
)


@pytest.mark.slow
def test_a_server_reads_dotenv_from_its_working_directory_and_the_environment_wins(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text(
        "POSTGRES_PASSWORD=compose-only\n"  # not ours: ignored, not refused
        "APP_RATE_LIMIT_AUTH=2/minute\n"
        "APP_VAR_DIR=dotenv-var\n"  # served() sets APP_VAR_DIR in the environment
    )
    with (
        served(tmp_path, {"APP_SHUTDOWN_DRAIN_S": "0"}) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        statuses = [client.post(LOGIN, data=FORM).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]  # the limit from `.env`, not the default 20/minute
    assert server.database.is_file()
    assert not (tmp_path / "dotenv-var").exists()


@pytest.mark.slow
def test_a_misspelt_name_in_dotenv_stops_the_server_naming_it(tmp_path: Path) -> None:
    secret = "a-signing-key-that-must-never-be-printed-0123456789"
    (tmp_path / ".env").write_text(f"POSTGRES_PASSWORD=compose-only\nAPP_SECRET_KY={secret}\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    started = subprocess.run(  # our own interpreter, fixed arguments
        [sys.executable, "-m", "app", "serve", "--port", "0"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "APP_SECRET_KY is not a setting (did you mean APP_SECRET_KEY?)" in started.stderr
    assert secret not in started.stdout + started.stderr
    assert "POSTGRES_PASSWORD" not in started.stderr


def test_the_suites_settings_ignore_a_dotenv_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Servers the suite starts run in the test's folder (served(); the first test shows they
    read the `.env` there), so a developer's in the repository root reaches none of them."""
    (tmp_path / ".env").write_text(DEVELOPERS_DOTENV)
    monkeypatch.chdir(tmp_path)
    settings = app_settings(sqlite_url(tmp_path), tmp_path)
    assert settings.validate_responses is True
    assert settings.rate_limit_auth == Settings.model_fields["rate_limit_auth"].default
    Settings(secret_key=TEST_SECRET, var_dir=tmp_path / "var")  # the misspelt line is not read
    # The same file, named, is read: the suite's guard is why the lines above ignore it.
    with pytest.raises(ValidationError, match="APP_DATABSE_URL is not a setting"):
        Settings(_env_file=".env", secret_key=TEST_SECRET, var_dir=tmp_path / "var")

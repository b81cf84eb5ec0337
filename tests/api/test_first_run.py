"""A newcomer's first run: the block `python -m app serve` logs once it is up, and the README's
`curl` commands of "Using the API", run as pasted against a real server.
"""

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from app.banner import banner, base_url
from app.settings import Settings
from tests.support.served import SERVE, Served, served
from tests.support.settings import TEST_SECRET

README = Path(__file__).resolve().parents[2] / "README.md"
FIRST_LINE = "The service is up at "
SUPERUSER = {
    "APP_FIRST_SUPERUSER_EMAIL": "root@example.org",
    "APP_FIRST_SUPERUSER_PASSWORD": "first superuser's password",
}


def banners(server: Served, expected: int = 1, timeout_s: float = 10) -> list[list[str]]:
    """Each block the server logged: its first line and the indented lines under it."""
    deadline = time.monotonic() + timeout_s
    while True:
        lines = server.output().splitlines()
        found = [
            [line[line.index(FIRST_LINE) :], *_indented(lines[n + 1 :])]
            for n, line in enumerate(lines)
            if FIRST_LINE in line
        ]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _indented(lines: list[str]) -> list[str]:
    taken = []
    for line in lines:
        if not line.startswith("  "):
            break
        taken.append(line)
    return taken


def rows(block: list[str]) -> dict[str, str]:
    return {line[2:14].strip(): line[14:] for line in block[1:]}


@pytest.mark.slow
def test_once_up_the_service_says_where_it_is_and_how_to_begin(tmp_path: Path) -> None:
    with served(tmp_path, env={"APP_SECRET_KEY": ""}) as server:
        [block] = banners(server)
        assert block[0] == f"{FIRST_LINE}{server.base_url}"
        row = rows(block)
        assert list(row) == [
            "docs",
            "contract",
            "database",
            "signing key",
            "superuser",
            "first calls",
        ]
        assert row["database"] == f"sqlite:///{tmp_path / 'var' / 'app.db'}"
        assert row["signing key"] == (
            f"{tmp_path / 'var' / 'secret_key'}, made for development; in production set "
            "APP_SECRET_KEY"
        )
        assert row["superuser"] == (
            "none: set APP_FIRST_SUPERUSER_EMAIL and APP_FIRST_SUPERUSER_PASSWORD "
            "(environment or .env), then restart"
        )
        # Every URL it names answers.
        urls = re.findall(r"http://\S+", row["docs"] + " " + row["contract"])
        assert [url.rsplit("/", 1)[1] for url in urls] == ["docs", "redoc", "openapi.json"]
        for url in urls:
            assert httpx.get(url, timeout=10).status_code == 200, url


@pytest.mark.slow
def test_with_workers_one_block_and_no_secret_in_it(tmp_path: Path) -> None:
    command = [*SERVE, "--workers", "2"]
    with served(tmp_path, env=SUPERUSER, command=command) as server:
        found = banners(server, expected=2, timeout_s=5)  # waits for a second one, in vain
        assert len(found) == 1, server.output()
        row = rows(found[0])
        assert row["signing key"] == "APP_SECRET_KEY"
        assert row["superuser"] == (
            "APP_FIRST_SUPERUSER_EMAIL, created at start-up if missing; its password is "
            "APP_FIRST_SUPERUSER_PASSWORD"
        )
        for secret in (TEST_SECRET, *SUPERUSER.values()):
            assert secret not in "\n".join(found[0])
        signed_in = httpx.post(
            f"{server.base_url}/api/v1/auth/login",
            data={
                "username": SUPERUSER["APP_FIRST_SUPERUSER_EMAIL"],
                "password": SUPERUSER["APP_FIRST_SUPERUSER_PASSWORD"],
            },
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text


def test_the_block_hides_a_database_password_and_shows_a_browsable_url(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        secret_key=TEST_SECRET,
        database_url="postgresql://app:s3cret-pw@db.internal:5432/app",
    )
    every_interface = "0.0.0.0"  # noqa: S104  # what the block says of it, not a bind
    text = banner(settings, base_url(every_interface, 8000), "0.0.0.0, every interface")
    assert text.splitlines()[0] == (
        "The service is up at http://127.0.0.1:8000 (listening on 0.0.0.0, every interface)"
    )
    assert "  database    postgresql+asyncpg://app:***@db.internal:5432/app" in text.splitlines()
    assert "s3cret-pw" not in text
    assert base_url("::", 8000) == "http://[::1]:8000"
    assert base_url("192.0.2.7", 9000) == "http://192.0.2.7:9000"


def readme_curl_block() -> str:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## Using the API") :]
    match = re.search(r"^```sh\n(.*?)^```\n", section, re.MULTILINE | re.DOTALL)
    assert match, "README's Using the API has no ```sh block"
    return match[1]


@pytest.mark.slow
def test_the_readme_curl_commands_work_as_pasted(tmp_path: Path) -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("needs curl and bash")
    block = readme_curl_block()
    assert block.startswith("API=http://127.0.0.1:8000\n"), block
    with served(tmp_path) as server:
        script = block.replace("http://127.0.0.1:8000", server.base_url, 1)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stderr == ""
        registered, listed, updated, stale = result.stdout.splitlines()
        assert json.loads(registered)["email"] == "ada@example.org"
        assert [item["title"] for item in json.loads(listed)["items"]] == ["Desk lamp"]
        assert json.loads(updated)["price"] == "19.90"
        assert stale == "412"

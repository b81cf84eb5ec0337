"""The quickstart's server with no settings at all: `python -m app serve`, which `nox -s serve`
runs, and plain `uvicorn --factory app.main:create_app`, which must keep working.

Each runs in an empty folder with no APP_* variables, as on a fresh machine, and must answer
both probes on its embedded SQLite default.
"""

import gc
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.support.clients import started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-m", "app", "serve"], id="app-serve"),
        pytest.param(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app"], id="uvicorn"
        ),
    ],
)
def test_the_service_starts_with_no_configuration(tmp_path: Path, command: list[str]) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                live = httpx.get(f"{base}/health/live", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"server did not start:\n{server.communicate()[0]}")
                time.sleep(0.1)
        assert live.status_code == 200
        ready = httpx.get(f"{base}/health/ready", timeout=5)
        assert ready.json() == {"status": "ok", "checks": {"database": "ok"}}
        assert (tmp_path / "var" / "app.db").is_file()
        assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.anyio
async def test_start_up_freezes_what_it_built_out_of_the_collectors_way(
    sqlite_settings: Settings,
) -> None:
    """Full collections skip the app's long-lived objects (app.main.tune_collector)."""
    async for client in started(create_app(sqlite_settings)):
        assert (await client.get("/health/live")).status_code == 200
        assert gc.get_freeze_count() > 0


@pytest.mark.anyio
async def test_start_up_sets_the_young_generation_threshold_from_settings(
    sqlite_settings: Settings,
) -> None:
    """The collector looks at young objects after APP_GC_YOUNG_THRESHOLD of them, not 700."""
    before = gc.get_threshold()
    settings = sqlite_settings.model_copy(update={"gc_young_threshold": 4321})
    try:
        async for client in started(create_app(settings)):
            assert (await client.get("/health/live")).status_code == 200
            assert gc.get_threshold() == (4321, before[1], before[2])
    finally:
        gc.set_threshold(*before)

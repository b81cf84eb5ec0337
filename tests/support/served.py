"""The service in a real uvicorn subprocess, for tests that must see what a client and an
operator see: real HTTP parsing (uvicorn's limits, not the ASGI transport's), and stderr.

The socket is bound here and handed to uvicorn (`--fd`), so no other process can take the
port between choosing it and serving on it. The server gets only the `APP_*` settings the
test gives it, fast password hashing and no rate limits unless told otherwise.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import FAST_HASHING

HOST = "127.0.0.1"
READY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
DEFAULTS = {
    f"APP_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
    for name, value in FAST_HASHING.items()
} | {"APP_RATE_LIMIT_ENABLED": "false"}


@dataclass(frozen=True)
class Served:
    base_url: str
    process: "subprocess.Popen[bytes]"
    log: Path  # the server's stdout and stderr

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_until_ready(served: Served) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{served.output()[-4000:]}")
        try:
            if httpx.get(f"{served.base_url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server was not ready in {READY_TIMEOUT_S} s:\n{served.output()}")


@contextmanager
def serve(folder: Path, settings: Mapping[str, str], *uvicorn_args: str) -> Iterator[Served]:
    """uvicorn on `create_app` with `settings` (APP_* variables) over DEFAULTS, in `folder`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env |= DEFAULTS | {"APP_VAR_DIR": str(folder / "var")} | dict(settings)
    log = folder / "server.log"
    with socket.socket() as listener, log.open("wb") as output:
        listener.bind((HOST, 0))
        listener.listen(128)
        base_url = f"http://{HOST}:{listener.getsockname()[1]}"
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
             "--fd", str(listener.fileno()), *uvicorn_args],
            env=env, cwd=folder, stdout=output, stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )  # fmt: skip
        served = Served(base_url, process, log)
        try:
            _wait_until_ready(served)
            yield served
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

"""The service in a real server process (`python -m app serve`, or another command) on SQLite.

The socket is bound here and handed over with `--fd`, so no other process can take the port
between choosing it and serving on it. A process a test leaves running is stopped. It starts in
the test's folder, so the `.env` it reads is that folder's (none unless the test writes one),
never a developer's own in the repository root.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.mail.delivery import MAIL_DIR
from tests.support.settings import FAST_HASHING, TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
SERVE = (sys.executable, "-m", "app", "serve")
WORKER = (sys.executable, "-m", "app", "worker")
PLAIN_UVICORN = (sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
# tests/support/settings.py's cheap argon2, as the server process reads it: APP_* variables.
FAST_HASHING_ENV = {
    f"APP_{name.upper()}": str(value).lower() for name, value in FAST_HASHING.items()
}


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    database: Path
    log: Path

    @property
    def mail_folder(self) -> Path:
        """Where it writes its emails when no SMTP server is configured."""
        return self.database.parent / MAIL_DIR

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def served(
    folder: Path,
    env: Mapping[str, str] = {},
    command: Sequence[str] = SERVE,
) -> Iterator[Served]:
    """Start `command --fd N` with a database under `folder`; yield once it answers /health/live."""
    environ, var = _environment(folder, env)
    log = folder / "server.log"
    with socket.socket() as listener, log.open("wb") as output:
        listener.bind(("127.0.0.1", 0))
        listener.listen(2048)
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        process = subprocess.Popen(  # our own interpreter, fixed arguments
            [*command, "--fd", str(listener.fileno())],
            cwd=folder,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
        listener.close()  # the server's copy is the only one: closing it refuses connections
        try:
            _wait_until_live(base_url, process, log)
            yield Served(process, base_url, var / "app.db", log)
        finally:
            _stop(process)


def _environment(folder: Path, env: Mapping[str, str]) -> tuple[dict[str, str], Path]:
    """The environment of a process of the service run in `folder`, and its var dir."""
    var = folder / "var"
    var.mkdir(parents=True, exist_ok=True)
    settings = {"APP_VAR_DIR": str(var), "APP_SECRET_KEY": TEST_SECRET, **FAST_HASHING_ENV, **env}
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("APP_") and k != "FORWARDED_ALLOW_IPS"
    }
    # Factories from tests/ (`--factory tests.support...`) import from any working directory.
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    return environ | settings, var


@contextmanager
def running(
    folder: Path, env: Mapping[str, str], command: Sequence[str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` (no socket of its own: `python -m app worker`) run as `served` runs the
    service, its output in `log`; stopped as `served` stops it."""
    environ, _ = _environment(folder, env)
    with log.open("wb") as output:
        process = subprocess.Popen(  # our own interpreter, fixed arguments
            list(command), cwd=folder, env=environ, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, which skips the drain and reaches `--workers` children through their parent
    (killed, the parent would leave them serving); SIGKILL if that does not do."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_live(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer in {START_TIMEOUT_S} s:\n{log.read_text()}")

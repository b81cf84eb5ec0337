"""The service for a measured run (`python -m app serve`): 127.0.0.1, a free port, stopped
however it ends."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from perf.client import ApiError, call
from perf.databases import scratch_database

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@contextmanager
def scratch_settings(database_url: str, prefix: str) -> Iterator[tuple[str, dict[str, str]]]:
    """For one measured run: a temp folder, the database the run writes to (perf/databases.py),
    and the APP_* settings of a service on them; both go when the run ends.

    The settings: the database, a var folder in the temp one, a fresh signing key, and the rate
    limits off (register, login and refresh are limited per client address, and every simulated
    client comes from 127.0.0.1). The URL yielded is the database's.
    """
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as tmp,
        scratch_database(database_url, Path(tmp)) as url,
    ):
        yield (
            url,
            {
                "APP_DATABASE_URL": url,
                "APP_VAR_DIR": str(Path(tmp) / "var"),
                "APP_SECRET_KEY": secrets.token_urlsafe(48),
                "APP_RATE_LIMIT_ENABLED": "false",
            },
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll `/health/ready` until it answers 200; ApiError if the server dies or never answers."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ApiError(f"the server exited with {process.returncode} before it was ready")
        try:
            call(base_url, "GET", "/health/ready")
        except (OSError, ApiError):
            time.sleep(0.2)
        else:
            return
    raise ApiError(f"the server was not ready after {READY_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the service shuts down gracefully, workers too), then SIGKILL if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Running:
    base_url: str
    pid: int  # the serving process itself with one worker (perf/login_burst.py reads its memory)


@contextmanager
def running_server(
    factory: str, *, env: dict[str, str], log_path: Path, workers: int = 1
) -> Iterator[str]:
    """Serve `factory` (module:function, as `python -m app serve --factory` takes it) and yield
    its base URL."""
    with running_process(factory, env=env, log_path=log_path, workers=workers) as running:
        yield running.base_url


@contextmanager
def running_process(
    factory: str, *, env: dict[str, str], log_path: Path, workers: int = 1
) -> Iterator[Running]:
    """`running_server`, yielding the server's process id with its base URL.

    The server's own output goes to `log_path`; its last lines are printed if it fails to start.
    No load balancer probes it, so it skips the drain on SIGTERM unless `env` asks for one.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "app", "serve", "--factory", factory,
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip  # logging as deployed: a line per request, written to `log_path`
    env = {"APP_SHUTDOWN_DRAIN_S": "0", **env}
    base_url = f"http://{HOST}:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # our own interpreter, fixed arguments
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            try:
                wait_until_ready(base_url, process)
            except ApiError:
                log.flush()
                tail = log_path.read_text(errors="replace").splitlines()[-30:]
                print("\n".join(["server output:", *tail]), file=sys.stderr)
                raise
            yield Running(base_url, process.pid)
        finally:
            stop(process)

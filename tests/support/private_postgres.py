"""A PostgreSQL cluster of one test's own, to stop, start, freeze and make read-only at will.

The shared server (APP_TEST_POSTGRES_URL) must never be stopped or frozen: other tests, and
other people, use it. This one is made with `initdb` in a temporary folder and serves on a
free loopback port, run as the `postgres` user when the tests run as root (PostgreSQL refuses
to run as root). `private_postgres()` skips the test, with the reason, where the machine has
no PostgreSQL binaries or no such user.
"""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_USER = "postgres"
START_TIMEOUT_S = 30


def find_bindir() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: Debian's /usr/lib/postgresql/<v>/bin, or PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivatePostgres:
    """One cluster: `url` for the app, and the operator's levers (stop, freeze, read-only)."""

    def __init__(self, bindir: Path, datadir: Path, port: int, user: str | None) -> None:
        self.bindir = bindir
        self.datadir = datadir
        self.port = port
        self._user = user  # run the server's tools as this user (when we are root)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = START_TIMEOUT_S) -> str:
        command = [str(self.bindir / tool), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(  # our own arguments, no shell
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr}{done.stdout}")
        return done.stdout

    def initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.datadir}'",
            "fsync": "off",  # a throwaway cluster: durability is not what is tested
            "shared_buffers": "16MB",
            "max_connections": "40",
        }
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        log = self.datadir / "server.log"
        self._run("pg_ctl", "start", "-w", "-D", str(self.datadir), "-l", str(log))

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, as an operator's restart or a crash would."""
        self.thaw()
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.datadir))

    def running(self) -> bool:
        return self.postmaster_pid() is not None

    def postmaster_pid(self) -> int | None:
        try:
            first = (self.datadir / "postmaster.pid").read_text().split("\n", 1)[0]
        except OSError:
            return None
        return int(first) if first.strip().isdigit() else None

    def pids(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        postmaster = self.postmaster_pid()
        if postmaster is None:
            return []
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:  # the field after the state is the ppid
                    children.append(int(Path(stat).parent.name))
        return [postmaster, *children]

    def _signal(self, signum: int) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def freeze(self) -> None:
        """SIGSTOP every process of the cluster: connections stay open, nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def sql(self, statement: str) -> str:
        """Run one statement with psql as the superuser; its unaligned output."""
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-X",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
            timeout=10,
        ).strip()

    def set_read_only(self, read_only: bool) -> None:
        """What an operator does to stop writes without a standby: new transactions, in
        every session, start read-only once the configuration is reloaded."""
        value = "on" if read_only else "off"
        self.sql(f"ALTER SYSTEM SET default_transaction_read_only = {value}")
        self.sql("SELECT pg_reload_conf()")

    def restart_as_standby(self) -> None:
        """Restart the cluster in recovery, as a standby (`standby.signal`): it serves reads
        and refuses every write, as a replica that a failover has not promoted yet."""
        self.stop()
        signal_file = self.datadir / "standby.signal"
        signal_file.touch()
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(signal_file, entry.pw_uid, entry.pw_gid)
        self.start()
        self.wait_until_ready()

    def promote(self) -> None:
        """End the recovery: the cluster takes writes again (what a failover does)."""
        self.sql("SELECT pg_promote(true, 30)")  # waits for the promotion to finish

    def wait_until_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.sql("SELECT 1")
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, removed afterwards; skips the test where one cannot be made."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("a private PostgreSQL cluster needs initdb and pg_ctl (not found)")
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            pytest.skip(f"a private PostgreSQL cluster run by root needs a {SERVER_USER} user")
        if shutil.which("runuser") is None:
            pytest.skip("a private PostgreSQL cluster run by root needs runuser")
        user = SERVER_USER
    # Not pytest's tmp_path: its folders are root's alone, and the server runs as `postgres`.
    top = Path(tempfile.mkdtemp(prefix="private-pg-"))
    datadir = top / "data"
    datadir.mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (top, datadir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    datadir.chmod(0o700)
    cluster = PrivatePostgres(bindir, datadir, free_port(), user)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            if cluster.running():
                cluster.thaw()
                cluster._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(datadir))
        shutil.rmtree(top, ignore_errors=True)

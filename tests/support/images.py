"""Build the project's Dockerfile with podman and start the image's own command, without a
container runtime: what tests/container/test_image.py does, step by step.

No container registry is reachable from the machines this runs on, and their sandbox refuses
`podman run`; building and mounting images works. So the base is a Debian root file system made
by debootstrap and imported (`localhost/debian-python:bookworm`, kept in podman's storage as the
cache between runs), the build runs with `--isolation=chroot`, and the built image's root, mounted
read-only by `podman image mount`, is where `chroot` starts the image's command, in a network and
mount namespace of its own (unshare), with the image's environment, working directory and user,
and its volume bind-mounted from a host directory: a container by hand.
"""

import fcntl
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_IMAGE = "localhost/debian-python:bookworm"
SUITE = "bookworm"
# What the Dockerfile needs of its base: python3 (3.11 in bookworm) and its venv module.
DEBOOTSTRAP = ["debootstrap", "--variant=minbase", "--include=python3,python3-venv", SUITE]
# Each command the recipe runs, and the Debian package it comes in.
TOOLS = {
    "podman": "podman",
    "debootstrap": "debootstrap",
    "ip": "iproute2",
    "chroot": "coreutils",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "tar": "tar",
}


def missing() -> str | None:
    """Why this machine cannot run the recipe, or None when it can."""
    if sys.platform != "linux":
        return "building and starting the image by hand needs Linux"
    if os.geteuid() != 0:
        return "building and starting the image by hand needs root (chroot, mounts, namespaces)"
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent:
        packages = " ".join(dict.fromkeys(TOOLS[tool] for tool in absent))
        return f"the image test needs {', '.join(absent)}: `apt-get install {packages}` (.ci/run)"
    return None


def run(*command: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """A command that must succeed; its output is in the failure's message when it does not."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def image_exists(name: str) -> bool:
    done = subprocess.run(["podman", "image", "exists", name], check=False)
    return done.returncode == 0


def ensure_base_image() -> str:
    """`localhost/debian-python:bookworm`: reused when podman has it, else made (~40 MB from
    Debian's mirror, about a minute). A lock keeps two test runs from making it at once."""
    lock_path = Path(tempfile.gettempdir()) / "contract-first-api-base-image.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if image_exists(BASE_IMAGE):
            return BASE_IMAGE
        with tempfile.TemporaryDirectory(prefix="debootstrap-") as scratch:
            rootfs = Path(scratch) / "root"
            run(*DEBOOTSTRAP, str(rootfs))
            # `tar -C ROOT -c . | podman import - NAME`, the recipe.
            tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
            try:
                run("podman", "import", "-", BASE_IMAGE, stdin=tar.stdout)
            finally:
                assert tar.stdout is not None
                tar.stdout.close()
                assert tar.wait() == 0, "tar of the debootstrapped root failed"
        return BASE_IMAGE


def ca_bundle() -> str | None:
    """The CA bundle this machine's pip trusts, lent to the build's pip (Dockerfile `pip_ca`):
    these machines reach PyPI through a TLS-intercepting proxy."""
    for candidate in (
        os.environ.get("PIP_CERT"),
        ssl.get_default_verify_paths().cafile,
        "/etc/ssl/certs/ca-certificates.crt",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@contextmanager
def built_image(context: Path, base: str) -> Iterator[str]:
    """The Dockerfile in `context` built on `base`, under a name of its own; removed afterwards.

    `--format docker`: the OCI format has no HEALTHCHECK. `--layers=false`: no intermediate
    images are left behind in podman's storage (each run installs the dependencies again).
    """
    name = f"localhost/contract-first-api-test:{uuid.uuid4().hex[:12]}"
    secret = ca_bundle()
    try:
        run(
            "podman", "build", "--isolation=chroot", "--format", "docker", "--layers=false",
            "--build-arg", f"BASE={base}",
            *(["--secret", f"id=pip_ca,src={secret}"] if secret else []),
            "--tag", name, str(context),
        )  # fmt: skip
        yield name
    finally:
        if image_exists(name):
            run("podman", "image", "rm", "--force", name)


def inspect(image: str) -> dict[str, Any]:
    """`podman image inspect`: Config (Env, User, Entrypoint, Cmd, ...) and Healthcheck."""
    found: list[dict[str, Any]] = json.loads(run("podman", "image", "inspect", image).stdout)
    return found[0]


@contextmanager
def mounted(image: str) -> Iterator[Path]:
    """The image's root file system, read-only, at the path `podman image mount` prints."""
    root = Path(run("podman", "image", "mount", image).stdout.strip())
    try:
        yield root
    finally:
        run("podman", "image", "unmount", image)


def ids(root: Path, user: str) -> tuple[int, int]:
    """The uid and gid the image's `User` (`name`, `name:group` or numbers) names, read from
    the image's own /etc/passwd and /etc/group."""
    name, _, group = user.partition(":")

    def lookup(table: str, key: str, field: int) -> int:
        if key.isdigit():
            return int(key)
        for line in (root / "etc" / table).read_text().splitlines():
            parts = line.split(":")
            if parts[0] == key:
                return int(parts[field])
        raise AssertionError(f"{key!r} is not in the image's /etc/{table}")

    uid = lookup("passwd", name, 2)
    gid = lookup("group", group, 2) if group else lookup("passwd", name, 3)
    return uid, gid


@dataclass
class Container:
    """The image's command running in namespaces of its own, chrooted into the image."""

    process: subprocess.Popen[bytes]
    root: Path
    user: str
    workdir: str
    env: list[str]
    log: Path

    def exec(self, *command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """`docker exec`: `command` in the container's namespaces, root and environment."""
        return subprocess.run(
            [
                "nsenter", f"--target={self.process.pid}", "--net", "--mount",
                "chroot", f"--userspec={self.user}", str(self.root),
                "env", "-i", "-C", self.workdir, *self.env, *command,
            ],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def on_host(self, *command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """`command`, a host program, in the container's network namespace only."""
        return subprocess.run(
            ["nsenter", f"--target={self.process.pid}", "--net", *command],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")


# Runs in the new namespaces, with the host's tools, before it becomes the image's command:
# loopback up (a new network namespace has it down), the volume from the host, a /tmp of its
# own, then chroot to the image's root as its user, in its working directory, with only its
# environment. Every step execs, so the process the test started is the server itself. The
# mounts live in the private mount namespace: they vanish with it.
START = """set -e
ip link set lo up
mount --bind "$VOLUME_SOURCE" "$ROOT$VOLUME"
if [ -d "$ROOT/tmp" ]; then mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"; fi
exec chroot --userspec="$USERSPEC" "$ROOT" env -i -C "$WORKDIR" "$@"
"""


@contextmanager
def started(root: Path, config: dict[str, Any], volume: Path, log: Path) -> Iterator[Container]:
    """The image's own command (Entrypoint + Cmd, unchanged), `volume` at its one volume."""
    volumes = list(config.get("Volumes") or {})
    assert len(volumes) == 1, f"the image declares one volume, not {volumes}"
    user = config["User"]
    uid, gid = ids(root, user)
    os.chown(volume, uid, gid)
    volume.chmod(0o700)
    env = list(config.get("Env") or [])
    workdir = config.get("WorkingDir") or "/"
    command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["unshare", "--net", "--mount", "sh", "-c", START, "start", *env, *command],
            env={
                "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                "ROOT": str(root),
                "VOLUME": volumes[0],
                "VOLUME_SOURCE": str(volume),
                "USERSPEC": f"{uid}:{gid}",
                "WORKDIR": workdir,
            },
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    container = Container(process, root, f"{uid}:{gid}", workdir, env, log)
    try:
        yield container
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def stop(container: Container, timeout: float = 30) -> int:
    """`docker stop`: SIGTERM, then the exit code (the server drains first: some seconds)."""
    container.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while container.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if container.process.poll() is None:
        container.process.kill()
        raise AssertionError(f"the server ignored SIGTERM for {timeout} s:\n{container.output()}")
    return container.process.returncode

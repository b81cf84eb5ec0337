"""The Dockerfile builds, and the image serves `/health/ready` from its own file system.

The issue's recipe, as tests/support/images.py carries it out: a debootstrapped Debian base
(cached in podman's storage between runs), `podman build --isolation=chroot`, the image's root
from `podman image mount`, and the image's own command started there with chroot, as the image's
user, with its environment, in network and mount namespaces of its own (the root file system
stays read-only, as with `docker run --read-only`; only the volume is writable). Skipped, with
the reason, where podman, debootstrap or root is missing; .ci/run installs them.

80-105 s here with the base cached (the build installs the dependencies from PyPI each time),
about 2 minutes more the first time on a machine (debootstrap, import).
"""

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import images

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
READY = "http://127.0.0.1:8000/health/ready"
# Run by the test's own interpreter in the container's network namespace: one GET, the answer
# as JSON. Host: localhost, which the default APP_ALLOWED_HOSTS accepts.
PROBE = """
import json, sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Host": "localhost"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        status, headers, body = response.status, dict(response.headers), response.read()
except urllib.error.HTTPError as error:
    status, headers, body = error.code, dict(error.headers), error.read()
print(json.dumps({"status": status, "headers": headers, "body": body.decode()}))
"""


def get(container: images.Container, url: str) -> dict[str, Any] | None:
    """The answer to GET `url` from inside the container's network, or None (not listening)."""
    done = container.on_host(sys.executable, "-c", PROBE, url)
    if done.returncode != 0:
        return None
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def wait_ready(container: images.Container, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answer = get(container, READY)
        if answer is not None and answer["status"] == 200:
            return answer
        if container.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the image's command never became ready ({answer}):\n{container.output()}")
        time.sleep(0.5)


def test_the_image_builds_and_serves_readiness_from_its_own_file_system(tmp_path: Path) -> None:
    reason = images.missing()
    if reason:
        pytest.skip(reason)
    base = images.ensure_base_image()
    with images.built_image(PROJECT, base) as image:
        found = images.inspect(image)
        config = found["Config"]

        # The image's declared behaviour, as `docker inspect` shows it.
        health = found["Healthcheck"]
        assert health["Test"][0] == "CMD", health
        assert any("/health/ready" in part for part in health["Test"]), health
        assert 0 < health["Timeout"] < health["Interval"], health
        assert config["ExposedPorts"] == {"8000/tcp": {}}
        assert config["Entrypoint"] + config["Cmd"] == [
            "python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000",  # noqa: S104
        ]  # fmt: skip
        env = dict(item.split("=", 1) for item in config["Env"])
        assert list(config["Volumes"]) == [env["APP_VAR_DIR"]]

        with images.mounted(image) as root:
            uid, gid = images.ids(root, config["User"])
            assert uid != 0, f"the image runs as root: User={config['User']!r}"
            # The project is installed into the venv, not left in the image as source.
            assert not (root / "build").exists()
            assert list((root / "opt" / "venv" / "lib").glob("python3.*/site-packages/app"))

            volume = tmp_path / "var"
            volume.mkdir()
            log = tmp_path / "server.log"
            with images.started(root, config, volume, log) as container:
                ready = wait_ready(container)
                assert json.loads(ready["body"]) == {"status": "ok", "checks": {"database": "ok"}}

                # The server is the image's user and group, not root.
                status = Path(f"/proc/{container.process.pid}/status").read_text().splitlines()
                for field, expected in (("Uid:", uid), ("Gid:", gid)):
                    line = next(line for line in status if line.startswith(field))
                    assert line.split()[1:] == [str(expected)] * 4, line

                # The image's own HEALTHCHECK command, run in the container as the engine would.
                check = container.exec(*health["Test"][1:])
                assert check.returncode == 0, (check.stdout, check.stderr, container.output())

                # What the service wrote went to the volume: the SQLite default and dev secret.
                assert (volume / "app.db").is_file()
                assert (volume / "secret_key").is_file()

                # Exec form: SIGTERM reaches the server itself, which drains and shuts the app
                # down; uvicorn then re-raises the signal, so the exit is SIGTERM's (Docker
                # shows 143), not SIGKILL's after a timeout.
                code = images.stop(container)
                assert code in (0, -signal.SIGTERM), (code, container.output())
                assert "Application shutdown complete" in container.output()

"""Real file-system trouble for SQLite tests: a small disk that fills up, a file no one may write.

Both need privileges (mounting, `chattr`); where the machine refuses them, the test is skipped
with the reason. Running as root does not make `chmod` enough to stop writes, hence these.
"""

import contextlib
import errno
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHUNK = 64 * 1024


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)


@contextlib.contextmanager
def small_disk(where: Path, size_bytes: int) -> Iterator[Path]:
    """A tmpfs of `size_bytes` mounted at `where` (created), unmounted afterwards."""
    if shutil.which("mount") is None:
        pytest.skip("a small disk needs mount(8), not found")
    where.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(where))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        if _run("umount", str(where)).returncode != 0:
            _run("umount", "-l", str(where))  # something still holds a file: detach it


def fill(path: Path) -> int:
    """Write `path` until the disk is full (ENOSPC); the bytes written."""
    written = 0
    with path.open("wb", buffering=0) as file:
        while True:
            try:
                written += file.write(b"\0" * CHUNK)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    # The last pages of a page-granular file system: fill them byte by byte, a page at most.
    with path.open("ab", buffering=0) as file, contextlib.suppress(OSError):
        for _ in range(CHUNK):
            written += file.write(b"\0")
    return written


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[Callable[[], None]]:
    """`chattr +i path`: not even root may write it, until the function yielded is called (the
    operator fixing it) or the block ends."""
    if shutil.which("chattr") is None:
        pytest.skip("an immutable file needs chattr(1), not found")
    done = _run("chattr", "+i", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {done.stderr.strip()}")

    def release() -> None:
        _run("chattr", "-i", str(path))

    try:
        yield release
    finally:
        release()

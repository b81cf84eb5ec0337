"""Run a spec tool as its own process, the way nox runs it, for the tests that need the script."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "openapi" / "tools"


def run_script(
    tool: str, *args: str, cwd: Path = ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python openapi/tools/<tool>.py ARGS` in `cwd`; the exit status is the caller's to judge."""
    return subprocess.run(
        [sys.executable, str(TOOLS / f"{tool}.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )

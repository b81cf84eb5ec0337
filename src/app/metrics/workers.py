"""The supervisor's side of multiprocess metrics: the directory its workers share.

`python -m app serve --workers N` (app/server.py) starts each worker with
`PROMETHEUS_MULTIPROC_DIR` set, so that prometheus-client, from its import on, keeps every value
in a file of that worker's own in that directory, and `/metrics` (on whichever worker answers)
adds up the files of all of them (app/metrics/registry.py).

Where: the directory `PROMETHEUS_MULTIPROC_DIR` names when the supervisor has it (made if
missing), else a new private one under the system's temporary directory (`TMPDIR`), removed
when the supervisor ends. Either way it starts empty: files of an earlier run would be counted
again. When a worker exits, its live gauges (requests in progress, connections in use, hashes
waiting) are dropped (`mark_process_dead`); its counters and histograms stay, so totals never go
back.
"""

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from prometheus_client.multiprocess import mark_process_dead

from app.metrics.registry import MULTIPROC_DIR


class WorkerMetrics:
    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        given = environ.get(MULTIPROC_DIR)
        self._made = not given
        if given:
            self.path = Path(given)
            self.path.mkdir(parents=True, exist_ok=True)
            for stale in self.path.glob("*.db"):  # what prometheus-client writes there
                stale.unlink()
        else:
            self.path = Path(tempfile.mkdtemp(prefix="app-metrics-"))

    def environ(self) -> dict[str, str]:
        """The environment a worker starts with."""
        return {**os.environ, MULTIPROC_DIR: str(self.path)}

    def worker_exited(self, pid: int) -> None:
        mark_process_dead(pid, str(self.path))  # type: ignore[no-untyped-call]

    def close(self, pids: list[int]) -> None:
        """Every worker has exited: forget them, and remove the directory if it was made here."""
        if self._made:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        for pid in pids:
            self.worker_exited(pid)

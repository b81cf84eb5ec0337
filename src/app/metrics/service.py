"""`GET /metrics`: `MetricsService` implements `contract.routers.metrics.MetricsApi`."""

import anyio.to_thread

from app.errors import NotFound
from app.metrics.registry import Metrics
from contract.routers.metrics import MetricsApi

DISABLED = "Metrics are turned off here (APP_METRICS_ENABLED=false)."


class MetricsService(MetricsApi):
    """Subclasses the Protocol so that mypy names any operation it lacks where it is built."""

    def __init__(self, metrics: Metrics | None) -> None:
        self._metrics = metrics

    async def get_metrics(self) -> bytes:
        if self._metrics is None:
            raise NotFound(DISABLED)
        # Off the event loop: with every operation counted, rendering takes ~10 ms of pure
        # Python (and, with workers, reads their files); a scrape comes every few seconds.
        return await anyio.to_thread.run_sync(self._metrics.exposition)

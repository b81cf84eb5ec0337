"""`GET /metrics`: `MetricsService` implements `contract.routers.metrics.MetricsApi`."""

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
        # Rendering runs on the loop: a few hundred series, well under a millisecond.
        return self._metrics.exposition()

"""The health probes: `HealthService` implements `contract.routers.health.HealthApi`."""

from app.db.database import Database
from app.draining import Drain
from app.errors import Unavailable
from contract import models
from contract.routers.health import HealthApi


class HealthService(HealthApi):
    """Subclasses the Protocol so that mypy names any operation it lacks where it is built."""

    def __init__(self, database: Database, drain: Drain | None = None) -> None:
        self._database = database
        self._drain = drain or Drain()

    async def get_liveness(self) -> models.HealthStatus:
        # Deliberately touches nothing: a slow database must not get the process restarted.
        return models.HealthStatus(status="ok")

    async def get_readiness(self) -> models.ReadinessStatus:
        if self._drain.draining:
            # Shutting down (server.py): load balancers must stop sending here, while the
            # requests they already sent are still served.
            raise Unavailable("The service is shutting down.")
        await self._database.ping()
        return models.ReadinessStatus(
            status="ok", checks=models.ReadinessChecks(database=models.CheckStatus.ok)
        )

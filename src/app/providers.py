"""FastAPI dependencies that hand each generated router its implementation.

Built once per app by `create_app` around the app's own resources (no globals), so a
dependency is a cheap `async def` closure: plain `def` dependencies cost a thread hop each.
`Providers` must satisfy `contract.api.ServiceProviders`; mypy checks that where it is used.
"""

from app.db.database import Database
from app.health.service import HealthService


class Providers:
    """One provider per OpenAPI tag; `contract.api.build_routers` routes each tag to its own."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def health(self) -> HealthService:
        return HealthService(self.database)

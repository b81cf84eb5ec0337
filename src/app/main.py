"""`create_app(settings)`: wiring only. Run with `uvicorn --factory app.main:create_app`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import contract_check, problems, spec
from app.db import migrate
from app.db.database import Database
from app.middleware.body_limit import BodyLimitMiddleware
from app.middleware.request_id import RequestIdMiddleware
from app.middleware.server_errors import ServerErrorsMiddleware
from app.providers import Providers
from app.settings import Settings
from contract.api import build_routers


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    contract = spec.load()
    database = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            if settings.auto_migrate:
                await migrate.upgrade(database)
            yield
        finally:
            await database.dispose()

    info = contract.get("info", {})
    app = FastAPI(
        title=info.get("title", "API"),
        version=info.get("version", "0"),
        openapi_url=None,  # spec.docs_router serves the contract itself instead
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    problems.install(app)
    routers = [*build_routers(Providers(database)), spec.docs_router(contract)]
    # Our own list of routes: FastAPI (>= 0.16x) wraps included routers lazily, so app.routes
    # no longer lists them; the contract check and the 405 Allow header read this instead.
    app.state.routes = [route for router in routers for route in router.routes]
    contract_check.verify(app.state.routes, contract)
    for router in routers:
        app.include_router(router)
    # Added innermost first: the request id wraps everything, so even a 500 carries it.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ServerErrorsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app

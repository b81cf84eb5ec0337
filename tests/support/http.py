"""Serve test-only routes from the real app, with its middleware and problem handlers."""

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, FastAPI

from app.main import create_app
from app.settings import Settings
from tests.support.clients import started


def with_router(app: FastAPI, router: APIRouter) -> FastAPI:
    """Add `router` to an app `create_app` built, as if it were one of the app's own routers.

    `app.state.routes` is the app's own list of routes (the 405 `Allow` header and the
    architecture checks read it), so the router's routes go there too.
    """
    app.include_router(router)
    app.state.routes.extend(router.routes)
    return app


async def client_with(settings: Settings, router: APIRouter) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `create_app(settings)` serving `router` as well, its lifespan running."""
    async for client in started(with_router(create_app(settings), router)):
        yield client

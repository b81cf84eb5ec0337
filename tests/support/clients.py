"""An HTTP client for an app built by `create_app`, with the app's lifespan running."""

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI


async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app` with its lifespan running (migrations applied, engine disposed)."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client

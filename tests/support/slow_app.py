"""`python -m app serve --factory tests.support.slow_app:create_slow_app`: the service plus a
request that takes as long as it is asked to (`GET /test/sleep?seconds=`), for shutdown tests."""

import asyncio

from fastapi import FastAPI

from app.draining import Drain
from app.main import create_app
from app.settings import Settings

SLEEP_PATH = "/test/sleep"


async def sleep(seconds: float) -> dict[str, float]:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


def create_slow_app(settings: Settings | None = None, *, drain: Drain | None = None) -> FastAPI:
    app = create_app(settings, drain=drain)
    app.add_api_route(SLEEP_PATH, sleep, methods=["GET"])
    return app

"""`create_bench_app()`: the service and a bare FastAPI route in one process, for `nox -s bench`.

`GET /bench/bare` is answered by a FastAPI app of its own that has nothing but that route: no
middleware, no dependencies, a constant JSON object; it is the yardstick every route's ratio is
taken against. `GET /bench/constant` answers the same object from inside the service, behind all
of its middleware, which shows what the middleware costs by itself: it is the first route the
router asks, so it does not also pay for asking the contract's routes whether they match (~0.6 us
each, ~20 us for all of them). Neither is in the contract: both are added after `create_app()`
ran its contract check, and neither is in `app.state.routes`.
"""

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.draining import Drain
from app.main import create_app
from app.settings import Settings

BARE_PATH = "/bench/bare"
CONSTANT_PATH = "/bench/constant"
BODY = {"status": "ok"}


async def constant() -> dict[str, str]:
    return BODY


class BenchDispatch:
    """Sends `/bench/bare` to the bare app and everything else (lifespan too) to the service."""

    def __init__(self, service: FastAPI, bare: ASGIApp) -> None:
        self.service = service
        self.bare = bare

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == BARE_PATH:
            await self.bare(scope, receive, send)
        else:
            await self.service(scope, receive, send)


def create_bench_app(
    settings: Settings | None = None, *, drain: Drain | None = None
) -> BenchDispatch:
    service = create_app(settings, drain=drain)
    service.add_api_route(CONSTANT_PATH, constant, methods=["GET"], response_model=None)
    # Asked first: its path is no contract's, so no answer changes (test_bench_app.py).
    service.router.routes.insert(0, service.router.routes.pop())
    bare = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    bare.add_api_route(BARE_PATH, constant, methods=["GET"], response_model=None)
    return BenchDispatch(service, bare)

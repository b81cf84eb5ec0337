"""`create_app(settings)`: wiring only. Run with `python -m app serve` (app/server.py)."""

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.middleware.cors import CORSMiddleware

from app import contract_check, problems, redaction, spec
from app.contract_paths import ContractPaths
from app.db import migrate
from app.db.database import Database
from app.draining import Drain
from app.lean_route import LeanRoute
from app.metrics.registry import Metrics, build_metrics
from app.middleware import allowed_hosts
from app.middleware.body_limit import BodyLimitMiddleware, methods_with_bodies
from app.middleware.compression import CompressionMiddleware
from app.middleware.observe import Observer
from app.middleware.rate_limit import RateLimitMiddleware, close_storage, open_storage
from app.middleware.response_headers import ResponseHeadersMiddleware
from app.middleware.response_validation import ResponseContract, ResponseValidationMiddleware
from app.middleware.server_errors import ServerErrorsMiddleware
from app.prefiltered_route import PrefilteredRoute
from app.providers import Providers
from app.settings import Settings
from app.users.bootstrap import ensure_first_superuser
from contract.api import OPERATIONS, TITLE, VERSION, ServiceProviders, build_routers

P = TypeVar("P")  # the principal type the implementations take
# FastAPI's native OpenTelemetry, off unless APP_OPENTELEMETRY_ENABLED (settings.py says why).
TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def tune_collector(young_threshold: int) -> None:
    """Keep the cyclic garbage collector off what start-up built and off requests in flight.

    Routes, models, the contract and SQLAlchemy's metadata live as long as the process, yet
    every full collection walked them all: ~70 ms with the event loop stopped, twice in
    8 s of `nox -s bench` (every request in flight waits). Frozen, a full collection
    takes ~2 ms. Only the first app a process starts is frozen, so a test session that
    builds many apps does not keep them all.

    The objects of requests in flight (frames, scopes, rows) outlive Python's young-generation
    threshold of 700 while they wait for the database, so the collector ran every ten requests
    or so and moved them up a generation, to free nothing: the service makes no cycles per
    request. 0.69 s of CPU in 10 s of GET item on PostgreSQL, none at 10,000 (`gc.callbacks`
    timing, README "Performance").
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


def create_app(settings: Settings | None = None, *, drain: Drain | None = None) -> FastAPI:
    """The app; `drain` is how the server that runs it says it is shutting down (server.py).

    Plain `uvicorn --factory app.main:create_app` passes none: that app never drains.
    """
    settings = settings or Settings()
    # Before anything logs: the handlers mask secrets, this app's own by value (README "Errors").
    redact = redaction.install(
        [
            settings.secret_key.get_secret_value(),
            settings.first_superuser_password.get_secret_value(),
            settings.smtp_password,
        ]
    )
    drain = drain or Drain()
    # None when APP_METRICS_ENABLED is false: nothing counts, /metrics answers 404.
    metrics = build_metrics(settings)
    database = Database.from_settings(settings, metrics)
    rate_limits = open_storage(settings.rate_limit_storage_url)
    providers = Providers(settings, database, rate_limits, drain, metrics)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            if settings.auto_migrate:
                await migrate.upgrade(database)
            if settings.first_superuser_email:
                await ensure_first_superuser(
                    database,
                    providers.passwords,
                    settings.first_superuser_email,
                    settings.first_superuser_password.get_secret_value(),
                )
            tune_collector(settings.gc_young_threshold)
            if settings.outbox_dispatcher:  # one per process: claims keep several apart
                providers.dispatcher.start()
            yield
        finally:
            await providers.dispatcher.stop()
            await database.dispose()
            await close_storage(rate_limits)

    app = FastAPI(
        title=TITLE,
        version=VERSION,
        openapi_url=None,  # spec.docs_router serves the contract itself instead
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        telemetry=None if settings.opentelemetry_enabled else TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.providers = providers
    app.state.drain = drain
    app.state.metrics = metrics
    route_contract(
        app,
        providers,
        authenticate=providers.authenticator.authenticate,
        authenticate_optional=providers.authenticator.authenticate_optional,
        # FastAPI's own handler opens the spans OpenTelemetry records.
        route_class=PrefilteredRoute if settings.opentelemetry_enabled else LeanRoute,
    )

    # Pure ASGI middleware, added innermost first. The response headers (request id, security
    # headers) wrap everything, so every response (a 500, a 429, a CORS refusal) carries them.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        methods=methods_with_bodies(OPERATIONS),
    )
    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimitMiddleware,
            operations=OPERATIONS,
            limit=settings.rate_limit_auth,
            storage=rate_limits,
            refusals=None if metrics is None else metrics.rate_limited("address"),
        )
    app.add_middleware(ServerErrorsMiddleware, drain=drain, redact=redact)
    if settings.validate_responses:
        # Outside the body limit, the rate limit and the 500 handler: their answers are checked.
        app.add_middleware(
            ResponseValidationMiddleware,
            contract=ResponseContract(OPERATIONS),
        )
    add_edge_layers(app, settings, drain=drain, metrics=metrics)
    return app


def add_edge_layers(
    app: FastAPI, settings: Settings, *, drain: Drain, metrics: Metrics | None
) -> None:
    """The outer layers, outermost last: CORS, gzip, allowed hosts, the response headers (request
    id, timing, the log line and metrics). The service and the mock (app/mock.py) both end
    their stacks with these."""
    if settings.cors_origins:  # no origins: no CORS headers at all, and no layer to pass
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
            allow_credentials=False,  # bearer tokens, not cookies
            max_age=600,
        )
    # gzip outside the response validation, which reads plain bodies; a refused Host gets its
    # 400 before anything else runs, and outside the validation (no operation declares it).
    app.add_middleware(CompressionMiddleware)
    hosts = allowed_hosts.patterns(settings.allowed_hosts)  # a bad one stops create_app
    app.add_middleware(allowed_hosts.AllowedHostsMiddleware, allowed_hosts=hosts)
    # Outermost: every answer gets its request id, and is timed, logged and counted.
    app.add_middleware(
        ResponseHeadersMiddleware,
        drain=drain,
        observer=Observer(metrics),
        cacheable=spec.documentation_paths(),
    )


def route_contract(
    app: FastAPI,
    providers: ServiceProviders[P],
    *,
    authenticate: Callable[..., Awaitable[P]],
    authenticate_optional: Callable[..., Awaitable[P | None]],
    route_class: type[PrefilteredRoute] = PrefilteredRoute,
) -> None:
    """The contract's generated routers served by `providers`' implementations, and the docs:
    the problem handlers installed, every operation checked as implemented (contract_check),
    the routes on the app. The service and the mock (app/mock.py) differ only in what they pass.

    `route_class` serves the contract's operations: the service's `LeanRoute` hands requests to
    endpoints without FastAPI's general handler where it can (app/lean_route.py).
    """
    app.state.contract_paths = ContractPaths(OPERATIONS)  # the 405 Allow header reads it
    problems.install(app)
    # Every route, and any added later, rules paths out by their text first (prefiltered_route).
    app.router.route_class = PrefilteredRoute
    api_routers = build_routers(
        providers,
        authenticate=authenticate,
        authenticate_optional=authenticate_optional,
        route_class=route_class,
    )
    routers = [*api_routers, spec.docs_router(PrefilteredRoute)]
    app.state.routes = [route for router in routers for route in router.routes]
    contract_check.verify(app.state.routes, providers)
    # The routes go straight onto the app's router. FastAPI (>= 0.16x) wraps included routers
    # in lazy proxies that it re-resolves while matching: ~15-30 us a request, measured
    # in-process. The contract check and the 405 Allow header (for paths outside the contract)
    # read app.state.routes.
    app.router.routes.extend(app.state.routes)

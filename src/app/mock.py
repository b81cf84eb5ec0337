"""The mock: the contract served from its own examples, with no database (`nox -s mock`).

The generated routers, the ones the service runs, in front of the generated example
implementation (`contract.mock`): a request is validated exactly as the service validates it
(parameters, bodies, media types, sizes, hosts; the same 4xx problems), and a valid one gets the
success status with the example the contract gives it. Any bearer token signs in, since there
are no accounts; an operation that needs one still answers 401 without it. Every answer is
checked against the contract (middleware/response_validation.py), whatever the settings say.

    python -m app serve --factory app.mock:create_app [--port 8000]
"""

from fastapi import FastAPI, Request

from app import redaction
from app.auth.principal import NOT_BEARER, bearer_token
from app.draining import Drain
from app.errors import Unauthenticated
from app.main import add_edge_layers, route_contract
from app.middleware.body_limit import BodyLimitMiddleware, methods_with_bodies
from app.middleware.response_validation import ResponseContract, ResponseValidationMiddleware
from app.middleware.server_errors import ServerErrorsMiddleware
from app.settings import Settings
from contract.api import OPERATIONS, TITLE, VERSION
from contract.mock import ExampleProviders


class MockPrincipal(str):
    """Whoever sent a bearer token: the mock has no accounts to look it up in."""


async def authenticate(request: Request) -> MockPrincipal:
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated("This operation needs a bearer access token.")
    return MockPrincipal(token)


async def authenticate_optional(request: Request) -> MockPrincipal | None:
    """None for an anonymous caller; an `Authorization` that is not a bearer token is a 401."""
    token = bearer_token(request)
    if token is None:
        if "authorization" in request.headers:
            raise Unauthenticated(NOT_BEARER)
        return None
    return MockPrincipal(token)


def create_app(settings: Settings | None = None, *, drain: Drain | None = None) -> FastAPI:
    """The mock app; the same signature as app.main.create_app, for `serve --factory`."""
    settings = settings or Settings()
    redact = redaction.install([settings.secret_key.get_secret_value()])
    drain = drain or Drain()
    app = FastAPI(
        title=f"{TITLE} (mock)",
        version=VERSION,
        openapi_url=None,  # spec.docs_router serves the contract itself
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.drain = drain
    route_contract(
        app,
        ExampleProviders(),
        authenticate=authenticate,
        authenticate_optional=authenticate_optional,
    )

    # The service's layers (app/main.py) less the database, rate limit and metrics, innermost
    # first; the response check is always on.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        methods=methods_with_bodies(OPERATIONS),
    )
    app.add_middleware(ServerErrorsMiddleware, drain=drain, redact=redact)
    app.add_middleware(ResponseValidationMiddleware, contract=ResponseContract(OPERATIONS))
    add_edge_layers(app, settings, drain=drain, metrics=None)
    return app

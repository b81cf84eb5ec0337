# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `health` operations: the `HealthApi` Protocol and the router that serves it.

Implemented by `app.health.service.HealthService`.
"""

from typing import Protocol

from fastapi import APIRouter, Response
from fastapi.routing import APIRoute

from contract import models
from contract.runtime import (
    json_response,
)


class HealthApi(Protocol):
    """The `health` tag; `app.health.service.HealthService` implements it."""

    async def get_liveness(self) -> models.HealthStatus:
        """GET /health/live (getLiveness): Report that the process is up."""
        ...

    async def get_readiness(self) -> models.ReadinessStatus:
        """GET /health/ready (getReadiness): Report whether the service can serve requests."""
        ...


def build_router(
    api: HealthApi,
    *,
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `health` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["health"], route_class=route_class)

    @router.get(
        "/health/live",
        operation_id="getLiveness",
        summary="Report that the process is up",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_liveness() -> Response:
        return json_response(200, await api.get_liveness())

    @router.get(
        "/health/ready",
        operation_id="getReadiness",
        summary="Report whether the service can serve requests",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"application/json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
            503: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_readiness() -> Response:
        return json_response(200, await api.get_readiness())

    return router

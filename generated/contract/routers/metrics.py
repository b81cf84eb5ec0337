# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""The `metrics` operations: the `MetricsApi` Protocol and the router that serves it.

Implemented by `app.metrics.service.MetricsService`.
"""

from typing import Protocol

from fastapi import APIRouter, Response
from fastapi.routing import APIRoute

from contract.runtime import (
    text_response,
)


class MetricsApi(Protocol):
    """The `metrics` tag; `app.metrics.service.MetricsService` implements it."""

    async def get_metrics(self) -> bytes:
        """GET /metrics (getMetrics): Export the metrics for Prometheus."""
        ...


def build_router(
    api: MetricsApi,
    *,
    route_class: type[APIRoute] = APIRoute,
) -> APIRouter:
    """Route every `metrics` operation to `api`, the implementation, built once per app.

    Bound here rather than given as a dependency: FastAPI solves each dependency on every
    request, and for a service built the same way every time that was pure cost.
    """
    router = APIRouter(tags=["metrics"], route_class=route_class)

    @router.get(
        "/metrics",
        operation_id="getMetrics",
        summary="Export the metrics for Prometheus",
        status_code=200,
        response_model=None,
        responses={
            200: {"description": "", "content": {"text/plain; version=0.0.4": {}}},
            404: {"description": "", "content": {"application/problem+json": {}}},
            500: {"description": "", "content": {"application/problem+json": {}}},
        },
    )
    async def get_metrics() -> Response:
        return text_response(200, await api.get_metrics(), "text/plain; version=0.0.4")

    return router

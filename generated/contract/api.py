# DO NOT EDIT: generated from openapi/openapi.yaml by `nox -s generate`.
"""Every operation in the contract, and one place that builds all the routers.

`ServiceProviders` has one attribute per tag: the dependency that provides the tag's
implementation. The app passes an object with all of them to `build_routers`, so a tag
without an implementation is a type error; `OPERATIONS` lets the app name what is missing
when it starts.
"""

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, Protocol, TypeVar

from fastapi import APIRouter

from contract.routers import health

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)


class OperationInfo(NamedTuple):
    operation_id: str
    method: str
    path: str
    tag: str
    method_name: str
    protocol: str
    implementation_module: str
    implementation_class: str


OPERATIONS: tuple[OperationInfo, ...] = (
    OperationInfo(
        "getLiveness",
        "GET",
        "/health/live",
        "health",
        "get_liveness",
        "contract.routers.health.HealthApi",
        "app.health.service",
        "HealthService",
    ),
    OperationInfo(
        "getReadiness",
        "GET",
        "/health/ready",
        "health",
        "get_readiness",
        "contract.routers.health.HealthApi",
        "app.health.service",
        "HealthService",
    ),
)


class ServiceProviders(Protocol):
    """One dependency per tag, each returning that tag's implementation."""

    @property
    def health(self) -> Callable[..., Awaitable[health.HealthApi]]: ...


def build_routers(
    providers: ServiceProviders,
) -> list[APIRouter]:
    """The router of every tag `providers` implements.

    A tag it lacks is skipped rather than failing here, so that the app's start-up check can
    name each unserved operation; the type checker already reports the missing attribute.
    """
    routers: list[APIRouter] = []
    provider: Any

    if (provider := getattr(providers, "health", None)) is not None:
        routers.append(health.build_router(provider))

    return routers

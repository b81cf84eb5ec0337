"""The start-up check: every operation in the spec is served by exactly one implemented route.

mypy catches most gaps (a Protocol method or tag provider missing); this check also catches
what only shows at run time, and says exactly what to write where.
"""

import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from contract.api import OPERATIONS, OperationInfo

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STUB_MARK = "__contract_stub__"
Method = TypeVar("Method", bound=Callable[..., Any])


def stub(method: Method) -> Method:
    """Marks a service method `nox -s generate -- --scaffold` wrote and nobody implemented yet.

    The stub typechecks (so mypy stops naming the gap) but raises NotImplementedError; this
    check still refuses to start an app with one, naming it. Delete the decorator together
    with the `raise` when you implement the method.
    """
    setattr(method, STUB_MARK, True)
    return method


class ContractNotServed(RuntimeError):
    """The app does not serve its contract; the message lists each gap and how to close it."""


def spec_operations(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(operationId, METHOD, path) of every operation in the spec, in document order."""
    found = []
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                found.append((item[method].get("operationId", ""), method.upper(), path))
    return found


def _implementation_class(route: APIRoute) -> type | None:
    """The class the route's `api` dependency returns, read from the provider's annotation."""
    for dependency in route.dependant.dependencies:
        if dependency.name == "api" and dependency.call is not None:
            returned = typing.get_type_hints(dependency.call).get("return")
            return returned if isinstance(returned, type) else None
    return None


def _implements(cls: type, method_name: str) -> bool:
    """`cls` has its own `async def method_name`, not only the stub of the Protocol it subclasses.

    Services subclass their Protocol (so mypy checks them where they are built), which means
    `getattr` would find the Protocol's `...` body for a method the service never wrote.
    """
    for klass in cls.__mro__:
        if method_name in vars(klass):
            own = Protocol not in klass.__bases__
            return own and inspect.iscoroutinefunction(vars(klass)[method_name])
    return False


def _is_stub(cls: type, method_name: str) -> bool:
    return bool(getattr(getattr(cls, method_name, None), STUB_MARK, False))


def _missing(info: OperationInfo, why: str) -> str:
    file = "src/" + info.implementation_module.replace(".", "/") + ".py"
    return (
        f"{info.operation_id} ({info.method} {info.path}) {why}. Implement "
        f"`async def {info.method_name}(self, ...)` of `{info.protocol}` in class "
        f"`{info.implementation_class}` in `{info.implementation_module}` ({file}), and give "
        f"`app.providers.Providers` an `async def {info.tag}(self) -> "
        f"{info.implementation_class}` provider; the exact signature is in "
        f"generated/contract/routers/{info.tag}.py."
    )


def problems(app_routes: Iterable[BaseRoute], spec: dict[str, Any]) -> list[str]:
    by_id = {info.operation_id: info for info in OPERATIONS}
    routes: dict[str, list[APIRoute]] = {}
    for route in app_routes:
        if isinstance(route, APIRoute) and route.operation_id:
            routes.setdefault(route.operation_id, []).append(route)
    found: list[str] = []
    declared = spec_operations(spec)
    for operation_id, method, path in declared:
        info = by_id.get(operation_id)
        if info is None or (info.method, info.path) != (method, path):
            found.append(
                f"{operation_id} ({method} {path}) is in the spec but not in generated/: "
                "run `nox -s generate`."
            )
            continue
        served = [
            r
            for r in routes.get(operation_id, [])
            if r.path == path and method in (r.methods or ())
        ]
        if not served:
            found.append(_missing(info, "is not served by any route"))
            continue
        if len(routes[operation_id]) > 1:
            found.append(f"{operation_id} ({method} {path}) is served by more than one route.")
            continue
        cls = _implementation_class(served[0])
        if cls is None:
            found.append(_missing(info, "has a provider without a return annotation"))
        elif not _implements(cls, info.method_name):
            found.append(_missing(info, f"has no method on `{cls.__module__}.{cls.__name__}`"))
        elif _is_stub(cls, info.method_name):
            found.append(
                _missing(
                    info,
                    f"is only a scaffolded stub (`@stub`) on `{cls.__module__}.{cls.__name__}`",
                )
            )
    known = {operation_id for operation_id, _, _ in declared}
    found.extend(
        f"{route.operation_id} ({', '.join(sorted(route.methods or ()))} {route.path}) is served "
        "but not in the spec: add it to openapi/openapi.yaml or remove the route."
        for route in _all(routes.values())
        if route.operation_id not in known
    )
    return found


def _all(groups: Iterable[list[APIRoute]]) -> Iterable[APIRoute]:
    for group in groups:
        yield from group


def verify(app_routes: Iterable[BaseRoute], spec: dict[str, Any]) -> None:
    found = problems(app_routes, spec)
    if found:
        raise ContractNotServed(
            "The app does not serve its contract (openapi/openapi.yaml):\n- " + "\n- ".join(found)
        )

"""The start-up check: every operation of the contract is routed and implemented, no stub left.

mypy catches most gaps (a Protocol method or tag provider missing); this check catches what
only shows at run time (a tag whose router was never built, a method the service inherits
from its Protocol unwritten, a scaffolded stub), and says exactly what to write where. The
operations are the index generated/ carries; `nox -s check_generated` keeps it in step with
the spec.
"""

import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from contract.api import OPERATIONS, OperationInfo

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


def _implementation_class(providers: object, tag: str) -> type | None:
    """The class the tag's provider builds, read from the provider's annotation."""
    provider = getattr(providers, tag, None)
    if provider is None:
        return None
    returned = typing.get_type_hints(provider).get("return")
    return returned if isinstance(returned, type) else None


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
        f"`app.providers.Providers` a `def {info.tag}(self) -> "
        f"{info.implementation_class}` provider; the exact signature is in "
        f"generated/contract/routers/{info.tag}.py."
    )


def _gap(info: OperationInfo, routes: list[APIRoute], providers: object) -> str | None:
    """What is missing for `info`, given the routes that carry its operationId and the app's
    providers; None: nothing."""
    served = [r for r in routes if r.path == info.path and info.method in (r.methods or ())]
    if not served:
        return _missing(info, "is not served by any route")
    cls = _implementation_class(providers, info.tag)
    if cls is None:
        return _missing(info, "has a provider without a return annotation")
    where = f"`{cls.__module__}.{cls.__name__}`"
    if not _implements(cls, info.method_name):
        return _missing(info, f"has no method on {where}")
    if _is_stub(cls, info.method_name):
        return _missing(info, f"is only a scaffolded stub (`@stub`) on {where}")
    return None


def problems(
    app_routes: Iterable[BaseRoute],
    providers: object,
    operations: Iterable[OperationInfo] = OPERATIONS,
) -> list[str]:
    """The gaps of an app whose routes are `app_routes`, built from `providers`
    (a `contract.api.ServiceProviders`)."""
    routes: dict[str, list[APIRoute]] = {}
    for route in app_routes:
        if isinstance(route, APIRoute) and route.operation_id:
            routes.setdefault(route.operation_id, []).append(route)
    gaps = (_gap(info, routes.get(info.operation_id, []), providers) for info in operations)
    return [gap for gap in gaps if gap is not None]


def verify(app_routes: Iterable[BaseRoute], providers: object) -> None:
    found = problems(app_routes, providers)
    if found:
        raise ContractNotServed(
            "The app does not serve its contract (openapi/openapi.yaml):\n- " + "\n- ".join(found)
        )

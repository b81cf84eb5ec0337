"""OWASP API9:2023 Improper Inventory Management, for every operation of the spec.

The spec is the whole inventory: the app serves exactly its operations (and the documentation
of it), a method the spec does not list for a path is a 405 naming the ones it does, and a path
below an operation's is a 404. Neither answer says more than that.
"""

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from app.spec import documentation_routes
from tests.support.accounts import Account
from tests.support.collection import every_operation
from tests.support.contract import assert_problem, spec
from tests.support.operations import METHODS, Operation, operations
from tests.support.walk import prepare

pytestmark = pytest.mark.anyio

# Every standard method, and one no one should serve.
TRIED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")
DOCUMENTATION = documentation_routes()  # /openapi.json, /docs, /redoc and their assets' route


def listed(path: str) -> list[str]:
    return sorted(method.upper() for method in spec()["paths"][path] if method in METHODS)


@pytest.mark.parametrize("op", every_operation())
async def test_a_method_the_spec_does_not_list_is_405(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    prepared = await prepare(api, op, superuser)
    allowed = listed(op.path)
    assert op.method in allowed
    for method in sorted(set(TRIED) - set(allowed)):
        response = await api.request(method, prepared.path, headers=prepared.caller.headers)
        assert response.status_code == 405, (method, response.text)
        assert sorted(response.headers["allow"].split(", ")) == allowed, method
        if method != "HEAD":  # a HEAD response has no body
            problem = assert_problem(response, 405)
            assert problem["detail"] == (
                f"{method} is not allowed on {prepared.path}; use {', '.join(allowed)}."
            )


@pytest.mark.parametrize("op", every_operation())
async def test_a_path_below_an_operation_is_404(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    prepared = await prepare(api, op, superuser)
    templates = [compile_path(path)[0] for path in spec()["paths"]]
    tried = 0
    for below in ("/unknown", "/unknown/deeper", "/..;/admin", "/%2e%2e/admin"):
        path = prepared.path + below
        if any(template.match(path) for template in templates):
            continue  # another operation's path (/items/unknown is getItem's)
        response = await api.request(op.method, path, headers=prepared.caller.headers)
        problem = assert_problem(response, 404)
        assert problem["detail"].startswith(f"No operation matches {op.method} "), problem
        tried += 1
    assert tried >= 2


def test_the_app_serves_exactly_the_spec(app: FastAPI) -> None:
    served: set[tuple[str, str, str | None]] = set()
    for route in app.state.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            served |= {(method, route.path, route.operation_id) for method in route.methods or ()}
        else:
            assert getattr(route, "path", None) in DOCUMENTATION, route
    declared = {(op.method, op.path, op.operation_id) for op in operations()}
    assert served == declared

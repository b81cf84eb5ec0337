"""Compare the contract with what the generated routes actually accept.

The generated routes are turned into FastAPI's own description of them (the schema FastAPI
derives from the route signatures), and each operation is compared with the contract: same
operations, the same parameters with the same constraints, the same request media types and
the same status codes. A template that drops a constraint shows up here.
"""

from typing import Any

import specdoc
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

COMPARED = (
    "type",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "const",
    "default",
    "minItems",
    "maxItems",
)


def derived(routes: list[BaseRoute]) -> dict[str, Any]:
    return get_openapi(title="derived", version="0", openapi_version="3.1.0", routes=routes)


def _constraints(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    """The compared keywords of a schema, with `T | null` folded into T plus nullable."""
    schema = specdoc.resolve(document, schema).node
    found: dict[str, Any] = {}
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        for branch in branches:
            branch = specdoc.resolve(document, branch).node
            if branch.get("type") == "null":
                found["nullable"] = True
            else:
                found.update(_constraints(document, branch))
    types = schema.get("type")
    if isinstance(types, list):
        if "null" in types:
            found["nullable"] = True
        rest = [t for t in types if t != "null"]
        types = rest[0] if len(rest) == 1 else rest
    for key in COMPARED:
        if key in schema:
            found[key] = schema[key]
    if types is not None:
        found["type"] = types
    if "items" in schema:
        found["items"] = _constraints(document, schema["items"])
    return found


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation, with the parameters its path item shares folded in."""
    return {
        (op.method.upper(), op.path): {
            **op.node,
            "parameters": [*op.shared_parameters, *op.node.get("parameters", [])],
        }
        for op in specdoc.operations(document)
    }


def _parameters(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for raw in operation.get("parameters", []):
        parameter = specdoc.resolve(document, raw).node
        schema = _constraints(document, parameter.get("schema", {}))
        # An optional parameter without a default is nullable in Python; the contract
        # expresses the same thing by not requiring it.
        schema.pop("nullable", None)
        key = f"{parameter['in']}.{parameter['name'].lower()}"
        result[key] = {"required": bool(parameter.get("required")), **schema}
    return result


def _content_types(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    body = specdoc.resolve(document, operation.get("requestBody", {})).node
    return set(body.get("content", {}))


def drift(contract: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every difference between the contract and the derived description, in words."""
    problems: list[str] = []
    want, have = _operations(contract), _operations(actual)
    for key in sorted(want.keys() - have.keys()):
        problems.append(f"{key[0]} {key[1]}: in the contract but not served")
    for key in sorted(have.keys() - want.keys()):
        problems.append(f"{key[0]} {key[1]}: served but not in the contract")
    for key in sorted(want.keys() & have.keys()):
        where = f"{key[0]} {key[1]}"
        spec_op, route_op = want[key], have[key]
        if spec_op.get("operationId") != route_op.get("operationId"):
            problems.append(
                f"{where}: operationId {route_op.get('operationId')!r}, "
                f"contract says {spec_op.get('operationId')!r}"
            )
        spec_params = _parameters(contract, spec_op)
        route_params = _parameters(actual, route_op)
        for name in sorted(spec_params.keys() | route_params.keys()):
            expected, got = spec_params.get(name), route_params.get(name)
            if expected is None or got is None:
                problems.append(
                    f"{where}: parameter {name} is {'missing' if got is None else 'extra'}"
                )
                continue
            for field in sorted(expected.keys() | got.keys()):
                if expected.get(field) != got.get(field):
                    problems.append(
                        f"{where}: parameter {name} {field} is {got.get(field)!r}, "
                        f"contract says {expected.get(field)!r}"
                    )
        if _content_types(contract, spec_op) != _content_types(actual, route_op):
            problems.append(
                f"{where}: request media types {sorted(_content_types(actual, route_op))}, "
                f"contract says {sorted(_content_types(contract, spec_op))}"
            )
        spec_codes = set(map(str, spec_op.get("responses", {})))
        route_codes = set(map(str, route_op.get("responses", {})))
        if spec_codes != route_codes:
            problems.append(
                f"{where}: status codes {sorted(route_codes)}, contract says {sorted(spec_codes)}"
            )
    return problems

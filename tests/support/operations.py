"""The contract's operations as data, for tests that walk the spec instead of listing routes.

The spec is read through specdoc (openapi/tools/specdoc.py), the project's one spec walker: its
operations, methods and `$ref` resolver; this module adds what a test needs to send a request.

A test that loops over `operations()` covers an operation added to openapi/openapi.yaml without
being edited. `valid_body` and `fill_path` make requests that pass the contract's validation,
from the schemas alone (an `examples` entry wins where a schema has one).
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import specdoc

from tests.support.contract import SPEC_URI, schema_validator, spec

METHODS = specdoc.HTTP_METHODS  # the name the security suite imports
FORM = "application/x-www-form-urlencoded"
JSON = specdoc.JSON
# Strings tried, in order, against a `pattern` that has no `examples` to take from.
PATTERN_CANDIDATES = ("a", "ok", "abc-123", "1", "1.00", "example", "A1")


@dataclass(frozen=True)
class Operation:
    """specdoc's operation of the contract, with what a test needs to send it resolved."""

    source: specdoc.Operation
    secured: bool  # a token is required
    media_type: str | None
    body_schema: dict[str, Any] | None
    parameters: tuple[dict[str, Any], ...]  # resolved; the operation's own win over its path's

    @property
    def operation_id(self) -> str:
        return self.source.operation_id

    @property
    def method(self) -> str:
        """Upper case, as sent: `GET`."""
        return self.source.method.upper()

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def tag(self) -> str:
        return self.source.tag

    @property
    def statuses(self) -> frozenset[str]:
        return self.source.statuses

    def declares(self, status: int) -> bool:
        return str(status) in self.statuses

    @property
    def has_body(self) -> bool:
        return self.media_type is not None

    def __str__(self) -> str:
        return self.operation_id


def resolve(node: Any) -> Any:
    """`node` with its `$ref`s into the contract followed (specdoc.resolve)."""
    return specdoc.resolve(spec(), node).node


def _test_view(source: specdoc.Operation) -> Operation:
    document = spec()
    bodies = list(specdoc.request_schemas(document, source))
    security = specdoc.effective_security(document, source)
    return Operation(
        source=source,
        # `[{}, {bearer: []}]` makes a token optional: not secured in this sense.
        secured=specdoc.security_kind(security) == "required",
        media_type=bodies[0][0] if bodies else None,
        body_schema=bodies[0][1] if bodies else None,
        parameters=tuple(
            resolved.node for resolved, _ in specdoc.parameters(document, source).values()
        ),
    )


@cache
def operations() -> tuple[Operation, ...]:
    return tuple(_test_view(source) for source in specdoc.operations(spec()))


def by_id(operation_id: str) -> Operation:
    return next(op for op in operations() if op.operation_id == operation_id)


def all_pairs() -> set[tuple[str, str]]:
    """(operationId, status) for every status code of every operation the spec declares."""
    return {(op.operation_id, status) for op in operations() for status in op.statuses}


def is_valid(instance: Any, schema: dict[str, Any]) -> bool:
    return schema_validator(_rebase(schema)).is_valid(instance)


def _rebase(node: Any) -> Any:
    """Local `#/...` references rewritten to point into the registered spec."""
    if isinstance(node, dict):
        return {
            key: (SPEC_URI + value if key == "$ref" and value.startswith("#") else _rebase(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase(value) for value in node]
    return node


def merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `allOf` parts folded in (properties and required lists united)."""
    schema = resolve(schema)
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = merge_all_of(part)
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _string(schema: dict[str, Any]) -> str:
    low = max(int(schema.get("minLength", 1)), 1)
    fmt = schema.get("format")
    if fmt == "email":
        return f"user-{uuid.uuid4().hex[:12]}@example.com"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date-time":
        return datetime.now(UTC).isoformat()
    if fmt in ("uri", "uri-reference"):
        return "https://example.com/"
    # Long enough for a password's minimum, short enough for any maxLength >= low.
    plain = "x" * low if "maxLength" in schema and schema["maxLength"] < 12 else "x" * max(low, 12)
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        for candidate in (plain, *PATTERN_CANDIDATES):  # plain passes `^[^\u0000]*$`
            value = candidate.ljust(low, candidate[-1])
            if pattern.search(value) and len(value) <= schema.get("maxLength", len(value)):
                return value
        raise AssertionError(f"no example matches {schema['pattern']!r}; add `examples` to it")
    return plain


def example(schema: dict[str, Any]) -> Any:
    """A value that `schema` accepts: required properties only, smallest sizes."""
    schema = merge_all_of(schema)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for option in ("oneOf", "anyOf"):
        if option in schema:
            return example(schema[option][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example(properties[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [example(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        if "exclusiveMinimum" in schema:
            return int(schema["exclusiveMinimum"]) + 1
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    raise AssertionError(f"cannot make an example of {schema}")


def valid_body(op: Operation) -> Any:
    """A request body the operation's schema accepts; checked against the schema itself."""
    assert op.body_schema is not None, f"{op} has no request body"
    body = example(op.body_schema)
    assert is_valid(body, op.body_schema), f"the example body for {op} breaks its schema: {body}"
    return body


def fill_path(op: Operation, **values: str) -> str:
    """The operation's path with each path parameter filled: `values`, or a valid example."""
    path = op.path
    for parameter in op.parameters:
        if parameter["in"] == "path":
            name = parameter["name"]
            value = values.get(name) or str(example(parameter.get("schema", {"type": "string"})))
            path = path.replace("{" + name + "}", value)
    return path


def required_parameters(op: Operation, where: str) -> dict[str, str]:
    """A valid value for each required `query` or `header` parameter of the operation."""
    return {
        p["name"]: str(example(p.get("schema", {"type": "string"})))
        for p in op.parameters
        if p["in"] == where and p.get("required")
    }


def body_kwargs(op: Operation, body: Any) -> dict[str, Any]:
    """httpx keyword arguments sending `body` in the operation's media type."""
    if op.media_type == FORM:
        return {"data": body}
    if op.media_type == JSON:
        return {"json": body}
    raise AssertionError(f"{op}: no test support for {op.media_type}")


async def call(
    client: httpx.AsyncClient,
    op: Operation,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    path: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send the operation: path parameters and required parameters filled, plus `kwargs`."""
    return await client.request(
        op.method,
        path or fill_path(op),
        params={**required_parameters(op, "query"), **(params or {})},
        headers={**required_parameters(op, "header"), **(headers or {})},
        **kwargs,
    )

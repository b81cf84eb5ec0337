"""The one reader of the spec: loading the document, following `$ref`s, walking operations.

The spec tools (lint_spec, breaking), the tests (through tests/support) and the generator all
read the contract through this module, so the HTTP methods, the `$ref` resolver and what an
operation is are written once. Standard library and PyYAML only: the generator imports it in
an environment of its own. A location is the list of keys from the document's root
(`["paths", "/api/v1/items", "post", "responses", "201"]`), printed dotted
(`paths./api/v1/items.post.responses.201`) the way the tools report it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The methods a path item may hold, in the order OpenAPI lists them: the project's one copy.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT / "openapi" / "openapi.yaml"
JSON = "application/json"
PROBLEM = "application/problem+json"

Location = tuple[str, ...]


class SpecError(Exception):
    """The document cannot be read as an OpenAPI document at all."""


def load_text(text: str, source: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SpecError(f"{source}: not YAML: {error}") from error
    if not isinstance(document, dict):
        raise SpecError(f"{source}: not an OpenAPI document (expected a mapping at the top)")
    return document


def load(path: Path = DEFAULT_SPEC) -> dict[str, Any]:
    return load_text(path.read_text(encoding="utf-8"), str(path))


def dotted(location: Location) -> str:
    return ".".join(location) if location else "(document)"


def ref_location(ref: str) -> Location:
    """`#/components/schemas/Item` as a location; `~1` and `~0` decoded."""
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported, got {ref!r}")
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/"))


def lookup(document: dict[str, Any], location: Location) -> Any:
    """The node at `location`, or None when there is none."""
    node: Any = document
    for part in location:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@dataclass(frozen=True)
class Resolved:
    """A node with every `$ref` followed; `location` is where its content is defined."""

    node: Any
    location: Location
    ref: str | None  # the last `$ref` followed, if any


def resolve(document: dict[str, Any], node: Any, location: Location = ()) -> Resolved:
    """`node` with every `$ref` followed; a reference to nothing resolves to None."""
    ref: str | None = None
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return Resolved(node, location, ref)
        ref = node["$ref"]
        location = ref_location(ref)
        node = lookup(document, location)
    raise SpecError(f"{dotted(location)}: reference cycle")


@dataclass
class Flat:
    """A schema with its `$ref`s followed and its `allOf` branches merged (its own words last)."""

    location: Location  # where its content is defined
    keywords: dict[str, Any]  # every other keyword: type, enum, bounds, anyOf ...
    properties: dict[str, tuple[Any, Location]]  # each as written, and where
    required: set[str]
    items: tuple[Any, Location] | None


def flatten(document: dict[str, Any], node: Any, location: Location = ()) -> Flat:
    """`node` as one schema: `$ref`s followed, `allOf` branches merged in order, then its own."""
    resolved = resolve(document, node, location)
    schema = resolved.node if isinstance(resolved.node, dict) else {}
    flat = Flat(resolved.location, {}, {}, set(), None)
    for index, branch in enumerate(schema.get("allOf") or []):
        merged = flatten(document, branch, (*resolved.location, "allOf", str(index)))
        flat.keywords.update(merged.keywords)
        flat.properties.update(merged.properties)
        flat.required |= merged.required
        flat.items = merged.items or flat.items
    for key, value in schema.items():
        if key not in ("allOf", "properties", "required", "items", "$ref"):
            flat.keywords[key] = value
    for name, prop in (schema.get("properties") or {}).items():
        flat.properties[str(name)] = (prop, (*resolved.location, "properties", str(name)))
    flat.required |= {str(name) for name in schema.get("required") or []}
    if "items" in schema:
        flat.items = (schema["items"], (*resolved.location, "items"))
    return flat


@dataclass(frozen=True)
class Operation:
    """One operation of the document, as written: its `$ref`s are followed on demand."""

    path: str  # the path template, `/api/v1/items/{item_id}`
    method: str  # lower case, a key of the path item: `get`
    node: dict[str, Any]
    shared_parameters: list[Any]  # the path item's own `parameters`
    section: str = "paths"  # or `webhooks`, where `path` is the webhook's name

    @property
    def location(self) -> Location:
        return (self.section, self.path, self.method)

    @property
    def operation_id(self) -> str:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else ""

    @property
    def label(self) -> str:
        if self.operation_id:
            return self.operation_id
        if self.section == "webhooks":
            return f"webhook {self.path} {self.method.upper()}"
        return f"{self.method.upper()} {self.path}"

    @property
    def tag(self) -> str:
        """The first tag ("" without one): the generated router and src/ package it lives in."""
        tags = self.node.get("tags")
        return str(tags[0]) if isinstance(tags, list) and tags else ""

    @property
    def statuses(self) -> frozenset[str]:
        """The status codes (and `default`) it declares, as written in the document."""
        return frozenset(str(code) for code in self.node.get("responses") or {})


def operations(document: dict[str, Any], section: str = "paths") -> Iterator[Operation]:
    """The operations under `paths` (or, with `section="webhooks"`, the webhooks')."""
    paths = document.get(section)
    if not isinstance(paths, dict):
        return
    for path, raw_item in paths.items():
        item = resolve(document, raw_item, (section, str(path))).node
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters")
        shared = shared if isinstance(shared, list) else []
        for method in HTTP_METHODS:
            node = item.get(method)
            if isinstance(node, dict):
                yield Operation(str(path), method, node, shared, section)


def responses(document: dict[str, Any], operation: Operation) -> Iterator[tuple[str, Resolved]]:
    """Each declared status code with its response, `$ref`s followed (mappings only)."""
    for code, raw in (operation.node.get("responses") or {}).items():
        resolved = resolve(document, raw, (*operation.location, "responses", str(code)))
        if isinstance(resolved.node, dict):
            yield str(code), resolved


def request_body(document: dict[str, Any], operation: Operation) -> Resolved:
    """The operation's request body, `$ref`s followed; its node is None when it has none."""
    return resolve(
        document, operation.node.get("requestBody"), (*operation.location, "requestBody")
    )


def request_schemas(
    document: dict[str, Any], operation: Operation
) -> Iterator[tuple[str, Any, Location]]:
    """(media type, schema, where the schema is written) for each body the operation takes."""
    body = request_body(document, operation)
    content = body.node.get("content") if isinstance(body.node, dict) else None
    for media_type, media in (content or {}).items():
        if isinstance(media, dict) and "schema" in media:
            yield (
                str(media_type),
                media["schema"],
                (*body.location, "content", str(media_type), "schema"),
            )


def effective_security(document: dict[str, Any], operation: Operation) -> list[dict[str, Any]]:
    """The operation's security requirements, the document's when it declares none."""
    requirements = operation.node.get("security", document.get("security", []))
    return (
        [r for r in requirements if isinstance(r, dict)] if isinstance(requirements, list) else []
    )


def security_kind(requirements: list[dict[str, Any]]) -> str:
    """`public` (no requirement), `optional` (`{}` among others) or `required`."""
    if not requirements or all(not r for r in requirements):
        return "public"
    return "optional" if {} in requirements else "required"


def parameters(
    document: dict[str, Any], operation: Operation
) -> dict[tuple[str, str], tuple[Resolved, Location]]:
    """The operation's parameters by (location, name), the path item's overridden by its own.

    Each comes with its resolved definition and the location it is used at.
    """
    found: dict[tuple[str, str], tuple[Resolved, Location]] = {}
    sources = [
        (operation.shared_parameters, (operation.section, operation.path, "parameters")),
        (operation.node.get("parameters") or [], (*operation.location, "parameters")),
    ]
    for raw_list, base in sources:
        if not isinstance(raw_list, list):
            continue
        for index, raw in enumerate(raw_list):
            resolved = resolve(document, raw, (*base, str(index)))
            node = resolved.node
            if isinstance(node, dict) and "name" in node and "in" in node:
                found[(str(node["in"]), str(node["name"]))] = (resolved, (*base, str(index)))
    return found


def schema_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a schema names with `type`, `const` or `enum` (empty: any)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(t) for t in declared}
    return set()

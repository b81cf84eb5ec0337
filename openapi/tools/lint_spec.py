"""Lint the spec: OpenAPI 3.1 validity, then the house rules of the API brief.

    python openapi/tools/lint_spec.py [--spec openapi/openapi.yaml] [--rules]

Every problem is one line, `<where>: <rule>: <what to do>`, where `<where>` is the dotted
path into the document (`paths./api/v1/items.post.responses.201`). A problem in a component
(`components.schemas.ItemCreate`) is reported once, where it is defined. Exits 1 when there
is any problem. The house rules run only on a document that is valid OpenAPI 3.1.
Run it with `nox -s lint_spec`; it needs PyYAML, openapi-spec-validator and jsonschema.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from specdoc import (
    DEFAULT_SPEC,
    PROBLEM,
    ROOT,
    Location,
    Operation,
    SpecError,
    dotted,
    effective_security,
    flatten,
    load,
    lookup,
    operations,
    parameters,
    ref_location,
    request_body,
    request_schemas,
    resolve,
    responses,
    schema_types,
    security_kind,
)

# Rule name -> what it asks; the README and `--rules` print this table.
RULES: dict[str, str] = {
    "openapi-3.1": "the document declares `openapi: 3.1.x`",
    "openapi-valid": "the document is valid OpenAPI 3.1 (openapi-spec-validator)",
    "refs-resolve": "every `$ref` is local and points at something",
    "operation-id": "every operation has a camelCase operationId (the validator checks uniqueness)",
    "operation-tag": "every operation has exactly one tag, declared under `tags`",
    "operation-summary": "every operation has a summary",
    "string-bounded": "every string has maxLength, or is an enum/const, or format uuid, "
    "date-time or date",
    "integer-ranged": "every integer has a minimum and a maximum (or is an enum/const)",
    "array-capped": "every array has maxItems",
    "input-closed": "request-body objects reject unknown fields (additionalProperties: false)",
    "problem-json": "every 4xx/5xx response is application/problem+json, with a schema",
    "explicit-security": "public operations say `security: []`; the optional form is "
    "`[{}, {bearer: []}, ...]`; requirements name declared schemes",
    "secured-401": "operations that take a token declare 401 with WWW-Authenticate",
    "every-scheme": "operations that take a token accept every declared scheme (each is a way "
    "to the same bearer token: one Authorize in Swagger UI signs every request)",
    "token-url": "an OAuth2 password flow's tokenUrl is a public POST here that takes a form "
    "(application/x-www-form-urlencoded) with `username` and `password`",
    "validation-statuses": "operations with parameters or a body declare 422; with a body, "
    "413 and 415",
    "create-201": "a POST to a collection (a path with a `/{id}` child) answers 201",
    "create-location": "a 201 declares a required Location header",
    "create-links": "a 201 has links to the new resource's get/update/delete operations",
    "list-pagination": "list operations use #/components/parameters/Page and Size and return "
    "a page schema {items, total, page, size, pages}",
    "pagination-parameters": "Page is query `page` 1..10000 default 1; Size is query `size` "
    "1..100 default 20",
    "unavailable-503": "operations that use the database (all but `x-uses-database: false`) "
    "declare 503 as #/components/responses/ServiceUnavailable, which has a Retry-After header",
    "input-no-nul": "every string a request carries (body or parameter) has a pattern that "
    "refuses U+0000, or is an enum/const or format uuid/date-time/date",
    "examples-present": "every parameter, request and response body (each media type) and "
    "response header has an `example` or `examples` (on it, not on its schema)",
    "examples-valid": "every example validates against its schema (JSON Schema 2020-12, "
    "formats checked, `$ref`s followed)",
}

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
BOUNDED_FORMATS = {"uuid", "date-time", "date"}
PAGE_REF = "#/components/parameters/Page"
SIZE_REF = "#/components/parameters/Size"
PAGE_FIELDS = ("items", "total", "page", "size", "pages")
# Keywords whose value is a schema, a list of schemas, or a mapping of names to schemas.
SCHEMA_KEYWORDS = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{dotted(self.location)}: {self.rule}: {self.message}"


# OpenAPI validity


def _refs(node: Any, location: Location) -> Iterator[tuple[str, Location]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref, location
        for key, value in node.items():
            if key not in ("example", "examples") and not str(key).startswith("x-"):
                yield from _refs(value, (*location, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, (*location, str(index)))


def check_refs(document: dict[str, Any]) -> list[Problem]:
    problems = []
    for ref, location in _refs(document, ()):
        if not ref.startswith("#/"):
            problems.append(
                Problem(location, "refs-resolve", f"{ref!r}: only local references (#/...)")
            )
        elif lookup(document, ref_location(ref)) is None:
            problems.append(Problem(location, "refs-resolve", f"{ref!r} points at nothing"))
    return problems


def _error_location(error: Any) -> Location:
    path = tuple(str(part) for part in getattr(error, "absolute_path", ()) or ())
    top_level = {"openapi", "info", "servers", "paths", "components", "security", "tags"}
    return path if path and path[0] in top_level | {"webhooks", "jsonSchemaDialect"} else ()


def check_openapi(document: dict[str, Any]) -> list[Problem]:
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1."):
        return [Problem(("openapi",), "openapi-3.1", f"declare `openapi: 3.1.x`, not {version!r}")]
    problems = check_refs(document)
    if problems:
        return problems  # the validator cannot follow a dangling reference
    validator = OpenAPIV31SpecValidator(document)
    try:
        for error in validator.iter_errors():
            message = str(getattr(error, "message", error)).splitlines()[0]
            problems.append(Problem(_error_location(error), "openapi-valid", message))
    except Exception as error:  # the validator gives up on some broken documents
        problems.append(Problem((), "openapi-valid", f"the validator failed: {error!r}"))
    return problems


# Schemas


def schema_roots(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Location]]:
    """Every schema the document defines or writes inline (never one only referenced)."""
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        if isinstance(schema, dict):
            yield schema, ("components", "schemas", str(name))

    def walk(node: Any, location: Location) -> Iterator[tuple[dict[str, Any], Location]]:
        if isinstance(node, dict):
            for key, value in node.items():
                key = str(key)
                if key in ("example", "examples") or key.startswith("x-"):
                    continue
                if location == ("components",) and key == "schemas":
                    continue
                if key == "schema" and isinstance(value, dict):
                    yield value, (*location, key)
                else:
                    yield from walk(value, (*location, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*location, str(index)))

    yield from walk(document, ())


def subschemas(schema: Any, location: Location) -> Iterator[tuple[dict[str, Any], Location]]:
    """`schema` and every schema written inside it, without following `$ref`s."""
    if not isinstance(schema, dict):
        return
    yield schema, location
    for key in SCHEMA_KEYWORDS:
        yield from subschemas(schema.get(key), (*location, key))
    for key in SCHEMA_LISTS:
        for index, branch in enumerate(schema.get(key) or []):
            yield from subschemas(branch, (*location, key, str(index)))
    for key in SCHEMA_MAPS:
        for name, branch in (schema.get(key) or {}).items():
            yield from subschemas(branch, (*location, key, str(name)))


def check_bounds(document: dict[str, Any]) -> list[Problem]:
    problems = []
    for root, root_location in schema_roots(document):
        for schema, location in subschemas(root, root_location):
            if "$ref" in schema or "enum" in schema or "const" in schema:
                continue
            types = schema_types(schema)
            unbounded = "maxLength" not in schema and schema.get("format") not in BOUNDED_FORMATS
            if "string" in types and unbounded:
                problems.append(
                    Problem(
                        location,
                        "string-bounded",
                        "a string needs maxLength (or an enum, a const, or format "
                        "uuid/date-time/date)",
                    )
                )
            if "integer" in types:
                low = "minimum" in schema or "exclusiveMinimum" in schema
                high = "maximum" in schema or "exclusiveMaximum" in schema
                if not (low and high):
                    missing = " and ".join(
                        word
                        for word, present in (("minimum", low), ("maximum", high))
                        if not present
                    )
                    problems.append(
                        Problem(location, "integer-ranged", f"an integer needs a {missing}")
                    )
            if "array" in types and "maxItems" not in schema:
                problems.append(Problem(location, "array-capped", "an array needs maxItems"))
    return problems


def _closed_problems(
    document: dict[str, Any], schema: Any, location: Location, seen: set[Location], used_by: str
) -> Iterator[Problem]:
    resolved = resolve(document, schema, location)
    node, location = resolved.node, resolved.location
    if not isinstance(node, dict) or location in seen:
        return
    seen.add(location)
    types = schema_types(node)
    composed = bool(node.get("allOf"))
    is_object = "object" in types or "properties" in node or composed
    if is_object:
        closed = node.get("additionalProperties") is False or (
            composed and node.get("unevaluatedProperties") is False
        )
        if not closed:
            keyword = "unevaluatedProperties" if composed else "additionalProperties"
            yield Problem(
                location,
                "input-closed",
                f"request bodies reject unknown fields: add `{keyword}: false` (used by {used_by})",
            )
    for name, prop in (node.get("properties") or {}).items():
        yield from _closed_problems(
            document, prop, (*location, "properties", str(name)), seen, used_by
        )
    if "items" in node:
        yield from _closed_problems(document, node["items"], (*location, "items"), seen, used_by)
    for key in ("allOf", "anyOf", "oneOf"):
        for index, branch in enumerate(node.get(key) or []):
            branch_node = resolve(document, branch, (*location, key, str(index)))
            # allOf branches are closed by their parent's unevaluatedProperties.
            if key == "allOf" and isinstance(branch_node.node, dict):
                for name, prop in (branch_node.node.get("properties") or {}).items():
                    where = (*branch_node.location, "properties", str(name))
                    yield from _closed_problems(document, prop, where, seen, used_by)
            else:
                yield from _closed_problems(
                    document, branch, (*location, key, str(index)), seen, used_by
                )


def check_inputs_closed(document: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[Location] = set()
    for op in operations(document):
        for _, schema, where in request_schemas(document, op):
            problems.extend(_closed_problems(document, schema, where, seen, op.label))
    return problems


# Operations


def check_operation_basics(document: dict[str, Any]) -> list[Problem]:
    problems = []
    declared_tags = {t.get("name") for t in document.get("tags") or [] if isinstance(t, dict)}
    for op in operations(document):
        operation_id = op.node.get("operationId")
        if not operation_id:
            problems.append(Problem(op.location, "operation-id", "add an operationId"))
        elif not CAMEL_CASE.match(str(operation_id)):
            problems.append(
                Problem(
                    (*op.location, "operationId"),
                    "operation-id",
                    f"{operation_id!r} is not camelCase (like `getItem`)",
                )
            )
        tags = op.node.get("tags") or []
        if len(tags) != 1:
            problems.append(
                Problem(op.location, "operation-tag", f"give it exactly one tag, not {len(tags)}")
            )
        elif tags[0] not in declared_tags:
            problems.append(
                Problem(
                    (*op.location, "tags"),
                    "operation-tag",
                    f"tag {tags[0]!r} is not declared in the document's `tags`",
                )
            )
        summary = op.node.get("summary")
        if not (isinstance(summary, str) and summary.strip()):
            problems.append(Problem(op.location, "operation-summary", "add a summary"))
    return problems


def _responses(
    document: dict[str, Any], op: Operation
) -> Iterator[tuple[str, dict[str, Any], Location]]:
    for code, resolved in responses(document, op):
        yield code, resolved.node, resolved.location


def check_problem_json(document: dict[str, Any]) -> list[Problem]:
    problems = []
    for op in operations(document):
        for code, response, location in _responses(document, op):
            if not (code[:1] in ("4", "5") or code == "default"):
                continue
            content = response.get("content") or {}
            if list(content) != [PROBLEM]:
                found = ", ".join(content) or "no body"
                problems.append(
                    Problem(
                        location,
                        "problem-json",
                        f"a {code} body is {PROBLEM} and nothing else (found: {found})",
                    )
                )
            elif not isinstance(content[PROBLEM], dict) or "schema" not in content[PROBLEM]:
                problems.append(
                    Problem(location, "problem-json", f"give the {PROBLEM} body a schema")
                )
    return sorted(set(problems))


def check_security(document: dict[str, Any]) -> list[Problem]:
    problems = []
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for op in operations(document):
        declared = op.node.get("security")
        if declared is None and security_kind(effective_security(document, op)) == "public":
            problems.append(
                Problem(
                    op.location,
                    "explicit-security",
                    "public operations say `security: []` explicitly (or name a scheme)",
                )
            )
        if isinstance(declared, list) and {} in declared and all(not r for r in declared):
            problems.append(
                Problem(
                    (*op.location, "security"),
                    "explicit-security",
                    "write `security: []` for a public operation; `{}` only makes a scheme "
                    "optional, as in `[{}, {bearer: []}]`",
                )
            )
        for index, requirement in enumerate(declared if isinstance(declared, list) else []):
            for name in requirement if isinstance(requirement, dict) else {}:
                if name not in schemes:
                    problems.append(
                        Problem(
                            (*op.location, "security", str(index)),
                            "explicit-security",
                            f"{name!r} is not in components.securitySchemes",
                        )
                    )
        if security_kind(effective_security(document, op)) != "public":
            responses = {code: (r, where) for code, r, where in _responses(document, op)}
            if "401" not in responses:
                problems.append(
                    Problem(
                        (*op.location, "responses"),
                        "secured-401",
                        "it takes a bearer token, so declare 401 (missing/invalid/expired token)",
                    )
                )
            else:
                response, where = responses["401"]
                headers = {str(h).lower() for h in response.get("headers") or {}}
                if "www-authenticate" not in headers:
                    problems.append(
                        Problem(where, "secured-401", "a 401 declares a WWW-Authenticate header")
                    )
    return sorted(set(problems))


def check_every_scheme(document: dict[str, Any]) -> list[Problem]:
    declared = set((document.get("components") or {}).get("securitySchemes") or {})
    problems = []
    for op in operations(document):
        requirements = effective_security(document, op)
        if security_kind(requirements) == "public":
            continue
        named = {name for requirement in requirements for name in requirement}
        missing = declared - named
        if missing and named <= declared:  # an undeclared name is explicit-security's
            where = (*op.location, "security") if "security" in op.node else ("security",)
            problems.append(
                Problem(
                    where,
                    "every-scheme",
                    f"accept {', '.join(sorted(missing))} too, as an alternative requirement "
                    "(every scheme gets the same token)",
                )
            )
    return sorted(set(problems))


def _takes_password_form(document: dict[str, Any], op: Operation) -> bool:
    for media_type, schema, where in request_schemas(document, op):
        if media_type == "application/x-www-form-urlencoded":
            return {"username", "password"} <= set(flatten(document, schema, where).properties)
    return False


def check_token_url(document: dict[str, Any]) -> list[Problem]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    problems = []
    for name, raw in schemes.items():
        scheme = resolve(document, raw, ("components", "securitySchemes", str(name))).node
        flow = ((scheme.get("flows") or {}) if isinstance(scheme, dict) else {}).get("password")
        if not isinstance(flow, dict):
            continue
        token_url = flow.get("tokenUrl")
        where = ("components", "securitySchemes", str(name), "flows", "password", "tokenUrl")
        found = [op for op in operations(document) if op.path == token_url and op.method == "post"]
        if not found:
            problems.append(
                Problem(where, "token-url", f"{token_url!r} is no POST operation of this spec")
            )
        elif security_kind(effective_security(document, found[0])) != "public":
            problems.append(
                Problem(where, "token-url", f"{found[0].label} must be public (`security: []`)")
            )
        elif not _takes_password_form(document, found[0]):
            problems.append(
                Problem(
                    where,
                    "token-url",
                    f"{found[0].label} must take application/x-www-form-urlencoded with "
                    "`username` and `password` (the OAuth2 password grant)",
                )
            )
    return problems


def check_validation_statuses(document: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for op in operations(document):
        codes = {code for code, _, _ in _responses(document, op)}
        wanted = []
        if parameters(document, op) or "requestBody" in op.node:
            wanted.append(("422", "it validates parameters or a body"))
        if "requestBody" in op.node:
            wanted.append(("413", "a body can be too large"))
            wanted.append(("415", "a body can have the wrong Content-Type"))
        where = (*op.location, "responses")
        problems.extend(
            Problem(where, "validation-statuses", f"declare {code}: {why}")
            for code, why in wanted
            if code not in codes
        )
    return problems


def _item_paths(document: dict[str, Any], path: str) -> list[str]:
    """The paths `path/{param}`: the single resources of the collection at `path`."""
    child = re.compile(re.escape(path.rstrip("/")) + r"/\{[^/{}]+\}$")
    return [str(p) for p in document.get("paths") or {} if child.match(str(p))]


def _operation_ids(document: dict[str, Any]) -> dict[str, Operation]:
    return {op.operation_id: op for op in operations(document) if op.operation_id}


def check_creates(document: dict[str, Any]) -> list[Problem]:
    problems = []
    by_id = _operation_ids(document)
    for op in operations(document):
        if op.method != "post":
            continue
        responses = {code: (r, where) for code, r, where in _responses(document, op)}
        items = _item_paths(document, op.path)
        if items and "201" not in responses:
            problems.append(
                Problem(
                    (*op.location, "responses"),
                    "create-201",
                    f"a POST to the collection of {items[0]} creates: answer 201",
                )
            )
        if "201" not in responses:
            continue
        response, _ = responses["201"]
        where = (*op.location, "responses", "201")
        headers = {str(h).lower(): h for h in response.get("headers") or {}}
        if "location" not in headers:
            problems.append(
                Problem(where, "create-location", "a 201 must declare a Location header")
            )
        else:
            header = resolve(
                document, response["headers"][headers["location"]], (*where, "headers")
            ).node
            if not (isinstance(header, dict) and header.get("required") is True):
                problems.append(
                    Problem(where, "create-location", "the 201's Location header is required")
                )
        links = response.get("links") or {}
        if not links:
            problems.append(
                Problem(
                    where,
                    "create-links",
                    "a 201 links to the new resource's operations (OpenAPI `links`)",
                )
            )
        linked = set()
        for name, raw_link in links.items():
            link = resolve(document, raw_link, (*where, "links", str(name))).node
            if not isinstance(link, dict):
                continue
            target_id = link.get("operationId")
            target = by_id.get(str(target_id))
            if target is None:
                problems.append(
                    Problem(
                        (*where, "links", str(name)),
                        "create-links",
                        f"links to operationId {target_id!r}, which does not exist",
                    )
                )
                continue
            linked.add(target.operation_id)
            names = {name for _, name in parameters(document, target)}
            for param in link.get("parameters") or {}:
                if str(param).split(".")[-1] not in names:
                    problems.append(
                        Problem(
                            (*where, "links", str(name), "parameters", str(param)),
                            "create-links",
                            f"{target.operation_id} has no parameter {param!r}",
                        )
                    )
        for item_path in items:
            for target in operations(document):
                wanted = target.method in ("get", "put", "patch", "delete")
                # One without an operationId cannot be linked to; operation-id reports it.
                if target.path != item_path or not wanted or not target.operation_id:
                    continue
                if target.operation_id not in linked:
                    problems.append(
                        Problem(
                            where,
                            "create-links",
                            f"add a link to {target.operation_id} "
                            f"({target.method.upper()} {item_path})",
                        )
                    )
    return problems


def _own_types(document: dict[str, Any], schema: Any, location: Location) -> set[str]:
    """The JSON types a schema names itself (its allOf branches' left out)."""
    node = resolve(document, schema, location).node
    return schema_types(node) if isinstance(node, dict) else set()


def _success_schema(document: dict[str, Any], op: Operation) -> tuple[Any, Location] | None:
    for code, response, location in _responses(document, op):
        if code.startswith("2"):
            media = (response.get("content") or {}).get("application/json")
            if isinstance(media, dict) and "schema" in media:
                return media["schema"], (*location, "content", "application/json", "schema")
    return None


def _is_list(document: dict[str, Any], op: Operation) -> bool:
    if op.method != "get":
        return False
    if op.operation_id.startswith("list") or _item_paths(document, op.path):
        return True
    success = _success_schema(document, op)
    if success is None:
        return False
    return (
        "array" in _own_types(document, *success)
        or "items" in flatten(document, *success).properties
    )


def check_lists(document: dict[str, Any]) -> list[Problem]:
    problems = []
    for op in operations(document):
        if not _is_list(document, op):
            continue
        refs = {
            p.get("$ref")
            for p in [*op.shared_parameters, *(op.node.get("parameters") or [])]
            if isinstance(p, dict)
        }
        for ref in (PAGE_REF, SIZE_REF):
            if ref not in refs:
                problems.append(
                    Problem(
                        (*op.location, "parameters"),
                        "list-pagination",
                        f"a list takes the shared pagination parameter `$ref: {ref!r}`",
                    )
                )
        success = _success_schema(document, op)
        if success is None:
            problems.append(
                Problem(
                    (*op.location, "responses"),
                    "list-pagination",
                    "a list answers 200 with an application/json page",
                )
            )
            continue
        page = flatten(document, *success)
        missing = [
            name for name in PAGE_FIELDS if name not in page.properties or name not in page.required
        ]
        if "array" in _own_types(document, *success) or missing:
            problems.append(
                Problem(
                    success[1],
                    "list-pagination",
                    "a list returns a page {items, total, page, size, pages}, all required"
                    + (f" (missing: {', '.join(missing)})" if missing else ""),
                )
            )
    return problems


def check_pagination_parameters(document: dict[str, Any]) -> list[Problem]:
    problems = []
    wanted = {"Page": ("page", 1, 10000, 1), "Size": ("size", 1, 100, 20)}
    defined = (document.get("components") or {}).get("parameters") or {}
    for component, (name, low, high, default) in wanted.items():
        if component not in defined:
            continue
        location = ("components", "parameters", component)
        param = resolve(document, defined[component], location).node
        schema = param.get("schema") or {} if isinstance(param, dict) else {}
        found = (
            param.get("name") if isinstance(param, dict) else None,
            param.get("in") if isinstance(param, dict) else None,
            schema.get("type"),
            schema.get("minimum"),
            schema.get("maximum"),
            schema.get("default"),
        )
        if found != (name, "query", "integer", low, high, default):
            problems.append(
                Problem(
                    location,
                    "pagination-parameters",
                    f"{component} is the query parameter `{name}`: an integer {low}..{high}, "
                    f"default {default}",
                )
            )
    return problems


UNAVAILABLE_REF = "#/components/responses/ServiceUnavailable"
# Strings a pattern must refuse: PostgreSQL text cannot hold U+0000 (SQLite can), so the contract
# refuses it wherever a client sends a string, and both databases answer the same 422.
NUL_PROBES = ("\x00", "a\x00", "\x00a", "a\x00b")


def check_unavailable(document: dict[str, Any]) -> list[Problem]:
    problems = []
    uses_shared = False
    for op in operations(document):
        if op.node.get("x-uses-database") is False:
            continue
        responses = op.node.get("responses") or {}
        if responses.get("503", responses.get(503)) == {"$ref": UNAVAILABLE_REF}:
            uses_shared = True
            continue
        problems.append(
            Problem(
                (*op.location, "responses"),
                "unavailable-503",
                f'it uses the database, so declare `"503": {{$ref: {UNAVAILABLE_REF!r}}}` '
                "(or mark the operation `x-uses-database: false`)",
            )
        )
    if uses_shared:
        location = ref_location(UNAVAILABLE_REF)
        response = lookup(document, location)
        headers = response.get("headers") if isinstance(response, dict) else None
        retry = resolve(document, (headers or {}).get("Retry-After"), (*location, "headers"))
        if not (isinstance(retry.node, dict) and retry.node.get("required") is True):
            problems.append(
                Problem(location, "unavailable-503", "declare a required Retry-After header")
            )
    return problems


def _refuses_nul(pattern: Any) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False  # openapi-valid reports it; here it proves nothing
    return not any(compiled.search(probe) for probe in NUL_PROBES)


def _input_strings(
    document: dict[str, Any], schema: Any, location: Location, seen: set[Location]
) -> Iterator[tuple[dict[str, Any], Location]]:
    """Every schema a request's value may be checked against, `$ref`s followed, once each."""
    resolved = resolve(document, schema, location)
    if not isinstance(resolved.node, dict) or resolved.location in seen:
        return
    seen.add(resolved.location)
    for node, where in subschemas(resolved.node, resolved.location):
        if "$ref" in node:
            yield from _input_strings(document, node, where, seen)
        else:
            yield node, where


def check_inputs_refuse_nul(document: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[Location] = set()
    roots: list[tuple[Any, Location]] = []
    for op in operations(document):
        for resolved, _ in parameters(document, op).values():
            if isinstance(resolved.node, dict) and "schema" in resolved.node:
                roots.append((resolved.node["schema"], (*resolved.location, "schema")))
        roots.extend((schema, where) for _, schema, where in request_schemas(document, op))
    for root, root_location in roots:
        for schema, location in _input_strings(document, root, root_location, seen):
            if "string" not in schema_types(schema) or "enum" in schema or "const" in schema:
                continue
            if schema.get("format") in BOUNDED_FORMATS or _refuses_nul(schema.get("pattern")):
                continue
            problems.append(
                Problem(
                    location,
                    "input-no-nul",
                    'a request string refuses U+0000: add `pattern: "^[^\\\\u0000]*$"` '
                    "(or a pattern of its own that cannot match it)",
                )
            )
    return sorted(set(problems))


# Examples


@dataclass(frozen=True)
class Holder:
    """Something that carries examples: a parameter, a media type, a header."""

    node: dict[str, Any]
    location: Location  # where it is defined (a component once, wherever it is used)
    what: str  # for the message: "parameter `page`", "the 201 body (application/json)"


def _holders(document: dict[str, Any]) -> Iterator[Holder]:
    """Every parameter, request and response media type and response header, once each."""
    seen: set[Location] = set()

    def once(node: Any, location: Location, what: str) -> Iterator[Holder]:
        if isinstance(node, dict) and location not in seen:
            seen.add(location)
            yield Holder(node, location, what)

    for op in operations(document):
        for (where, name), (resolved, _) in sorted(parameters(document, op).items()):
            yield from once(resolved.node, resolved.location, f"the {where} parameter `{name}`")
        body = request_body(document, op)
        content = body.node.get("content") if isinstance(body.node, dict) else None
        for media_type, media in (content or {}).items():
            location = (*body.location, "content", str(media_type))
            yield from once(media, location, f"the request body ({media_type})")
        for code, response in responses(document, op):
            for media_type, media in (response.node.get("content") or {}).items():
                location = (*response.location, "content", str(media_type))
                yield from once(media, location, f"the {code} body ({media_type})")
            for name, raw in (response.node.get("headers") or {}).items():
                header = resolve(document, raw, (*response.location, "headers", str(name)))
                yield from once(header.node, header.location, f"the {code} header {name}")


def example_values(
    document: dict[str, Any], node: dict[str, Any], location: Location
) -> Iterator[tuple[Any, Location]]:
    """Each example `node` gives, and where its value is written: `example`, then `examples`.

    An Example Object without an inline `value` (one with `externalValue`) gives none; a
    `$ref` to nothing gives None at the reference.
    """
    if "example" in node:
        yield node["example"], (*location, "example")
    examples = node.get("examples")
    for name, raw in examples.items() if isinstance(examples, dict) else ():
        resolved = resolve(document, raw, (*location, "examples", str(name)))
        if resolved.node is None:
            yield None, (*location, "examples", str(name))
        elif isinstance(resolved.node, dict) and "value" in resolved.node:
            yield resolved.node["value"], (*resolved.location, "value")


def check_examples_present(document: dict[str, Any]) -> list[Problem]:
    problems = []
    for holder in _holders(document):
        if "example" in holder.node or holder.node.get("examples"):
            continue
        problems.append(
            Problem(
                holder.location,
                "examples-present",
                f"give {holder.what} an `example` (or `examples`): the docs show it, mocks "
                "answer with it and Schemathesis sends it",
            )
        )
    return problems


SPEC_URI = "urn:openapi:document"


def _pointer(location: Location) -> str:
    """`location` as a JSON Pointer fragment, escaped (RFC 6901) and percent-encoded."""
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in location)
    return "#" + quote("".join("/" + part for part in escaped), safe="/~")


def check_examples_valid(document: dict[str, Any]) -> list[Problem]:
    """Each example against its holder's schema, in the document so that `$ref`s resolve."""
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, DRAFT202012.create_resource(document)
    )
    problems = []
    for holder in _holders(document):
        if "schema" not in holder.node:
            continue
        validator = Draft202012Validator(
            {"$ref": SPEC_URI + _pointer((*holder.location, "schema"))},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for value, where in example_values(document, holder.node, holder.location):
            if value is None and where[-2:-1] == ("examples",):
                problems.append(
                    Problem(where, "examples-valid", "the example's `$ref` points at nothing")
                )
                continue
            for error in validator.iter_errors(value):
                at = "".join(f"/{part}" for part in error.absolute_path) or "the value"
                problems.append(Problem(where, "examples-valid", f"{at}: {error.message}"))
    return sorted(set(problems))


HOUSE_RULES: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = (
    check_operation_basics,
    check_bounds,
    check_inputs_closed,
    check_problem_json,
    check_security,
    check_every_scheme,
    check_token_url,
    check_validation_statuses,
    check_creates,
    check_lists,
    check_pagination_parameters,
    check_unavailable,
    check_inputs_refuse_nul,
    check_examples_present,
    check_examples_valid,
)


def lint(document: dict[str, Any]) -> list[Problem]:
    """Every problem of `document`: OpenAPI validity first, the house rules on a valid one."""
    problems = check_openapi(document)
    if problems:
        return problems
    for check in HOUSE_RULES:
        problems.extend(check(document))
    return sorted(set(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.rules:
        width = max(map(len, RULES))
        for name, text in RULES.items():
            sys.stdout.write(f"{name:<{width}}  {text}\n")
        return 0
    try:
        document = load(args.spec)
        problems = lint(document)
    except SpecError as error:
        sys.stdout.write(f"{error}\n")
        return 1
    shown = args.spec.resolve()
    name = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        rules = sorted({p.rule for p in problems})
        sys.stdout.write(
            f"\n{name}: {len(problems)} problem(s), rules broken: {', '.join(rules)}. "
            "`--rules` lists what each rule asks.\n"
        )
        return 1
    count = sum(1 for _ in operations(document))
    sys.stdout.write(
        f"{name}: valid OpenAPI {document['openapi']}; all {len(RULES) - 3} house rules pass "
        f"on {count} operations.\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

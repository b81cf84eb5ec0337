"""fastapi-code-generator visitor: reads the raw spec into what our router templates need.

fastapi-code-generator parses operations itself, but it drops bearer security, form bodies,
`application/problem+json`, response headers and (with annotations) query constraints. So this
visitor walks `parser.raw_obj` (the spec as loaded) and hands the templates a complete, plain
description of every operation, and the operation index (`contract.api.OPERATIONS`) and the
spec as data (`contract.document`) that the service reads instead of the YAML. It runs inside the
generator's own environment (see `noxfile.py`): the standard library, PyYAML, and the project's
spec-walking module `openapi/tools/specdoc.py`, which build.py puts on that environment's path.
"""

import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specdoc import HTTP_METHODS, Location, resolve

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
IMPLEMENTATION_PACKAGE = "app"
# Operation extensions the service reads, each emitted as a typed field of the index.
SUPERUSER_ONLY = "x-superuser-only"
USES_DATABASE = "x-uses-database"

# JSON Schema keyword -> FastAPI `Query`/`Path`/`Header` keyword.
CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minItems": "min_length",
    "maxItems": "max_length",
}
PARAM_FUNCTIONS = {"query": "Query", "path": "Path", "header": "Header"}


class SpecError(Exception):
    """The spec uses something the templates cannot express; the message says what."""


def is_text(media_type: str) -> bool:
    """A `text/*` body (`text/plain; version=0.0.4`): bytes the service renders, no model."""
    return media_type.split(";", 1)[0].strip().lower().startswith("text/")


def _text_schema(spec: "Spec", schema: Any, where: str) -> None:
    """A text body's schema, when given, is a string: there is no model to validate it with."""
    if schema is not None and spec.resolve(schema).get("type") != "string":
        raise SpecError(f"{where}: a text body's schema is `type: string`")


def snake_case(name: str) -> str:
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.strip("_").lower()


def pascal_case(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake_case(name).split("_"))


@dataclass
class Param:
    name: str
    py_name: str
    location: str
    required: bool
    annotation: str
    default: str
    description: str

    @property
    def protocol_annotation(self) -> str:
        return self.annotation


@dataclass
class Header:
    name: str
    attr: str


def literal(value: Any, where: str) -> str:
    """`value` (JSON data from the spec) as a Python literal; anything else is a SpecError.

    YAML reads an unquoted `2024-01-01` as a date, which has no literal in plain data.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, where) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{literal(str(k), where)}: {literal(v, where)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise SpecError(f"{where}: {value!r} is not JSON data (quote it in the YAML)")


@dataclass
class IndexHeader:
    """A response header as `contract.api.HeaderInfo` holds it."""

    name: str
    required: bool
    schema: str  # a Python literal


@dataclass
class IndexResponse:
    """A response as `contract.api.ResponseInfo` holds it: bodies by media type, headers."""

    status: str
    content: str  # a Python literal: media type -> schema (None where the spec gives none)
    headers: list[IndexHeader]


@dataclass
class MockAnswer:
    """What the example implementation (`contract.mock`) answers: the contract's own examples."""

    body: str | None = None  # a Python literal: the JSON text of the body, or the text's bytes
    headers: list[tuple[str, str]] = field(default_factory=list)  # attr, a str literal
    missing: list[str] = field(default_factory=list)  # what has no example ("the 200 body")


@dataclass
class Operation:
    operation_id: str
    method_name: str
    http_method: str
    path: str
    tag: str
    summary: str
    params: list[Param]
    body_model: str | None
    body_kind: str | None
    body_non_nullable: list[str]
    body_content_types: list[str]
    success_status: int
    success_model: str | None
    success_text: str | None  # the media type of a text success body ("text/plain; ...")
    success_headers: list[Header]
    responses: list[tuple[int, str, str | None]]
    security: str
    security_schemes: list[str]
    index_responses: list[IndexResponse]
    superuser_only: bool
    uses_database: bool
    extensions: str  # a Python literal: every `x-` key of the operation
    mock: MockAnswer = field(default_factory=MockAnswer)
    result_type: str | None = None
    protocol_args: list[str] = field(default_factory=list)
    route_args: list[str] = field(default_factory=list)
    call_args: list[str] = field(default_factory=list)

    @property
    def return_annotation(self) -> str:
        if self.result_type:
            return self.result_type
        if self.success_text:
            return "bytes"  # the text as the service rendered it, sent as is
        return self.success_model or "None"


@dataclass
class Tag:
    name: str
    module: str
    protocol: str
    service_module: str
    service_class: str
    operations: list[Operation]

    @property
    def secured(self) -> bool:
        return any(op.security != "public" for op in self.operations)

    @property
    def needs_authenticate(self) -> bool:
        return any(op.security == "required" for op in self.operations)

    @property
    def needs_authenticate_optional(self) -> bool:
        return any(op.security == "optional" for op in self.operations)

    @property
    def protocol_ref(self) -> str:
        return f"{self.protocol}[P_contra]" if self.secured else self.protocol

    @property
    def protocol_bound(self) -> str:
        return f"{self.protocol}[P]" if self.secured else self.protocol


class Spec:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def resolve(self, node: Any, location: Location = ()) -> Any:
        resolved = resolve(self.raw, node, location)
        if resolved.node is None and resolved.ref is not None:
            raise SpecError(f"{resolved.ref}: the spec has nothing there")
        return resolved.node

    def nullable(self, schema: Any) -> bool:
        schema = self.resolve(schema)
        types = schema.get("type")
        if isinstance(types, list) and "null" in types:
            return True
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        return any(self.nullable(branch) for branch in branches)

    def optional_non_nullable(self, schema: Any) -> list[str]:
        """Properties a body may leave out but must not send as null.

        The generated models type these `T | None = None` (absent and null look alike to
        pydantic), so the route refuses an explicit null itself instead of letting it reach
        a NOT NULL column.
        """
        schema = self.resolve(schema)
        required = set(schema.get("required", []))
        return sorted(
            name
            for name, prop in schema.get("properties", {}).items()
            if name not in required and "default" not in prop and not self.nullable(prop)
        )

    def model_of(self, schema: Any, where: str) -> str:
        """The generated model for a body schema: bodies must reference a component schema."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not ref or not ref.startswith("#/components/schemas/"):
            raise SpecError(
                f"{where}: bodies must be a $ref to #/components/schemas/..., so that the "
                "model has a stable name"
            )
        return "models." + str(ref).rsplit("/", 1)[1]

    def annotation(self, schema: dict[str, Any], where: str) -> str:
        if "$ref" in schema:
            return "models." + str(schema["$ref"]).rsplit("/", 1)[1]
        types = schema.get("type")
        nullable = False
        if isinstance(types, list):
            nullable = "null" in types
            types = [t for t in types if t != "null"]
            if len(types) != 1:
                raise SpecError(f"{where}: parameters take a single type")
            types = types[0]
        if "enum" in schema:
            base = "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        elif "const" in schema:
            base = f"Literal[{schema['const']!r}]"
        elif types == "integer":
            base = "int"
        elif types == "number":
            base = "float"
        elif types == "boolean":
            base = "bool"
        elif types == "string":
            base = {"uuid": "UUID", "date-time": "datetime", "date": "date"}.get(
                schema.get("format", ""), "str"
            )
        elif types == "array":
            base = f"list[{self.annotation(self.resolve(schema.get('items', {})), where)}]"
        else:
            raise SpecError(f"{where}: unsupported parameter schema {schema!r}")
        return f"{base} | None" if nullable else base


def _constraint_kwargs(schema: dict[str, Any]) -> list[str]:
    return [f"{kw}={schema[key]!r}" for key, kw in CONSTRAINTS.items() if key in schema]


def _param(spec: Spec, raw: dict[str, Any], where: str) -> Param:
    raw = spec.resolve(raw)
    name, location = raw["name"], raw["in"]
    if location not in PARAM_FUNCTIONS:
        raise SpecError(f"{where}: parameters in {location!r} are not supported")
    py_name = snake_case(name)
    if keyword.iskeyword(py_name) or py_name in {"api", "principal", "body", "request"}:
        raise SpecError(f"{where}: parameter name {name!r} clashes with a generated name")
    schema = raw.get("schema", {})
    resolved = spec.resolve(schema)
    annotation = spec.annotation(schema, where)
    required = bool(raw.get("required", location == "path"))
    kwargs = _constraint_kwargs(resolved)
    if location == "header" or py_name != name:
        kwargs.insert(0, f"alias={name!r}")
    if raw.get("description"):
        kwargs.append(f"description={raw['description']!r}")
    if required:
        default = "..."
    elif "default" in resolved:
        default = repr(resolved["default"])
    else:
        default = "None"
        if not annotation.endswith("| None"):
            annotation += " | None"
    call = f"{PARAM_FUNCTIONS[location]}({', '.join([default, *kwargs])})"
    return Param(name, py_name, location, required, annotation, call, raw.get("description", ""))


def _presents_bearer(scheme: dict[str, Any]) -> bool:
    """Whether a client of `scheme` sends `Authorization: Bearer <token>`, all the service reads:
    HTTP bearer, or OAuth2 with the password flow alone (RFC 6750 bearer tokens)."""
    if scheme.get("type") == "http":
        return str(scheme.get("scheme", "")).lower() == "bearer"
    return scheme.get("type") == "oauth2" and set(scheme.get("flows") or {}) == {"password"}


def _security(spec: Spec, op: dict[str, Any]) -> tuple[str, list[str]]:
    """`public`, `optional` (`{}` among the requirements) or `required`, and the schemes named."""
    requirements = op.get("security", spec.raw.get("security", []))
    schemes = sorted({name for req in requirements for name in req})
    if not schemes:
        return "public", []
    for name in schemes:
        if not _presents_bearer(spec.resolve(spec.raw["components"]["securitySchemes"][name])):
            raise SpecError(
                f"security scheme {name!r}: only HTTP bearer and the OAuth2 password flow "
                "(whose tokens come as bearer tokens) are supported"
            )
    return ("optional" if {} in requirements else "required"), schemes


def _index_response(spec: Spec, status: str, response: dict[str, Any], where: str) -> IndexResponse:
    """What the service checks a response against: its bodies' schemas and its headers."""
    content = {
        media_type: (media or {}).get("schema")
        for media_type, media in sorted(response.get("content", {}).items())
    }
    headers = []
    for name, raw in sorted(response.get("headers", {}).items(), key=lambda kv: kv[0].lower()):
        header = spec.resolve(raw)
        schema = literal(header.get("schema", {}), f"{where} header {name}")
        headers.append(IndexHeader(name, bool(header.get("required", False)), schema))
    return IndexResponse(status, literal(content, where), headers)


def _example(spec: Spec, node: dict[str, Any]) -> tuple[bool, Any]:
    """(found, value): a media type's or header's `example`, else its first `examples` value."""
    if "example" in node:
        return True, node["example"]
    for raw in (node.get("examples") or {}).values():
        example = spec.resolve(raw)
        if isinstance(example, dict) and "value" in example:
            return True, example["value"]
    return False, None


def _mock_answer(
    spec: Spec, status: int, success: dict[str, Any], text: str | None, model: str | None
) -> MockAnswer:
    """The success `status` as the contract's examples give it (lint rule examples-present)."""
    answer = MockAnswer()
    content = success.get("content", {})
    if text is not None or model is not None:
        media_type = text or JSON
        found, value = _example(spec, content[media_type] or {})
        if not found:
            answer.missing.append(f"the {status} body ({media_type})")
        elif text is not None:
            answer.body = repr(str(value).encode())
        else:
            answer.body = repr(json.dumps(value, ensure_ascii=False))
    for name in sorted(success.get("headers", {}), key=str.lower):
        found, value = _example(spec, spec.resolve(success["headers"][name]))
        if found:
            answer.headers.append((snake_case(name), repr(str(value))))
        else:
            answer.missing.append(f"the {status} header {name}")
    return answer


def _operation(
    spec: Spec, path: str, method: str, op: dict[str, Any], shared: list[Any]
) -> Operation:
    where = f"{method.upper()} {path}"
    operation_id = op.get("operationId")
    if not operation_id:
        raise SpecError(f"{where}: every operation needs an operationId")
    tags = op.get("tags") or []
    if len(tags) != 1:
        raise SpecError(f"{where}: every operation needs exactly one tag")
    params_by_key: dict[tuple[str, str], Any] = {}
    for raw in [*shared, *op.get("parameters", [])]:
        resolved = spec.resolve(raw)
        params_by_key[(resolved["name"], resolved["in"])] = raw
    order = {"path": 0, "query": 1, "header": 2}
    params = sorted(
        (_param(spec, raw, where) for raw in params_by_key.values()),
        key=lambda p: order[p.location],
    )

    body_model = body_kind = None
    body_content_types: list[str] = []
    body_non_nullable: list[str] = []
    if "requestBody" in op:
        body = spec.resolve(op["requestBody"])
        content = body.get("content", {})
        body_content_types = sorted(content)
        if body_content_types == [JSON]:
            body_kind = "json"
        elif body_content_types == [FORM]:
            body_kind = "form"
        else:
            raise SpecError(f"{where}: a body is either {JSON} or {FORM}, not {body_content_types}")
        if not body.get("required", False):
            raise SpecError(f"{where}: request bodies must be required")
        body_schema = content[body_content_types[0]].get("schema")
        body_model = spec.model_of(body_schema, where)
        body_non_nullable = spec.optional_non_nullable(body_schema)

    successes: list[tuple[int, dict[str, Any]]] = []
    responses: list[tuple[int, str, str | None]] = []
    index_responses: list[IndexResponse] = []
    for code, raw_response in sorted(op.get("responses", {}).items(), key=lambda kv: str(kv[0])):
        if not str(code).isdigit():
            raise SpecError(f"{where}: response {code!r}: declare explicit status codes")
        status = int(code)
        response = spec.resolve(raw_response)
        content = response.get("content", {})
        index_responses.append(_index_response(spec, str(code), response, f"{where} {status}"))
        if 200 <= status < 300:
            successes.append((status, response))
        for content_type, media in sorted(content.items()):
            schema = media.get("schema")
            if is_text(content_type):
                _text_schema(spec, schema, f"{where} {status} {content_type}")
                model = None
            else:
                model = spec.model_of(schema, f"{where} {status}") if schema else None
            responses.append((status, content_type, model))
        if not content:
            responses.append((status, "", None))
    if len(successes) != 1:
        raise SpecError(f"{where}: declare exactly one 2xx response")
    success_status, success = successes[0]
    success_content = success.get("content", {})
    success_text = None
    if len(success_content) == 1 and is_text(next(iter(success_content))):
        success_text = next(iter(success_content))
    elif success_content and list(success_content) != [JSON]:
        raise SpecError(f"{where}: a success body is {JSON}, or one text/* media type")
    success_model = (
        spec.model_of(success_content[JSON].get("schema"), f"{where} {success_status}")
        if success_content and success_text is None
        else None
    )
    success_headers = [
        Header(name, snake_case(name)) for name in sorted(success.get("headers", {}), key=str.lower)
    ]
    if success_text and success_headers:
        raise SpecError(f"{where}: a text success declares no headers (the templates have none)")
    security, schemes = _security(spec, op)
    extensions = {key: value for key, value in op.items() if key.startswith("x-")}
    result = Operation(
        operation_id=operation_id,
        method_name=snake_case(operation_id),
        http_method=method,
        path=path,
        tag=tags[0],
        summary=op.get("summary", ""),
        params=params,
        body_model=body_model,
        body_kind=body_kind,
        body_non_nullable=body_non_nullable,
        body_content_types=body_content_types,
        success_status=success_status,
        success_model=success_model,
        success_text=success_text,
        success_headers=success_headers,
        responses=responses,
        security=security,
        security_schemes=schemes,
        index_responses=index_responses,
        superuser_only=op.get(SUPERUSER_ONLY) is True,
        uses_database=op.get(USES_DATABASE) is not False,
        extensions=literal(extensions, where),
    )
    result.mock = _mock_answer(spec, success_status, success, success_text, success_model)
    if success_headers:
        result.result_type = pascal_case(operation_id) + "Result"
    _signatures(result)
    return result


def _signatures(op: Operation) -> None:
    """The Protocol method's keyword arguments, the route's parameters and the call between."""
    for p in op.params:
        op.protocol_args.append(f"{p.py_name}: {p.annotation}")
        op.route_args.append(f"{p.py_name}: {p.annotation} = {p.default}")
        op.call_args.append(f"{p.py_name}={p.py_name}")
    if op.body_model:
        op.protocol_args.append(f"body: {op.body_model}")
        marker = "Form()" if op.body_kind == "form" else "Body()"
        op.route_args.append(f"body: {op.body_model} = {marker}")
        op.call_args.append("body=body")
    if op.security == "required":
        op.protocol_args.append("principal: P_contra")
        op.route_args.append("principal: P = Depends(authenticate)")
        op.call_args.append("principal=principal")
    elif op.security == "optional":
        op.protocol_args.append("principal: P_contra | None")
        op.route_args.append("principal: P | None = Depends(authenticate_optional)")
        op.call_args.append("principal=principal")


def read_tags(raw: dict[str, Any]) -> list[Tag]:
    spec = Spec(raw)
    operations: list[Operation] = []
    for path, item in raw.get("paths", {}).items():
        item = spec.resolve(item, ("paths", path))
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method in item:
                operations.append(_operation(spec, path, method, item[method], shared))
    seen: dict[str, str] = {}
    for op in operations:
        key = f"{op.http_method.upper()} {op.path}"
        if op.method_name in seen:
            raise SpecError(
                f"{key}: operationId {op.operation_id!r} clashes with {seen[op.method_name]}"
            )
        seen[op.method_name] = key
    tags: dict[str, Tag] = {}
    for op in operations:
        module = snake_case(op.tag)
        if module not in tags:
            tags[module] = Tag(
                name=op.tag,
                module=module,
                protocol=pascal_case(op.tag) + "Api",
                service_module=f"{IMPLEMENTATION_PACKAGE}.{module}.service",
                service_class=pascal_case(op.tag) + "Service",
                operations=[],
            )
        tags[module].operations.append(op)
    return [tags[name] for name in sorted(tags)]


def visit(parser: Any, model_path: Path) -> dict[str, object]:
    raw = parser.raw_obj
    tags = read_tags(raw)
    return {
        "contract_tags": tags,
        "contract_tags_by_name": {tag.name: tag for tag in tags},
        "contract_title": raw.get("info", {}).get("title", ""),
        "contract_version": str(raw.get("info", {}).get("version", "")),
        "contract_document": literal(raw, "(document)"),
    }

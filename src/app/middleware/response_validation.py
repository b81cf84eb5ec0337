"""Development check: every response of a contract operation must be one the contract allows.

On with `APP_VALIDATE_RESPONSES=true` (the tests turn it on). For a request that an operation of
the spec serves, the response must have a status the operation declares, a content type that
status declares (type and subtype, and any parameter the contract names with it, such as the
`version` of the Prometheus text format; or no body where it declares none), every header it
declares as required, and a body valid against its JSON Schema. A response that breaks any of
these is logged as an error naming the operation, the status and each violation, and replaced by
a 500 problem, so that the test that caused it fails instead of passing on a response no client
was promised. What the contract declares comes from the operation index
(`contract.api.OPERATIONS`); jsonschema follows its `$ref`s into `contract.document.SCHEMAS`.

Objects are checked closed: a response may not carry a key its schema does not name, even where
the spec leaves `additionalProperties` unset (JSON Schema's default lets anything through, and a
leaked `hashed_password` must not). Every object schema that states neither
`additionalProperties` nor `unevaluatedProperties` gets `unevaluatedProperties: false`; the
members of `allOf`/`anyOf`/`oneOf` stay open and are closed by their parent, whose
`unevaluatedProperties` sees the properties each member names (so a `ValidationProblem`, a
`Problem` plus `errors`, passes). A schema that wants extra keys (a Problem with extension
members, say) says so with `additionalProperties: true` or a schema, and that is honoured.

Requests no operation serves (`/docs`, `/openapi.json`, unknown paths, methods a path does not
have) pass untouched, except that a problem+json body must still be a problem of a kind the
contract uses (`Problem`, `ValidationProblem`) whose `status` is the response's. Bodies are
buffered to be checked: a development tool, not for production (it costs a JSON parse and a
schema walk per response).
"""

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.contract_paths import ContractPaths
from app.problems import PROBLEM_JSON, problem, request_id
from contract.api import OPERATIONS, OperationInfo
from contract.document import SCHEMAS

log = logging.getLogger("app.contract")

SPEC_URI = "urn:app:contract"
CHECK_URI = "urn:app:response-check"
SCHEMA_REF = "#/components/schemas/"
# Keywords whose subschemas describe the same instance: their parent closes them.
IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
IN_PLACE = ("if", "then", "else")
# Keywords whose subschemas describe a child of the instance: closed in their own right.
CHILD_MAPS = ("properties", "patternProperties")
CHILD = ("items", "contains", "additionalProperties", "unevaluatedProperties", "propertyNames")
OPEN_KEYWORDS = frozenset({"additionalProperties", "unevaluatedProperties"})
MAX_REPORTED = 5
MAX_MESSAGE = 300
# jsonschema's messages for these name keys only; every other message quotes the value.
KEYS_ONLY = frozenset({"required", "additionalProperties", "unevaluatedProperties"})


def _rewrite_ref(ref: str, *, open_: bool) -> str:
    if ref.startswith(SCHEMA_REF):
        name = ref[len(SCHEMA_REF) :]
        return f"{CHECK_URI}#/{'open' if open_ else 'closed'}/{name}"
    if ref.startswith("#"):
        return SPEC_URI + ref
    return ref


def _is_object_schema(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "object" in kinds or "properties" in node or any(k in node for k in IN_PLACE_LISTS)


def closed(node: Any, *, open_: bool = False) -> Any:
    """A copy of a schema with its object schemas closed (see the module docstring).

    `open_` leaves the top object open, for a member of `allOf` whose parent closes it.
    """
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = _rewrite_ref(value, open_=open_)
        elif key in IN_PLACE_LISTS:
            out[key] = [closed(member, open_=True) for member in value]
        elif key in IN_PLACE:
            out[key] = closed(value, open_=True)
        elif key in CHILD_MAPS:
            out[key] = {name: closed(schema) for name, schema in value.items()}
        elif key == "prefixItems":
            out[key] = [closed(schema) for schema in value]
        elif key in CHILD:
            out[key] = closed(value)
        elif key == "not":
            out[key] = _as_written(value)  # closing anything inside `not` would loosen it
        else:
            out[key] = value  # enum, const, examples, ...: data, not schemas
    if not open_ and _is_object_schema(node) and not OPEN_KEYWORDS & node.keys():
        out["unevaluatedProperties"] = False
    return out


def _as_written(node: Any) -> Any:
    """A schema as the spec writes it, its local references pointing into the spec itself."""
    if isinstance(node, Mapping):
        return {
            key: SPEC_URI + value
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _as_written(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_as_written(value) for value in node]
    return node


def _problem_schemas(operations: Iterable[OperationInfo]) -> list[Any]:
    """Each distinct problem+json body schema the operations declare, in the index's order."""
    found: list[Any] = []
    for operation in operations:
        for response in operation.responses:
            schema = response.content.get(PROBLEM_JSON)
            if schema is not None and schema not in found:
                found.append(schema)
    return found


def _json_media_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def media_type_parts(value: str) -> tuple[str, dict[str, str]]:
    """`text/plain; version=0.0.4; charset=utf-8` -> ("text/plain", {"version": "0.0.4", ...}).

    Type, subtype and parameter names are case-insensitive (RFC 9110 8.3.1); values are kept.
    """
    base, *parameters = value.split(";")
    found = {}
    for parameter in parameters:
        name, _, given = parameter.partition("=")
        found[name.strip().lower()] = given.strip().strip('"')
    return base.strip().lower(), found


@dataclass(frozen=True, slots=True)
class DeclaredResponse:
    """One response of one operation: what its content and headers must be."""

    content: dict[str, Draft202012Validator | None]  # media type -> body schema (None: any)
    headers: dict[str, tuple[bool, Draft202012Validator]]  # lower-case name -> (required, ...)
    # Media type -> the parameters the contract names with it (`version` of the Prometheus text
    # format): a response must carry each with that value; others (a charset) are its own.
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OperationResponses:
    operation_id: str
    method: str
    responses: dict[str, DeclaredResponse] = field(default_factory=dict)

    def declared(self, status: int) -> DeclaredResponse | None:
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None


class ResponseContract:
    """The operation index's responses compiled into validators once, when the app is built.

    `schemas` are the component schemas the index's `#/components/schemas/...` refer to.
    """

    def __init__(
        self,
        operations: Iterable[OperationInfo] = OPERATIONS,
        schemas: Mapping[str, Any] = SCHEMAS,
    ) -> None:
        operations = list(operations)
        # Where the references `not` keeps as written (urn:app:contract#/components/...) land.
        spec = {"components": {"schemas": schemas}}
        check_document = {
            "closed": {name: closed(schema) for name, schema in schemas.items()},
            "open": {name: closed(schema, open_=True) for name, schema in schemas.items()},
        }
        self._registry: Registry[Any] = Registry().with_resources(
            [
                (SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)),
                (
                    CHECK_URI,
                    Resource.from_contents(check_document, default_specification=DRAFT202012),
                ),
            ]
        )
        self.operations = {op.operation_id: self._operation(op) for op in operations}
        self.paths = ContractPaths(operations)  # which operation a request is for
        # Outside the operations, a problem may be any kind the contract uses for one.
        self.problems = [self._validator(schema) for schema in _problem_schemas(operations)]

    def _validator(self, schema: Any) -> Draft202012Validator:
        return Draft202012Validator(
            closed(schema),
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def _operation(self, operation: OperationInfo) -> OperationResponses:
        compiled = OperationResponses(operation.operation_id, operation.method)
        for response in operation.responses:
            content: dict[str, Draft202012Validator | None] = {}
            parameters: dict[str, dict[str, str]] = {}
            for declared_type, schema in response.content.items():
                media_type, parameters[media_type] = media_type_parts(declared_type)
                content[media_type] = None if schema is None else self._validator(schema)
            headers = {
                header.name.lower(): (header.required, self._validator(header.schema))
                for header in response.headers
                if header.name.lower() != "content-type"  # OpenAPI: ignored when declared
            }
            key = response.status
            key = key.upper() if key[:1].isdigit() else key  # "4xx" -> "4XX"; "default" stays
            compiled.responses[key] = DeclaredResponse(content, headers, parameters)
        return compiled

    def violations(
        self, operation_id: str | None, status: int, headers: Headers, body: bytes
    ) -> list[str]:
        """What is wrong with a response; `operation_id` None for requests outside the spec."""
        media_type, given = media_type_parts(headers.get("content-type", ""))
        if operation_id is None:
            if media_type != PROBLEM_JSON or not self.problems:
                return []
            kinds = [self._body_violations(v, body, status, media_type) for v in self.problems]
            return min(kinds, key=len)  # valid as some kind, or wrong as the closest
        operation = self.operations[operation_id]
        declared = operation.declared(status)
        if declared is None:
            return [f"status {status} is not declared"]
        found = [
            f"header {name} is required but missing"
            for name, (required, _) in declared.headers.items()
            if required and name not in headers
        ]
        for name, (_, validator) in declared.headers.items():
            if name in headers:
                wrong = _header_violations(validator, headers[name])
                found += [f"header {name}: {message}" for message in wrong]
        if not declared.content:
            if body:
                found.append(f"a body ({media_type or 'no content type'}) where none is declared")
            return found
        if media_type not in declared.content:
            allowed = ", ".join(sorted(declared.content))
            return [*found, f"content type {media_type or '(none)'} is not one of {allowed}"]
        found += [
            f"content type {media_type} without its {name}={wanted}"
            for name, wanted in declared.parameters.get(media_type, {}).items()
            if given.get(name) != wanted
        ]
        schema = declared.content[media_type]
        if schema is not None:
            found += self._body_violations(schema, body, status, media_type)
        return found

    @staticmethod
    def _body_violations(
        validator: Draft202012Validator, body: bytes, status: int, media_type: str
    ) -> list[str]:
        if not _json_media_type(media_type):
            return []
        try:
            document = json.loads(body)
        except ValueError:
            return [f"the body ({len(body)} bytes) is not JSON"]
        found = [
            f"body at {error.json_path}: {_violation(error)}"
            for error in sorted(validator.iter_errors(document), key=lambda e: e.json_path)
        ]
        if (
            media_type == PROBLEM_JSON
            and isinstance(document, dict)
            and document.get("status") != status
        ):
            given = document.get("status")
            shown = given if isinstance(given, int) else "(not an integer)"
            found.append(f"the problem's status {shown} is not {status}")
        return found


def _header_violations(validator: Draft202012Validator, value: str) -> list[str]:
    """A header is text: check it as an integer where its schema says so, else as a string."""
    schema = validator.schema if isinstance(validator.schema, Mapping) else {}
    instance: Any = value
    if schema.get("type") == "integer":
        try:
            instance = int(value)
        except ValueError:
            return ["not an integer"]
    return [_violation(error) for error in validator.iter_errors(instance)]


def _violation(error: ValidationError) -> str:
    """What is wrong, in the schema's words, never quoting the value: the log must not carry
    what a broken response would have leaked (an email, a hash). Messages about keys (a key
    missing or unexpected) name only keys, and are kept."""
    if error.validator in KEYS_ONLY:
        return str(error.message)[:MAX_MESSAGE]
    found = type(error.instance).__name__
    wanted = json.dumps(error.validator_value, default=str)[:MAX_MESSAGE]
    return f"{found} value fails {error.validator}: {wanted}"


class ResponseValidationMiddleware:
    def __init__(self, app: ASGIApp, *, contract: ResponseContract) -> None:
        self.app = app
        self.contract = contract

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        operation = self.contract.paths.operation(scope["method"], scope["path"])
        operation_id = None if operation is None else operation.operation_id
        start: Message | None = None
        passing = False  # nothing to check: forward as it comes
        finished = False
        chunks: list[bytes] = []

        async def checked_send(message: Message) -> None:
            nonlocal start, passing, finished
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                media_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if operation_id is None and not media_type.startswith(PROBLEM_JSON):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished = True
                await self._finish(scope, receive, send, operation_id, start, b"".join(chunks))

        await self.app(scope, receive, checked_send)
        if start is not None and not finished:  # the app ended without its final body part
            await self._finish(scope, receive, send, operation_id, start, b"".join(chunks))

    async def _finish(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        operation_id: str | None,
        start: Message,
        body: bytes,
    ) -> None:
        status = int(start["status"])
        headers = Headers(raw=start.get("headers", []))
        found = self.contract.violations(operation_id, status, headers, body)
        if not found:
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        rid = request_id(scope)
        what = operation_id or f"{scope.get('method')} {scope.get('path')}"
        shown = found[:MAX_REPORTED] + (
            [f"... and {len(found) - MAX_REPORTED} more"] if len(found) > MAX_REPORTED else []
        )
        log.error(
            "response breaks the contract: %s answered %s (request_id=%s):\n- %s",
            what,
            status,
            rid,
            "\n- ".join(shown),
            extra={
                "request_id": rid,
                "operation_id": operation_id,
                "status": status,
                "violations": found,
            },
        )
        detail = (
            f"The service answered {what} with a {status} response the contract does not allow; "
            f"the log names each violation. Quote request id {rid} when reporting it."
        )
        await problem(scope, 500, detail)(scope, receive, send)

"""The response check behind APP_VALIDATE_RESPONSES, on a small contract made for it.

`ResponseContract.violations` is a pure function of the operation index and a response; the
middleware around it is tested at the end with a bare FastAPI app, and through `create_app` in
tests/api/test_response_validation.py.
"""

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from starlette.datastructures import Headers
from starlette.responses import Response

from app.middleware.response_validation import (
    ResponseContract,
    ResponseValidationMiddleware,
    closed,
)
from contract.api import HeaderInfo, OperationInfo, ResponseInfo

JSON = "application/json"
PROBLEM = "application/problem+json"
EXPOSITION = "text/plain; version=0.0.4"  # a text body whose media type names a parameter

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
    },
}


def schema_ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def problem_response(status: str, schema: str, *headers: HeaderInfo) -> ResponseInfo:
    return ResponseInfo(status, {PROBLEM: schema_ref(schema)}, headers)


def operation(operation_id: str, method: str, path: str, *responses: ResponseInfo) -> OperationInfo:
    """An entry of the operation index, as the generator would write it for these responses."""
    return OperationInfo(
        operation_id,
        method,
        path,
        "things",
        operation_id,
        "contract.routers.things.ThingsApi",
        "app.things.service",
        "ThingsService",
        security="public",
        security_schemes=(),
        request_media_types=(),
        responses=responses,
        superuser_only=False,
        uses_database=True,
        extensions={},
    )


# The small contract, as its operation index: `#/components/schemas/...` stay references, for
# jsonschema to follow into SCHEMAS; the headers appear resolved, as the generator writes them.
OPERATIONS = (
    operation(
        "createThing",
        "POST",
        "/things",
        ResponseInfo(
            "201",
            {JSON: schema_ref("Thing")},
            (
                HeaderInfo("Location", True, {"type": "string", "maxLength": 30}),
                HeaderInfo("ETag", False, {"type": "string", "maxLength": 5}),
            ),
        ),
        ResponseInfo("204", {}, ()),
        problem_response("422", "ValidationProblem"),
        problem_response(
            "429", "Problem", HeaderInfo("Retry-After", True, {"type": "integer", "minimum": 0})
        ),
        problem_response("4XX", "Problem"),
    ),
    operation(
        "getOpen",
        "GET",
        "/open",
        ResponseInfo("200", {JSON: schema_ref("Open")}, ()),
        problem_response("default", "Problem"),
    ),
    operation(
        "getMetrics",
        "GET",
        "/metrics",
        ResponseInfo("200", {EXPOSITION: {"type": "string", "maxLength": 100}}, ()),
    ),
)
SCHEMAS: dict[str, Any] = {
    "Tag": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}},
    },
    "Thing": {
        "type": "object",
        "required": ["id", "tags"],
        "properties": {
            "id": {"type": "string"},
            "tags": {"type": "array", "items": schema_ref("Tag")},
            "note": {"type": ["string", "null"]},
        },
    },
    "Open": {
        "type": "object",
        "additionalProperties": True,  # says so: extra keys are allowed
        "properties": {"a": {"type": "string"}},
    },
    "Problem": PROBLEM_SCHEMA,
    "ValidationProblem": {
        "allOf": [
            schema_ref("Problem"),
            {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": schema_ref("Tag")}},
            },
        ]
    },
}

THING = {"id": "t1", "tags": [{"name": "red"}], "note": None}
LOCATED = {"content-type": JSON, "location": "/things/t1"}
NOT_FOUND = {"type": "about:blank", "title": "Not Found", "status": 404}
SECRETS = "victim@example.com $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
INVALID = {"type": "about:blank", "title": "Unprocessable", "status": 422, "errors": []}


@pytest.fixture(scope="module")
def contract() -> ResponseContract:
    return ResponseContract(OPERATIONS, SCHEMAS)


def check(
    contract: ResponseContract,
    operation_id: str | None,
    status: int,
    headers: dict[str, str],
    body: Any = None,
) -> list[str]:
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return contract.violations(operation_id, status, Headers(headers), raw)


ALLOWED = [
    ("created", "createThing", 201, LOCATED, THING),
    ("created-with-etag", "createThing", 201, {**LOCATED, "etag": '"1"'}, THING),
    (
        "content-type-parameters",
        "createThing",
        201,
        {**LOCATED, "content-type": f"{JSON}; charset=utf-8"},
        THING,
    ),
    ("no-content", "createThing", 204, {}, None),
    ("status-range", "createThing", 404, {"content-type": PROBLEM}, NOT_FOUND),
    ("allOf-closed-by-its-parent", "createThing", 422, {"content-type": PROBLEM}, INVALID),
    (
        "rate-limited",
        "createThing",
        429,
        {"content-type": PROBLEM, "retry-after": "3"},
        {**NOT_FOUND, "status": 429},
    ),
    ("open-schema-keeps-extras", "getOpen", 200, {"content-type": JSON}, {"a": "x", "b": 1}),
    ("default", "getOpen", 503, {"content-type": PROBLEM}, {**NOT_FOUND, "status": 503}),
    (
        "text-with-the-declared-parameter",
        "getMetrics",
        200,
        {"content-type": "text/plain; version=0.0.4; charset=utf-8"},
        b"# TYPE x counter\nx_total 1.0\n",
    ),
    (
        "media-type-names-and-parameter-names-ignore-case",
        "getMetrics",
        200,
        {"content-type": 'Text/Plain; Charset=utf-8; VERSION="0.0.4"'},
        b"x_total 1.0\n",
    ),
    ("outside-the-spec-any-json", None, 200, {"content-type": JSON}, {"anything": True}),
    ("outside-the-spec-html", None, 200, {"content-type": "text/html"}, b"<html>"),
    ("outside-the-spec-problem", None, 404, {"content-type": PROBLEM}, NOT_FOUND),
    ("outside-the-spec-validation-problem", None, 422, {"content-type": PROBLEM}, INVALID),
]


@pytest.mark.parametrize(
    ("operation_id", "status", "headers", "body"),
    [pytest.param(*case[1:], id=case[0]) for case in ALLOWED],
)
def test_responses_the_contract_allows_pass(
    contract: ResponseContract,
    operation_id: str | None,
    status: int,
    headers: dict[str, str],
    body: Any,
) -> None:
    assert check(contract, operation_id, status, headers, body) == []


REFUSED = [
    (
        "undeclared-status",
        "createThing",
        500,
        {"content-type": PROBLEM},
        {**NOT_FOUND, "status": 500},
        "status 500 is not declared",
    ),
    (
        "extra-key",
        "createThing",
        201,
        LOCATED,
        {**THING, "secret": "x"},
        "('secret' was unexpected)",
    ),
    (
        "extra-key-nested",
        "createThing",
        201,
        LOCATED,
        {**THING, "tags": [{"name": "a", "hash": "x"}]},
        "body at $.tags[0]: Unevaluated properties are not allowed ('hash'",
    ),
    ("missing-field", "createThing", 201, LOCATED, {"id": "t1"}, "'tags' is a required property"),
    (
        "wrong-type",
        "createThing",
        201,
        LOCATED,
        {**THING, "id": 1},
        'body at $.id: int value fails type: "string"',
    ),
    (
        "missing-header",
        "createThing",
        201,
        {"content-type": JSON},
        THING,
        "header location is required but missing",
    ),
    (
        "header-breaks-its-schema",
        "createThing",
        201,
        {**LOCATED, "etag": '"123456"'},
        THING,
        "header etag: ",
    ),
    (
        "header-not-an-integer",
        "createThing",
        429,
        {"content-type": PROBLEM, "retry-after": "soon"},
        {**NOT_FOUND, "status": 429},
        "header retry-after: not an integer",
    ),
    (
        "header-below-minimum",
        "createThing",
        429,
        {"content-type": PROBLEM, "retry-after": "-1"},
        {**NOT_FOUND, "status": 429},
        "header retry-after: int value fails minimum: 0",
    ),
    (
        "undeclared-content-type",
        "createThing",
        201,
        {**LOCATED, "content-type": "text/plain"},
        b"t1",
        "content type text/plain is not one of application/json",
    ),
    (
        "no-content-type",
        "createThing",
        201,
        {"location": "/x"},
        THING,
        "content type (none) is not one of application/json",
    ),
    ("not-json", "createThing", 201, LOCATED, b"{not json", "the body (9 bytes) is not JSON"),
    (
        "text-without-the-declared-parameter",
        "getMetrics",
        200,
        {"content-type": "text/plain; charset=utf-8"},
        b"x_total 1.0\n",
        "content type text/plain without its version=0.0.4",
    ),
    (
        "text-with-another-value-of-the-parameter",
        "getMetrics",
        200,
        {"content-type": "text/plain; version=1.0.0; charset=utf-8"},
        b"x_total 1.0\n",
        "content type text/plain without its version=0.0.4",
    ),
    (
        "json-where-text-is-declared",
        "getMetrics",
        200,
        {"content-type": JSON},
        {"x": 1},
        "content type application/json is not one of text/plain",
    ),
    (
        "body-where-none-is-declared",
        "createThing",
        204,
        {"content-type": JSON},
        THING,
        "a body (application/json) where none is declared",
    ),
    (
        "problem-extension-member",
        "createThing",
        404,
        {"content-type": PROBLEM},
        {**NOT_FOUND, "trace": "x"},
        "('trace' was unexpected)",
    ),
    (
        "problem-status-differs",
        "createThing",
        404,
        {"content-type": PROBLEM},
        {**NOT_FOUND, "status": 400},
        "the problem's status 400 is not 404",
    ),
    (
        "validation-problem-extra",
        "createThing",
        422,
        {"content-type": PROBLEM},
        {**INVALID, "x": 1},
        "('x' was unexpected)",
    ),
    (
        "outside-the-spec-bad-problem",
        None,
        404,
        {"content-type": PROBLEM},
        {"title": "Not Found", "status": 404},
        "'type' is a required property",
    ),
]


@pytest.mark.parametrize(
    ("operation_id", "status", "headers", "body", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSED],
)
def test_responses_the_contract_does_not_allow_are_named(
    contract: ResponseContract,
    operation_id: str | None,
    status: int,
    headers: dict[str, str],
    body: Any,
    expected: str,
) -> None:
    found = check(contract, operation_id, status, headers, body)
    assert len(found) == 1, found
    assert expected in found[0], found


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({**THING, "id": [SECRETS]}, id="wrong-type"),
        pytest.param({**THING, "note": {"hash": SECRETS}}, id="object-for-a-string"),
        pytest.param({**THING, "tags": [SECRETS]}, id="wrong-item"),
        pytest.param(SECRETS.encode(), id="not-json"),
    ],
)
def test_a_violation_never_quotes_the_value_it_is_about(
    contract: ResponseContract, body: Any
) -> None:
    """The log of a broken response must not carry what it would have leaked (issue 12):
    the schema's words and the type found, not the value. (Keys are named: they are ours.)"""
    found = check(contract, "createThing", 201, LOCATED, body)
    assert len(found) == 1, found
    assert "victim" not in found[0], found
    assert "argon2" not in found[0], found


def test_a_header_that_breaks_its_schema_is_not_quoted(contract: ResponseContract) -> None:
    headers = {"content-type": PROBLEM, "retry-after": SECRETS}
    found = check(contract, "createThing", 429, headers, {**NOT_FOUND, "status": 429})
    assert found == ["header retry-after: not an integer"]


def test_closing_leaves_stated_openness_and_in_place_members_alone() -> None:
    schema = {
        "type": "object",
        "properties": {
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "child": {"type": "object", "properties": {"x": {"type": "integer"}}},
        },
        "allOf": [{"type": "object", "properties": {"y": {}}}],
        "not": {"type": "object", "properties": {"z": {"type": "object"}}},
        "enum": [{"type": "object"}],  # data, not a schema: untouched
    }
    assert closed(schema) == {
        "type": "object",
        "properties": {
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "child": {
                "type": "object",
                "properties": {"x": {"type": "integer"}},
                "unevaluatedProperties": False,
            },
        },
        "allOf": [{"type": "object", "properties": {"y": {}}}],
        "not": {"type": "object", "properties": {"z": {"type": "object"}}},
        "enum": [{"type": "object"}],
        "unevaluatedProperties": False,
    }


def test_references_to_component_schemas_point_at_their_closed_or_open_copy() -> None:
    ref = {"$ref": "#/components/schemas/Tag"}
    assert closed(ref) == {"$ref": "urn:app:response-check#/closed/Tag"}
    assert closed({"allOf": [ref]})["allOf"] == [{"$ref": "urn:app:response-check#/open/Tag"}]
    assert closed({"$ref": "#/components/headers/Location"}) == {
        "$ref": "urn:app:contract#/components/headers/Location"
    }


# The middleware, around a bare app serving the small contract


def served(answer: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.post("/things", operation_id="createThing")
    async def create_thing() -> Response:
        if answer.get("stream"):

            async def parts() -> AsyncIterator[bytes]:
                text = json.dumps(answer["body"]).encode()
                for start in range(0, len(text), 7):
                    yield text[start : start + 7]

            return StreamingResponse(
                parts(), status_code=answer["status"], media_type=JSON, headers=answer["headers"]
            )
        return Response(json.dumps(answer["body"]), answer["status"], answer["headers"], JSON)

    @app.get("/elsewhere")
    async def elsewhere() -> Response:
        return Response(json.dumps({"not": "checked"}), 200, media_type=JSON)

    return app


async def ask(
    answer: dict[str, Any], method: str = "POST", path: str = "/things"
) -> httpx.Response:
    app = served(answer)
    checked = ResponseValidationMiddleware(app, contract=ResponseContract(OPERATIONS, SCHEMAS))
    transport = httpx.ASGITransport(app=checked)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_an_allowed_response_passes_unchanged(stream: bool) -> None:
    answer = {
        "status": 201,
        "headers": {"Location": "/things/t1", "X-Other": "kept"},
        "body": THING,
        "stream": stream,
    }
    response = await ask(answer)
    assert response.status_code == 201
    assert response.json() == THING
    assert response.headers["x-other"] == "kept"


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_a_response_the_contract_does_not_allow_becomes_a_logged_500(
    stream: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="app.contract")
    answer = {
        "status": 201,
        "headers": {"Location": "/things/t1"},
        "body": {**THING, "hashed_password": "x"},
        "stream": stream,
    }
    response = await ask(answer)
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 500
    assert "createThing" in body["detail"]
    assert "hashed_password" not in response.text  # the violation is in the log, not the body
    [record] = [r for r in caplog.records if r.name == "app.contract"]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "createThing answered 201" in message
    assert "('hashed_password' was unexpected)" in message
    assert record.__dict__["operation_id"] == "createThing"
    assert record.__dict__["status"] == 201


@pytest.mark.anyio
async def test_requests_outside_the_spec_pass_untouched() -> None:
    assert (await ask({}, "GET", "/elsewhere")).json() == {"not": "checked"}
    response = await ask({}, "GET", "/no/such/path")
    assert response.status_code == 404  # FastAPI's own body: JSON, not a problem
    assert response.json() == {"detail": "Not Found"}
    assert (await ask({}, "GET", "/things")).status_code == 405

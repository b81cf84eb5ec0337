"""A small spec that keeps every house rule, for the spec tools' tests to break one at a time.

`widgets()` returns a fresh copy each call: a collection with list and create, and an item path
with get, update and delete, shaped like the project's own resources.
"""

import copy
from pathlib import Path
from typing import Any

import yaml

NO_NUL = "^[^\\u0000]*$"  # what every string a request carries refuses (lint rule input-no-nul)
WIDGET_ID = "0b7c3e52-9f4a-4d1e-8a6b-2c5d7e9f1a30"
WIDGET = {
    "id": WIDGET_ID,
    "name": "Sprocket",
    "colour": "red",
    "count": 3,
    "labels": ["steel"],
    "note": None,
    "created_at": "2026-01-15T09:30:00Z",
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: str, example: Any) -> dict[str, Any]:
    """A JSON body: its schema and an inline example (lint rules examples-present/-valid)."""
    return {"application/json": {"schema": _ref("schemas", schema), "example": example}}


def _widget_json() -> dict[str, Any]:
    """A widget body whose example is the shared `components/examples/Widget`."""
    return {
        "application/json": {
            "schema": _ref("schemas", "Widget"),
            "examples": {"Widget": _ref("examples", "Widget")},
        }
    }


def _problem(description: str, status: int, **extra: Any) -> dict[str, Any]:
    example = {"type": "about:blank", "title": description, "status": status}
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": _ref("schemas", "Problem"), "example": example}
        },
        **extra,
    }


def _name_input() -> dict[str, Any]:
    """A widget's name as requests carry it: a fresh copy each time, for changes to break."""
    return {"type": "string", "minLength": 1, "maxLength": 100, "pattern": NO_NUL}


def widgets() -> dict[str, Any]:
    """A spec that passes lint_spec: every house rule is kept."""
    body_errors = {
        "413": _ref("responses", "PayloadTooLarge"),
        "415": _ref("responses", "UnsupportedMediaType"),
        "422": _ref("responses", "UnprocessableContent"),
    }
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Widgets", "version": "1.0.0"},
        "tags": [{"name": "widgets"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "tags": ["widgets"],
                    "summary": "List widgets",
                    "security": [],
                    "parameters": [
                        _ref("parameters", "Page"),
                        _ref("parameters", "Size"),
                        {
                            "name": "colour",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["red", "blue"]},
                            "example": "red",
                        },
                    ],
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "200": {
                            "description": "A page.",
                            "content": _json(
                                "WidgetPage",
                                {
                                    "total": 1,
                                    "page": 1,
                                    "size": 20,
                                    "pages": 1,
                                    "items": [dict(WIDGET)],
                                },
                            ),
                        },
                        "422": _ref("responses", "UnprocessableContent"),
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "tags": ["widgets"],
                    "summary": "Create a widget",
                    "requestBody": {
                        "required": True,
                        "content": _json("WidgetCreate", {"name": "Sprocket", "colour": "red"}),
                    },
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "201": {
                            "description": "Created.",
                            "headers": {"Location": _ref("headers", "Location")},
                            "content": _widget_json(),
                            "links": {
                                name: {
                                    "operationId": target,
                                    "parameters": {"widget_id": "$response.body#/id"},
                                }
                                for name, target in (
                                    ("GetWidget", "getWidget"),
                                    ("UpdateWidget", "updateWidget"),
                                    ("DeleteWidget", "deleteWidget"),
                                )
                            },
                        },
                        "401": _ref("responses", "Unauthorized"),
                        **body_errors,
                    },
                },
            },
            "/api/v1/widgets/{widget_id}": {
                "parameters": [_ref("parameters", "WidgetId")],
                "get": {
                    "operationId": "getWidget",
                    "tags": ["widgets"],
                    "summary": "Read a widget",
                    "security": [{}, {"bearer": []}],
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "200": {"description": "The widget.", "content": _widget_json()},
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        "422": _ref("responses", "UnprocessableContent"),
                    },
                },
                "patch": {
                    "operationId": "updateWidget",
                    "tags": ["widgets"],
                    "summary": "Change a widget",
                    "requestBody": {
                        "required": True,
                        "content": _json("WidgetUpdate", {"name": "Sprocket"}),
                    },
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "200": {"description": "The widget.", "content": _widget_json()},
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        **body_errors,
                    },
                },
                "delete": {
                    "operationId": "deleteWidget",
                    "tags": ["widgets"],
                    "summary": "Delete a widget",
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "204": {"description": "Gone."},
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        "422": _ref("responses", "UnprocessableContent"),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "Page": {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1},
                    "example": 1,
                },
                "Size": {
                    "name": "size",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    "example": 20,
                },
                "WidgetId": {
                    "name": "widget_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                    "example": WIDGET_ID,
                },
            },
            "headers": {
                "Location": {
                    "required": True,
                    "schema": {"type": "string", "format": "uri-reference", "maxLength": 2048},
                    "example": f"/api/v1/widgets/{WIDGET_ID}",
                },
                "WWW-Authenticate": {
                    "required": True,
                    "schema": {"type": "string", "maxLength": 512},
                    "example": "Bearer",
                },
                "Retry-After": {
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 86400},
                    "example": 5,
                },
            },
            "responses": {
                "Unauthorized": _problem(
                    "No valid token.",
                    401,
                    headers={"WWW-Authenticate": _ref("headers", "WWW-Authenticate")},
                ),
                "NotFound": _problem("No such widget.", 404),
                "PayloadTooLarge": _problem("Too large.", 413),
                "UnsupportedMediaType": _problem("Wrong Content-Type.", 415),
                "UnprocessableContent": _problem("Invalid.", 422),
                "ServiceUnavailable": _problem(
                    "Try again later.",
                    503,
                    headers={"Retry-After": _ref("headers", "Retry-After")},
                ),
            },
            "examples": {"Widget": {"summary": "A red sprocket", "value": WIDGET}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string", "maxLength": 256},
                        "title": {"type": "string", "maxLength": 256},
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "detail": {"type": "string", "maxLength": 4096},
                    },
                },
                "Widget": {
                    "type": "object",
                    "required": ["id", "name", "colour", "count", "labels", "created_at"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "colour": {"type": "string", "enum": ["red", "blue"]},
                        "count": {"type": "integer", "minimum": 0, "maximum": 1000},
                        "labels": {
                            "type": "array",
                            "maxItems": 10,
                            "items": {"type": "string", "maxLength": 20},
                        },
                        "note": {"type": ["string", "null"], "maxLength": 500},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
                "WidgetCreate": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": _name_input(),
                        "colour": {"type": "string", "enum": ["red", "blue"]},
                        "count": {"type": "integer", "minimum": 0, "maximum": 1000},
                        "labels": {
                            "type": "array",
                            "maxItems": 10,
                            "items": {"type": "string", "maxLength": 20, "pattern": "^[a-z]+$"},
                        },
                        "note": {"type": ["string", "null"], "maxLength": 500, "pattern": NO_NUL},
                    },
                },
                "WidgetUpdate": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": _name_input(),
                        "colour": {"type": "string", "enum": ["red", "blue"]},
                    },
                },
                "PageMeta": {
                    "type": "object",
                    "required": ["total", "page", "size", "pages"],
                    "properties": {
                        "total": {"type": "integer", "minimum": 0, "maximum": 1000000},
                        "page": {"type": "integer", "minimum": 1, "maximum": 10000},
                        "size": {"type": "integer", "minimum": 1, "maximum": 100},
                        "pages": {"type": "integer", "minimum": 0, "maximum": 1000000},
                    },
                },
                "WidgetPage": {
                    "allOf": [
                        _ref("schemas", "PageMeta"),
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "maxItems": 100,
                                    "items": _ref("schemas", "Widget"),
                                }
                            },
                        },
                    ]
                },
            },
        },
    }
    return copy.deepcopy(spec)  # the shared examples too: each caller may change its own


def write(spec: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path

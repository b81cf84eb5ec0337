"""A small spec that keeps every house rule, for the spec tools' tests to break one at a time.

`widgets()` returns a fresh copy each call: a collection with list and create, and an item path
with get, update and delete, shaped like the project's own resources.
"""

from pathlib import Path
from typing import Any

import yaml

NO_NUL = "^[^\\u0000]*$"  # what every string a request carries refuses (lint rule input-no-nul)


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref("schemas", schema)}}


def _problem(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("schemas", "Problem")}},
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
    return {
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
                        },
                    ],
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "200": {"description": "A page.", "content": _json("WidgetPage")},
                        "422": _ref("responses", "UnprocessableContent"),
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "tags": ["widgets"],
                    "summary": "Create a widget",
                    "requestBody": {"required": True, "content": _json("WidgetCreate")},
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "201": {
                            "description": "Created.",
                            "headers": {"Location": _ref("headers", "Location")},
                            "content": _json("Widget"),
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
                        "200": {"description": "The widget.", "content": _json("Widget")},
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        "422": _ref("responses", "UnprocessableContent"),
                    },
                },
                "patch": {
                    "operationId": "updateWidget",
                    "tags": ["widgets"],
                    "summary": "Change a widget",
                    "requestBody": {"required": True, "content": _json("WidgetUpdate")},
                    "responses": {
                        "503": _ref("responses", "ServiceUnavailable"),
                        "200": {"description": "The widget.", "content": _json("Widget")},
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
                },
                "Size": {
                    "name": "size",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                "WidgetId": {
                    "name": "widget_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                },
            },
            "headers": {
                "Location": {
                    "required": True,
                    "schema": {"type": "string", "format": "uri-reference", "maxLength": 2048},
                },
                "WWW-Authenticate": {
                    "required": True,
                    "schema": {"type": "string", "maxLength": 512},
                },
                "Retry-After": {
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 86400},
                },
            },
            "responses": {
                "Unauthorized": _problem(
                    "No valid token.",
                    headers={"WWW-Authenticate": _ref("headers", "WWW-Authenticate")},
                ),
                "NotFound": _problem("No such widget."),
                "PayloadTooLarge": _problem("Too large."),
                "UnsupportedMediaType": _problem("Wrong Content-Type."),
                "UnprocessableContent": _problem("Invalid."),
                "ServiceUnavailable": _problem(
                    "Try again later.", headers={"Retry-After": _ref("headers", "Retry-After")}
                ),
            },
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


def write(spec: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path

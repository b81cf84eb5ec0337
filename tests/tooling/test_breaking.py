"""breaking: each kind of change is found and classified, for clients and for the server.

Every pair starts from two copies of `specs.widgets()` and changes one of them. Each rule has a
pair that breaks clients and a compatible counterpart, often the same change the other way
round (`swapped`): a lower maxLength breaks a request and a higher one does not, while for a
response it is the other way round.
"""

import datetime
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from breaking import EFFECTS, RULES, compare, main, verdict

from tests.tooling.scripts import run_script
from tests.tooling.specs import widgets, write

COLLECTION = "/api/v1/widgets"
ITEM = "/api/v1/widgets/{widget_id}"

Spec = dict[str, Any]
Found = Counter[tuple[str, bool, bool]]  # (rule, breaks clients, server work) -> how often


def nothing(spec: Spec) -> None:
    pass


@dataclass(frozen=True)
class Pair:
    name: str
    new: Callable[[Spec], None]
    old: Callable[[Spec], None] = nothing

    def specs(self) -> tuple[Spec, Spec]:
        old, new = widgets(), widgets()
        self.old(old)
        self.new(new)
        return old, new

    def swapped(self, name: str) -> "Pair":
        return Pair(name, new=self.old, old=self.new)


def found(old: Spec, new: Spec) -> Found:
    return Counter((c.rule, c.client, c.server) for c in compare(old, new))


def schema(spec: Spec, name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def prop(spec: Spec, model: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema(spec, model)["properties"][name]
    return found


def op(spec: Spec, path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path][method]
    return found


# Changes to apply to one side


def remove_delete(spec: Spec) -> None:
    del spec["paths"][ITEM]["delete"]


def remove_item_path(spec: Spec) -> None:
    del spec["paths"][ITEM]


def rename_get(spec: Spec) -> None:
    op(spec, ITEM, "get")["operationId"] = "readWidget"


def move_item_path(spec: Spec) -> None:
    spec["paths"]["/api/v1/things/{widget_id}"] = spec["paths"].pop(ITEM)


def rename_path_parameter(spec: Spec) -> None:
    spec["paths"]["/api/v1/widgets/{id}"] = spec["paths"].pop(ITEM)
    spec["components"]["parameters"]["WidgetId"]["name"] = "id"


def list_parameters(spec: Spec) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = op(spec, COLLECTION, "get")["parameters"]
    return found


def remove_colour_parameter(spec: Spec) -> None:
    del list_parameters(spec)[2]


def rename_colour_parameter(spec: Spec) -> None:
    list_parameters(spec)[2]["name"] = "color"


def shop_parameter(required: bool) -> Callable[[Spec], None]:
    def add(spec: Spec) -> None:
        list_parameters(spec).append(
            {
                "name": "shop",
                "in": "query",
                "required": required,
                "schema": {"type": "string", "maxLength": 10},
            }
        )

    add.__name__ = f"add_{'required' if required else 'optional'}_shop_parameter"
    return add


def require_colour_parameter(spec: Spec) -> None:
    list_parameters(spec)[2]["required"] = True


def narrow_colour_parameter(spec: Spec) -> None:
    list_parameters(spec)[2]["schema"]["enum"] = ["red"]


def default_colour(spec: Spec) -> None:
    list_parameters(spec)[2]["schema"]["default"] = "red"


def remove_note_from_create(spec: Spec) -> None:
    del schema(spec, "WidgetCreate")["properties"]["note"]


def require_shop_in_create(spec: Spec) -> None:
    schema(spec, "WidgetCreate")["properties"]["shop"] = {"type": "string", "maxLength": 10}
    schema(spec, "WidgetCreate")["required"].append("shop")


def require_colour_in_create(spec: Spec) -> None:
    schema(spec, "WidgetCreate")["required"].append("colour")


def only_red_in_create(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "colour")["enum"] = ["red"]


def shorter_name_in_create(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "name")["maxLength"] = 50


def higher_minimum_count_in_create(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "count")["minimum"] = 1


def pattern_for_note_in_create(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "note")["pattern"] = "^[a-z]+$"


def no_pattern_for_note_in_create(spec: Spec) -> None:
    del prop(spec, "WidgetCreate", "note")["pattern"]


def non_null_note_in_create(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "note")["type"] = "string"


def nullable_labels_in_create(spec: Spec) -> None:
    """`labels` may be null, written as a union with a null branch."""
    labels = schema(spec, "WidgetCreate")["properties"]["labels"]
    schema(spec, "WidgetCreate")["properties"]["labels"] = {"anyOf": [labels, {"type": "null"}]}


def open_create(spec: Spec) -> None:
    del schema(spec, "WidgetCreate")["additionalProperties"]


def form_create(spec: Spec) -> None:
    content = op(spec, COLLECTION, "post")["requestBody"]["content"]
    content["application/x-www-form-urlencoded"] = content.pop("application/json")


def green_widgets(spec: Spec) -> None:
    prop(spec, "Widget", "colour")["enum"] = ["red", "blue", "green"]


def longer_names(spec: Spec) -> None:
    prop(spec, "Widget", "name")["maxLength"] = 200


def nullable_names(spec: Spec) -> None:
    prop(spec, "Widget", "name")["type"] = ["string", "null"]


def fractional_counts(spec: Spec) -> None:
    prop(spec, "Widget", "count")["type"] = "number"


def optional_count(spec: Spec) -> None:
    schema(spec, "Widget")["required"].remove("count")


def remove_labels(spec: Spec) -> None:
    schema(spec, "Widget")["required"].remove("labels")
    del schema(spec, "Widget")["properties"]["labels"]


def weight(required: bool) -> Callable[[Spec], None]:
    def add(spec: Spec) -> None:
        schema(spec, "Widget")["properties"]["weight"] = {
            "type": "integer",
            "minimum": 0,
            "maximum": 10,
        }
        if required:
            schema(spec, "Widget")["required"].append("weight")

    add.__name__ = f"add_{'required' if required else 'optional'}_weight"
    return add


def delete_answers_200(spec: Spec) -> None:
    responses = op(spec, ITEM, "delete")["responses"]
    responses["200"] = {"description": "Gone."}
    del responses["204"]


def drop_location(spec: Spec) -> None:
    del op(spec, COLLECTION, "post")["responses"]["201"]["headers"]


def etag_on_get(spec: Spec) -> None:
    op(spec, ITEM, "get")["responses"]["200"]["headers"] = {
        "ETag": {"required": True, "schema": {"type": "string", "maxLength": 128}}
    }


def xml_get(spec: Spec) -> None:
    content = op(spec, ITEM, "get")["responses"]["200"]["content"]
    content["application/xml"] = content.pop("application/json")


def conflict_on_delete(spec: Spec) -> None:
    op(spec, ITEM, "delete")["responses"]["409"] = {
        "$ref": "#/components/responses/UnprocessableContent"
    }


def secure_list(spec: Spec) -> None:
    del op(spec, COLLECTION, "get")["security"]  # the document's bearer requirement applies


def optional_auth_on_list(spec: Spec) -> None:
    op(spec, COLLECTION, "get")["security"] = [{}, {"bearer": []}]


def require_auth_on_get(spec: Spec) -> None:
    op(spec, ITEM, "get")["security"] = [{"bearer": []}]


def rename_create_model(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    schemas["NewWidget"] = schemas.pop("WidgetCreate")
    body = op(spec, COLLECTION, "post")["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/NewWidget"}


def public_get(spec: Spec) -> None:
    op(spec, ITEM, "get")["security"] = []


def api_key_on_delete(spec: Spec) -> None:
    schemes = spec["components"]["securitySchemes"]
    schemes["key"] = {"type": "apiKey", "in": "header", "name": "X-Key"}
    op(spec, ITEM, "delete")["security"] = [{"key": []}]


def api_key_beside_bearer_on_delete(spec: Spec) -> None:
    schemes = spec["components"]["securitySchemes"]
    schemes["key"] = {"type": "apiKey", "in": "header", "name": "X-Key"}
    op(spec, ITEM, "delete")["security"] = [{"bearer": []}, {"key": []}]


def json_not_found(spec: Spec) -> None:
    content = spec["components"]["responses"]["NotFound"]["content"]
    content["application/json"] = content.pop("application/problem+json")


def trace_on_not_found(spec: Spec) -> None:
    spec["components"]["responses"]["NotFound"]["headers"] = {
        "X-Trace": {"schema": {"type": "string", "maxLength": 64}}
    }


def body_on_delete(required: bool) -> Callable[[Spec], None]:
    def add(spec: Spec) -> None:
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/WidgetUpdate"}}}
        op(spec, ITEM, "delete")["requestBody"] = {"required": required, "content": content}

    add.__name__ = f"add_{'required' if required else 'optional'}_body_on_delete"
    return add


def optional_create_body(spec: Spec) -> None:
    op(spec, COLLECTION, "post")["requestBody"]["required"] = False


def digits_in_labels(spec: Spec) -> None:
    prop(spec, "WidgetCreate", "labels")["items"]["pattern"] = "^[a-z0-9]+$"


def creation_date_only(spec: Spec) -> None:
    prop(spec, "Widget", "created_at")["format"] = "date"


def reword(spec: Spec) -> None:
    spec["info"]["description"] = "Now with words."
    op(spec, ITEM, "get")["summary"] = "Read one widget"
    prop(spec, "Widget", "name")["description"] = "What it is called."


def default_page(value: int | None) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        page = spec["components"]["parameters"]["Page"]["schema"]
        if value is None:
            del page["default"]
        else:
            page["default"] = value

    change.__name__ = f"page_default_{value}"
    return change


def optional_location(spec: Spec) -> None:
    spec["components"]["headers"]["Location"]["required"] = False


def colour_union(model: str, union: str, *branches: str) -> Callable[[Spec], None]:
    """`model`'s colour: a union (anyOf or oneOf) of named schemas."""

    def change(spec: Spec) -> None:
        schemas = spec["components"]["schemas"]
        schemas["Red"] = {"type": "string", "const": "red"}
        schemas["Blue"] = {"type": "string", "const": "blue"}
        schemas["Green"] = {"type": "string", "const": "green"}
        schema(spec, model)["properties"]["colour"] = {
            union: [{"$ref": f"#/components/schemas/{name}"} for name in branches]
        }

    change.__name__ = f"colour_{union}_{'_'.join(branches).lower()}"
    return change


def stamped(model: str) -> Callable[[Spec], None]:
    """`model` gains an allOf branch: a named schema that asks for one property at least."""

    def change(spec: Spec) -> None:
        spec["components"]["schemas"]["Stamp"] = {"minProperties": 1}
        schema(spec, model)["allOf"] = [{"$ref": "#/components/schemas/Stamp"}]

    change.__name__ = f"stamped_{model.lower()}"
    return change


def keyword(model: str, name: str | None, key: str, value: Any) -> Callable[[Spec], None]:
    """Set `key` on `model` (or on its property `name`)."""

    def change(spec: Spec) -> None:
        (prop(spec, model, name) if name else schema(spec, model))[key] = value

    change.__name__ = f"{key}_on_{model}_{name or ''}"
    return change


def both(*changes: Callable[[Spec], None]) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        for one in changes:
            one(spec)

    return change


def nullable_name_30(spec: Spec) -> None:
    """OpenAPI 3.0's way: `nullable: true` beside the type."""
    prop(spec, "Widget", "name")["nullable"] = True


def closed_labels(extra: int) -> Callable[[Spec], None]:
    """WidgetCreate takes extra properties whose values are strings of at most `extra`."""

    def change(spec: Spec) -> None:
        schema(spec, "WidgetCreate")["additionalProperties"] = {
            "type": "string",
            "maxLength": extra,
        }

    change.__name__ = f"extra_up_to_{extra}"
    return change


def webhook(spec: Spec) -> None:
    spec["webhooks"] = {
        "widgetMade": {
            "post": {
                "summary": "A widget was made",
                "requestBody": {"required": False, "content": _json("Widget")},
                "responses": {"204": {"description": "Received."}},
            }
        }
    }


def webhook_body_required(spec: Spec) -> None:
    webhook(spec)
    spec["webhooks"]["widgetMade"]["post"]["requestBody"]["required"] = True


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


PAST, FUTURE = "2001-02-03", "2999-01-01"


def deprecated_delete(sunset: Any = None) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        op(spec, ITEM, "delete")["deprecated"] = True
        if sunset is not None:
            op(spec, ITEM, "delete")["x-sunset"] = sunset

    change.__name__ = f"deprecated_delete_{sunset}"
    return change


def deprecated_colour(sunset: str | None = None) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        list_parameters(spec)[2]["deprecated"] = True
        if sunset is not None:
            list_parameters(spec)[2]["x-sunset"] = sunset

    change.__name__ = f"deprecated_colour_{sunset}"
    return change


def deprecated_note(spec: Spec) -> None:
    prop(spec, "Widget", "note")["deprecated"] = True


def stability(level: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        op(spec, ITEM, "get")["x-stability-level"] = level

    change.__name__ = f"stability_{level}"
    return change


def extensible_colour(*values: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        colour = prop(spec, "WidgetCreate", "colour")
        del colour["enum"]
        colour["x-extensible-enum"] = list(values)

    change.__name__ = f"extensible_colour_{'_'.join(values)}"
    return change


def require_read_only_stamp(spec: Spec) -> None:
    """A required property the server fills in: clients never send it."""
    create = schema(spec, "WidgetCreate")
    create["properties"]["stamp"] = {"type": "string", "maxLength": 10, "readOnly": True}
    create["required"].append("stamp")


def wrapped_colour(spec: Spec) -> None:
    """Widget's colour becomes one of itself or a number."""
    colour = prop(spec, "Widget", "colour")
    schema(spec, "Widget")["properties"]["colour"] = {
        "oneOf": [colour, {"type": "integer", "minimum": 0, "maximum": 9}]
    }


def c(rule: str, client: bool, server: bool, times: int = 1) -> Found:
    return Counter({(rule, client, server): times})


# JSON Schema keywords that refuse more when present: added to a request breaks clients,
# removed from a response breaks them; the other way round is server work.
LABELS_ITEM = {"type": "string", "const": "new"}
REFUSING: list[tuple[str, str | None, str, Any]] = [
    ("WidgetCreate", "labels", "contains", LABELS_ITEM),
    ("WidgetCreate", None, "if", {"required": ["colour"]}),
    ("WidgetCreate", None, "then", {"required": ["count"]}),
    ("WidgetCreate", None, "else", {"required": ["note"]}),
    ("WidgetCreate", None, "not", {"required": ["note", "count"]}),
    ("WidgetCreate", None, "dependentRequired", {"count": ["colour"]}),
    ("WidgetCreate", None, "dependentSchemas", {"count": {"required": ["colour"]}}),
    ("WidgetCreate", None, "patternProperties", {"^x-": {"type": "string", "maxLength": 9}}),
    ("WidgetCreate", None, "propertyNames", {"maxLength": 20}),
    ("WidgetCreate", None, "unevaluatedProperties", False),
    ("WidgetCreate", "labels", "unevaluatedItems", False),
    ("WidgetCreate", "note", "contentSchema", {"type": "object"}),
    ("WidgetCreate", "note", "contentMediaType", "application/json"),
    ("WidgetCreate", "note", "contentEncoding", "base64"),
]
KEYWORD_PAIRS: list[tuple[Pair, Found, str, Found]] = []


def keyword_pair(
    side: str, what: str, tighter: Callable[[Spec], None], looser: Callable[[Spec], None]
) -> None:
    """A request breaks when it gets `tighter`, a response when it gets `looser`; the other
    way round is server work."""
    if side == "request":
        breaks, reverse = Pair(f"{what} tightened ({side})", tighter, looser), "loosened"
        found, then = c("constraint-narrowed", True, False), c("constraint-widened", False, True)
    else:
        breaks, reverse = Pair(f"{what} loosened ({side})", looser, tighter), "tightened"
        found, then = c("constraint-widened", True, False), c("constraint-narrowed", False, True)
    KEYWORD_PAIRS.append((breaks, found, f"{what} {reverse} ({side})", then))


for model, name, key, value in REFUSING:
    for side, target in (("request", model), ("response", "Widget")):
        keyword_pair(side, f"{key} added", keyword(target, name, key, value), nothing)
for side, model in (("request", "WidgetCreate"), ("response", "Widget")):
    # prefixItems the other way round: the first items answer to it instead of `items`.
    prefix = keyword(model, "labels", "prefixItems", [{"type": "string", "maxLength": 5}])
    keyword_pair(side, "prefixItems removed", nothing, prefix)
    # minContains and maxContains bound how many items match `contains`.
    has = keyword(model, "labels", "contains", LABELS_ITEM)
    for bound, tighter, looser in (("minContains", 2, 1), ("maxContains", 1, 2)):
        keyword_pair(
            side,
            bound,
            both(has, keyword(model, "labels", bound, tighter)),
            both(has, keyword(model, "labels", bound, looser)),
        )


# Changes judged both ways: (a change that breaks clients, what it finds; the name of the same
# change the other way round, which does not, and what that finds).
BOTH_WAYS: list[tuple[Pair, Found, str, Found]] = [
    (
        Pair("operation-removed", remove_delete),
        c("operation-removed", True, False),
        "operation-added",
        c("operation-added", False, True),
    ),
    (
        Pair("parameter-removed", remove_colour_parameter),
        c("parameter-removed", True, False),
        "parameter-added",
        c("parameter-added", False, True),
    ),
    (
        Pair("parameter-now-required", require_colour_parameter),
        c("parameter-now-required", True, False),
        "parameter-now-optional",
        c("parameter-now-optional", False, True),
    ),
    (
        Pair("property-removed (request)", remove_note_from_create),
        c("property-removed", True, False),
        "property-added (request)",
        c("property-added", False, True),
    ),
    (
        Pair("property-now-required (request)", require_colour_in_create),
        c("property-now-required", True, False),
        "property-now-optional (request)",
        c("property-now-optional", False, True),
    ),
    (
        Pair("enum-value-removed (request)", only_red_in_create),
        c("enum-value-removed", True, False),
        "enum-value-added (request)",
        c("enum-value-added", False, True),
    ),
    (
        Pair("constraint-narrowed: maxLength (request)", shorter_name_in_create),
        c("constraint-narrowed", True, False),
        "maxLength raised (request)",
        c("constraint-widened", False, True),
    ),
    (
        Pair("constraint-narrowed: minimum (request)", higher_minimum_count_in_create),
        c("constraint-narrowed", True, False),
        "minimum lowered (request)",
        c("constraint-widened", False, True),
    ),
    (
        Pair(
            "constraint-narrowed: pattern (request)",
            pattern_for_note_in_create,
            old=no_pattern_for_note_in_create,
        ),
        c("constraint-narrowed", True, False),
        "pattern removed (request)",
        c("constraint-widened", False, True),
    ),
    (
        Pair("type-narrowed (request)", non_null_note_in_create),
        c("type-narrowed", True, False),
        "null allowed (request)",
        c("type-widened", False, True),
    ),
    (
        Pair("type-narrowed: anyOf loses null (request)", nothing, nullable_labels_in_create),
        c("type-narrowed", True, False),
        "anyOf gains null (request)",
        c("type-widened", False, True),
    ),
    (
        Pair("constraint-narrowed: additionalProperties (request)", nothing, open_create),
        c("constraint-narrowed", True, False),
        "additionalProperties opened (request)",
        c("constraint-widened", False, True),
    ),
    (
        Pair("enum-value-added (response)", green_widgets),
        c("enum-value-added", True, False),
        "enum-value-removed (response)",
        c("enum-value-removed", False, True),
    ),
    (
        Pair("constraint-widened: maxLength (response)", longer_names),
        c("constraint-widened", True, False),
        "maxLength lowered (response)",
        c("constraint-narrowed", False, True),
    ),
    (
        Pair("type-widened: null (response)", nullable_names),
        c("type-widened", True, False),
        "null dropped (response)",
        c("type-narrowed", False, True),
    ),
    (
        Pair("type-widened: integer to number (response)", fractional_counts),
        c("type-widened", True, False),
        "number to integer (response)",
        c("type-narrowed", False, True),
    ),
    (
        Pair("property-now-optional (response)", optional_count),
        c("property-now-optional", True, False),
        "property-now-required (response)",
        c("property-now-required", False, True),
    ),
    (
        Pair("security-changed: public to required", secure_list),
        c("security-changed", True, True),
        "security-changed: required to public",
        c("security-changed", False, True),
    ),
    (
        Pair("security-changed: optional to required", require_auth_on_get),
        c("security-changed", True, False),
        "security-changed: required to optional",
        c("security-changed", False, True),
    ),
    (
        Pair("response-header-now-optional", optional_location),
        c("response-header-now-optional", True, False),
        "response-header-now-required",
        c("response-header-now-required", False, True),
    ),
    (
        Pair(
            "subschema-removed: anyOf (request)",
            colour_union("WidgetCreate", "anyOf", "Red", "Blue"),
            colour_union("WidgetCreate", "anyOf", "Red", "Blue", "Green"),
        ),
        c("subschema-removed", True, False),
        "subschema-added: anyOf (request)",
        c("subschema-added", False, True),
    ),
    (
        Pair(
            "subschema-added: oneOf (response)",
            colour_union("Widget", "oneOf", "Red", "Blue", "Green"),
            colour_union("Widget", "oneOf", "Red", "Blue"),
        ),
        c("subschema-added", True, False),
        "subschema-removed: oneOf (response)",
        c("subschema-removed", False, True),
    ),
    (
        Pair("subschema-added: allOf (request)", stamped("WidgetCreate")),
        c("subschema-added", True, False) + c("constraint-narrowed", True, False),
        "subschema-removed: allOf (request)",
        c("subschema-removed", False, True) + c("constraint-widened", False, True),
    ),
    (
        Pair("type-widened: nullable (OpenAPI 3.0, response)", nullable_name_30),
        c("type-widened", True, False),
        "nullable dropped (response)",
        c("type-narrowed", False, True),
    ),
    (
        Pair(
            "constraint-narrowed: additionalProperties' schema (request)",
            closed_labels(5),
            closed_labels(10),
        ),
        c("constraint-narrowed", True, False),
        "additionalProperties' schema loosened (request)",
        c("constraint-widened", False, True),
    ),
    (
        Pair("webhook-removed", nothing, webhook),
        c("webhook-removed", True, False),
        "webhook-added",
        c("webhook-added", False, True),
    ),
    (
        Pair("request-body-now-required (webhook)", webhook_body_required, webhook),
        c("request-body-now-required", True, False),
        "request body now optional (webhook)",
        Counter(),
    ),
    (
        Pair("removed-before-sunset (operation)", remove_delete, deprecated_delete(FUTURE)),
        c("removed-before-sunset", True, False),
        "removed-after-sunset is an addition the other way round",
        c("operation-added", False, True),
    ),
    (
        Pair("deprecated-without-sunset (operation)", deprecated_delete()),
        c("deprecated-without-sunset", True, False),
        "deprecation withdrawn (operation)",
        Counter(),
    ),
    (
        Pair("sunset-brought-forward", deprecated_delete(PAST), deprecated_delete(FUTURE)),
        c("sunset-brought-forward", True, False),
        "sunset postponed",
        Counter(),
    ),
    (
        Pair("stability-decreased", stability("beta"), stability("stable")),
        c("stability-decreased", True, False),
        "stability-increased",
        c("stability-increased", False, False),
    ),
    (
        Pair(
            "enum-value-removed: x-extensible-enum (request)",
            extensible_colour("red"),
            extensible_colour("red", "blue"),
        ),
        c("enum-value-removed", True, False),
        "x-extensible-enum value added (request)",
        Counter(),
    ),
    *KEYWORD_PAIRS,
]

BREAKING: list[tuple[Pair, Found]] = [(pair, found) for pair, found, _, _ in BOTH_WAYS] + [
    (Pair("path removed", remove_item_path), c("operation-removed", True, False, 3)),
    (Pair("operation-id-changed", rename_get), c("operation-id-changed", True, True)),
    (Pair("path renamed", move_item_path), c("operation-moved", True, False, 3)),
    (Pair("parameter-renamed", rename_colour_parameter), c("parameter-renamed", True, True)),
    (Pair("required-parameter-added", shop_parameter(True)),
     c("required-parameter-added", True, True)),
    (Pair("enum-value-removed (parameter)", narrow_colour_parameter),
     c("enum-value-removed", True, False)),
    (Pair("required-property-added (request)", require_shop_in_create),
     c("required-property-added", True, True)),
    (Pair("request-media-type-removed", form_create),
     c("request-media-type-removed", True, False) + c("request-media-type-added", False, True)),
    (Pair("property-removed (response)", remove_labels), c("property-removed", True, True)),
    (Pair("success-status-removed", delete_answers_200),
     c("success-status-removed", True, False) + c("success-status-added", True, True)),
    (Pair("response-media-type-removed", xml_get),
     c("response-media-type-removed", True, False) + c("response-media-type-added", True, True)),
    (Pair("response-header-removed", drop_location), c("response-header-removed", True, True)),
    (Pair("response-header-removed (error)", nothing, trace_on_not_found),
     c("response-header-removed", True, False, 3)),
    (Pair("security-changed: other scheme", api_key_on_delete), c("security-changed", True, True)),
    (Pair("security-changed: alternative removed", nothing, api_key_beside_bearer_on_delete),
     c("security-changed", True, False)),
    (Pair("request-body-added (required)", body_on_delete(True)),
     c("request-body-added", True, True)),
    (Pair("request-body-removed", nothing, body_on_delete(True)),
     c("request-body-removed", True, True)),
    (Pair("request-body-now-required", nothing, optional_create_body),
     c("request-body-now-required", True, False)),
    (Pair("constraint-changed: pattern (request)", digits_in_labels),
     c("constraint-changed", True, True)),
    (Pair("constraint-changed: format (response)", creation_date_only),
     c("constraint-changed", True, True)),
    (Pair("constraint-changed: contentMediaType (request)",
          keyword("WidgetCreate", "note", "contentMediaType", "text/plain"),
          keyword("WidgetCreate", "note", "contentMediaType", "application/json")),
     c("constraint-changed", True, True)),
    (Pair("constraint-changed: dependentRequired (response)",
          keyword("Widget", None, "dependentRequired", {"count": ["note"]}),
          keyword("Widget", None, "dependentRequired", {"count": ["colour"]})),
     c("constraint-changed", True, True)),
    (Pair("default-changed: added", default_colour), c("default-changed", True, False)),
    (Pair("default-changed: changed", default_page(2)), c("default-changed", True, False)),
    (Pair("default-changed: removed", default_page(None)), c("default-changed", True, False)),
    (Pair("removed-before-sunset: none given (operation)", remove_delete, deprecated_delete()),
     c("removed-before-sunset", True, False)),
    (Pair("removed-before-sunset (parameter)", remove_colour_parameter,
          deprecated_colour(FUTURE)), c("removed-before-sunset", True, False)),
    (Pair("sunset-unreadable", deprecated_delete("when we feel like it")),
     c("sunset-unreadable", True, False)),
    (Pair("sunset-unreadable (removed)", remove_delete, deprecated_delete("soon")),
     c("sunset-unreadable", True, False)),
    (Pair("deprecated-without-sunset (parameter)", deprecated_colour()),
     c("deprecated-without-sunset", True, False)),
    (Pair("deprecated-without-sunset (property)", deprecated_note),
     c("deprecated-without-sunset", True, False)),
    (Pair("stability-unreadable", stability("gamma")), c("stability-unreadable", True, False)),
    (Pair("sunset-in-the-past", deprecated_delete(PAST)), c("sunset-in-the-past", True, False)),
    (Pair("wrapped-in-one-of (response)", wrapped_colour),
     c("wrapped-in-one-of", True, True) + c("enum-value-added", True, False)
     + c("type-widened", True, False)),
]  # fmt: skip

COMPATIBLE: list[tuple[Pair, Found]] = [
    (pair.swapped(name), found) for pair, _, name, found in BOTH_WAYS
] + [
    (Pair("path parameter renamed", rename_path_parameter),
     c("operation-moved", False, True, 3) + c("parameter-renamed", False, True, 3)),
    (Pair("optional parameter added", shop_parameter(False)), c("parameter-added", False, True)),
    (Pair("removed-after-sunset (operation)", remove_delete, deprecated_delete(PAST)),
     c("removed-after-sunset", False, False)),
    (Pair("removed-after-sunset: a date-time (operation)", remove_delete,
          deprecated_delete("2001-02-03T04:05:06Z")), c("removed-after-sunset", False, False)),
    (Pair("removed-after-sunset: a YAML date (operation)", remove_delete,
          deprecated_delete(datetime.date(2001, 2, 3))), c("removed-after-sunset", False, False)),
    (Pair("removed-after-sunset (parameter)", remove_colour_parameter, deprecated_colour(PAST)),
     c("removed-after-sunset", False, False)),
    (Pair("deprecated with a sunset (operation)", deprecated_delete(FUTURE)),
     c("deprecated", False, False)),
    (Pair("deprecated with a sunset (parameter)", deprecated_colour(FUTURE)),
     c("deprecated", False, False)),
    (Pair("unwrapped from oneOf (response)", nothing, wrapped_colour),
     c("subschema-removed", False, True) + c("enum-value-removed", False, True)
     + c("type-narrowed", False, True)),
    (Pair("required readOnly property (request)", require_read_only_stamp),
     c("property-added", False, True)),
    (Pair("optional property added (response)", weight(False)), c("property-added", False, False)),
    (Pair("required property added (response)", weight(True)), c("property-added", False, True)),
    (Pair("response-header-added", etag_on_get), c("response-header-added", False, True)),
    (Pair("error-status-added", conflict_on_delete), c("error-status-added", False, True)),
    (Pair("error-status-removed", nothing, conflict_on_delete),
     c("error-status-removed", False, True)),
    (Pair("security-changed: alternative added", api_key_beside_bearer_on_delete),
     c("security-changed", False, True)),
    (Pair("security-changed: public to optional", optional_auth_on_list),
     c("security-changed", False, True)),
    (Pair("security-changed: optional to public", public_get), c("security-changed", False, True)),
    (Pair("response-header-added (error)", trace_on_not_found),
     c("response-header-added", False, True, 3)),
    (Pair("response-media-type-removed (error)", json_not_found),
     c("response-media-type-removed", False, False, 3)
     + c("response-media-type-added", False, True, 3)),
    (Pair("request-body-added (optional)", body_on_delete(False)),
     c("request-body-added", False, True)),
    (Pair("schema-renamed", rename_create_model), c("schema-renamed", False, True)),
    (Pair("descriptions only", reword), Counter()),
]  # fmt: skip


def assert_classified(pair: Pair, expected: Found, gate: int) -> None:
    """The pair's changes are `expected`, and the gate's exit status is `gate`."""
    old, new = pair.specs()
    changes = compare(old, new)

    assert found(old, new) == expected, [str(change) for change in changes]
    assert verdict(changes, old, new)[0] == gate


@pytest.mark.parametrize(("pair", "expected"), BREAKING, ids=[p.name for p, _ in BREAKING])
def test_a_breaking_change_is_found_and_fails_the_gate(pair: Pair, expected: Found) -> None:
    assert_classified(pair, expected, gate=1)


@pytest.mark.parametrize(("pair", "expected"), COMPATIBLE, ids=[p.name for p, _ in COMPATIBLE])
def test_a_compatible_change_is_classified_and_passes(pair: Pair, expected: Found) -> None:
    assert_classified(pair, expected, gate=0)


def test_every_kind_of_change_in_the_effects_table_has_a_pair() -> None:
    """A new row of EFFECTS comes with a pair here that reaches it."""
    reached = set()
    for pair, _ in BREAKING + COMPATIBLE:
        reached |= {change.kind for change in compare(*pair.specs())}
    assert reached == set(EFFECTS)


def test_every_rule_has_a_pair() -> None:
    """Each documented rule id is reported by a pair above, and every reported id is documented."""
    reached = set()
    for pair, _ in BREAKING + COMPATIBLE:
        reached |= {change.rule for change in compare(*pair.specs())}
    assert reached == set(RULES)


def test_rules_lists_every_rule_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rules"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(RULES)


def test_a_renamed_path_parameter_without_operation_ids_is_no_operation_id_change() -> None:
    def anonymous(spec: Spec) -> None:
        for method in ("get", "patch", "delete"):
            del op(spec, ITEM, method)["operationId"]

    old, new = Pair("anonymous", both(anonymous, rename_path_parameter), anonymous).specs()
    rules = {change.rule for change in compare(old, new)}
    assert "operation-id-changed" not in rules
    assert rules == {"operation-moved", "parameter-renamed"}


def test_a_sunset_is_judged_against_the_given_day() -> None:
    old, new = Pair("removal", remove_delete, deprecated_delete("2030-06-01")).specs()
    before = compare(old, new, today=datetime.date(2030, 5, 31))
    on_the_day = compare(old, new, today=datetime.date(2030, 6, 1))
    assert [c.rule for c in before] == ["removed-before-sunset"]
    assert [c.rule for c in on_the_day] == ["removed-after-sunset"]
    assert verdict(on_the_day, old, new)[0] == 0


def test_the_same_spec_has_no_changes() -> None:
    assert compare(widgets(), widgets()) == []


def test_a_change_in_a_shared_schema_is_reported_once_with_every_operation() -> None:
    old, new = Pair("enum-value-added", green_widgets).specs()
    [change] = compare(old, new)
    assert str(change) == (
        "components.schemas.Widget.properties.colour.enum: enum-value-added: "
        "response value(s) 'green' added "
        "[createWidget, getWidget, listWidgets, updateWidget]"
    )


def test_a_schema_used_both_ways_is_judged_per_direction() -> None:
    def shorter_in_both(spec: Spec) -> None:
        prop(spec, "Widget", "name")["maxLength"] = 50
        # WidgetUpdate's name now refers to the response's schema: one schema, both directions.
        schema(spec, "Widget")["properties"]["name"] = {"$ref": "#/components/schemas/Name"}
        schema(spec, "WidgetUpdate")["properties"]["name"] = {"$ref": "#/components/schemas/Name"}
        spec["components"]["schemas"]["Name"] = {"type": "string", "maxLength": 50}

    def shared_name(spec: Spec) -> None:
        schema(spec, "Widget")["properties"]["name"] = {"$ref": "#/components/schemas/Name"}
        schema(spec, "WidgetUpdate")["properties"]["name"] = {"$ref": "#/components/schemas/Name"}
        spec["components"]["schemas"]["Name"] = {"type": "string", "maxLength": 100}

    old, new = Pair("shared", shorter_in_both, shared_name).specs()
    by_side = {(c.client, c.server): c for c in compare(old, new)}
    assert set(by_side) == {(True, False), (False, True)}
    assert by_side[(True, False)].operations == {"updateWidget"}  # requests now refused
    assert by_side[(False, True)].operations == {  # responses the server must keep shorter
        "createWidget",
        "getWidget",
        "listWidgets",
        "updateWidget",
    }


def test_a_recursive_schema_is_compared_without_looping() -> None:
    def tree(spec: Spec) -> None:
        schema(spec, "Widget")["properties"]["parts"] = {
            "type": "array",
            "maxItems": 5,
            "items": {"$ref": "#/components/schemas/Widget"},
        }

    def deeper(spec: Spec) -> None:
        tree(spec)
        prop(spec, "Widget", "parts")["maxItems"] = 10

    old, new = Pair("recursive", deeper, tree).specs()
    assert found(old, new) == c("constraint-widened", True, False)


def test_a_major_version_bump_lets_a_breaking_change_through() -> None:
    old, new = Pair("operation-removed", remove_delete).specs()
    new["info"]["version"] = "2.0.0"
    status, summary = verdict(compare(old, new), old, new)
    assert status == 0
    assert "major went up (1 -> 2)" in summary


def test_a_minor_bump_does_not() -> None:
    old, new = Pair("operation-removed", remove_delete).specs()
    new["info"]["version"] = "1.1.0"
    status, summary = verdict(compare(old, new), old, new)
    assert status == 1
    assert summary.startswith("FAIL: 1 change(s) break clients")


def test_main_prints_a_report_by_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = widgets(), widgets()
    remove_delete(new)
    shop_parameter(False)(new)
    weight(False)(new)
    old_file, new_file = write(old, tmp_path / "old.yaml"), write(new, tmp_path / "new.yaml")

    status = main(["--spec", str(new_file), "--old-spec", str(old_file)])

    out = capsys.readouterr().out
    assert status == 1
    assert out.startswith(f"Spec changes since {old_file}: info.version 1.0.0 -> 1.0.0\n")
    assert (
        "Breaking for clients (1):\n"
        f"  - paths.{ITEM}.delete: operation-removed: "
        f"DELETE {ITEM} (deleteWidget) was removed\n"
    ) in out
    assert "Server work only (src/ must handle or produce what changed) (1):" in out
    assert "listWidgets: optional query parameter 'shop' added\n" in out
    assert "Compatible (1):\n  - components.schemas.Widget.properties.weight: property-added" in out
    assert out.rstrip().endswith("bump the major version to release a breaking change.")


# Against git revisions, in a repository of its own


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit(repo: Path, spec: Spec, message: str) -> None:
    write(spec, repo / "openapi" / "openapi.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)


def run_tool(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_script("breaking", "--spec", str(repo / "openapi" / "openapi.yaml"), *args, cwd=repo)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose main has two commits of the spec; the second removes deleteWidget."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, widgets(), "first spec")
    second = widgets()
    remove_delete(second)
    commit(repo, second, "drop deleteWidget")
    return repo


@pytest.mark.slow
def test_against_the_previous_commit(repo: Path) -> None:
    result = run_tool(repo, "HEAD~1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("Spec changes since HEAD~1 (")
    assert f"DELETE {ITEM} (deleteWidget) was removed" in result.stdout

    same = run_tool(repo, "HEAD")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "No changes a client or the server could notice." in same.stdout


@pytest.mark.slow
def test_by_default_against_the_merge_base_with_main(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "-b", "feature")
    spec = widgets()
    remove_delete(spec)
    shorter_name_in_create(spec)
    commit(repo, spec, "shorter names")
    git(repo, "checkout", "--quiet", "main")
    commit(repo, widgets(), "main moves on: deleteWidget is back")  # not the feature's business
    git(repo, "checkout", "--quiet", "feature")

    result = run_tool(repo)

    assert result.returncode == 1, result.stdout + result.stderr
    base = git(repo, "merge-base", "HEAD", "main").strip()
    assert result.stdout.startswith(f"Spec changes since the merge base with main ({base[:12]})")
    assert "constraint-narrowed: request maxLength 100 -> 50 [createWidget]" in result.stdout
    assert "operation-removed" not in result.stdout  # gone since the merge base, not since main


@pytest.mark.slow
def test_uncommitted_edits_count(repo: Path) -> None:
    spec = widgets()
    remove_delete(spec)
    weight(False)(spec)
    write(spec, repo / "openapi" / "openapi.yaml")

    result = run_tool(repo, "HEAD")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Compatible (1):" in result.stdout
    assert "optional response property 'weight' added" in result.stdout


@pytest.mark.slow
def test_an_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = run_tool(repo, "HEAD~5")
    assert result.returncode == 2
    assert "unknown revision 'HEAD~5'" in result.stderr
    assert "shallow clone" in result.stderr


@pytest.mark.slow
def test_a_spec_that_did_not_exist_at_the_revision_is_all_new(repo: Path) -> None:
    (repo / "README").write_text("x\n")
    git(repo, "mv", "openapi/openapi.yaml", "openapi/api.yaml")
    git(repo, "commit", "--quiet", "-am", "rename the spec")
    result = run_script(
        "breaking", "--spec", str(repo / "openapi" / "api.yaml"), "HEAD~1", cwd=repo
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "where the spec did not exist yet" in result.stdout
    assert result.stdout.count("operation-added") == 4


@pytest.mark.slow
def test_the_projects_spec_against_its_previous_commit() -> None:
    """What `nox -s breaking -- HEAD~1` runs, on this very repository."""
    result = run_script("breaking", "HEAD~1")
    if "unknown revision" in result.stderr:
        pytest.skip("a clone without the previous commit (shallow)")
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.startswith("Spec changes since HEAD~1 (")
    assert result.stdout.rstrip().splitlines()[-1].startswith(("OK:", "FAIL:"))

"""lint_spec: the project's spec passes, and each rule catches a small spec that breaks it.

Each case starts from `specs.widgets()` (which passes), breaks one rule, and expects exactly
the problems that rule reports: where (the dotted JSON path), which rule, and what it says.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lint_spec import RULES, lint, main
from specdoc import load

from tests.tooling.scripts import run_script
from tests.tooling.specs import WIDGET, widgets, write

COLLECTION = "paths./api/v1/widgets"
ITEM = "paths./api/v1/widgets/{widget_id}"
SCHEMAS = "components.schemas"

Spec = dict[str, Any]


def op(spec: Spec, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"][path][method]
    return operation


def collection(spec: Spec, method: str) -> dict[str, Any]:
    return op(spec, "/api/v1/widgets", method)


def item(spec: Spec, method: str) -> dict[str, Any]:
    return op(spec, "/api/v1/widgets/{widget_id}", method)


def schema(spec: Spec, name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


@dataclass(frozen=True)
class Case:
    rule: str
    breaks: Callable[[Spec], None]
    where: str | tuple[str, ...]  # the dotted path of every problem reported, all of `rule`
    says: str  # a fragment of one problem's message

    @property
    def expected(self) -> set[tuple[str, str]]:
        """(where, rule) of every problem reported."""
        wheres = (self.where,) if isinstance(self.where, str) else self.where
        return {(where, self.rule) for where in wheres}

    def __str__(self) -> str:
        return self.rule


def old_openapi(spec: Spec) -> None:
    spec["openapi"] = "3.0.3"


def response_without_description(spec: Spec) -> None:
    del item(spec, "get")["responses"]["200"]["description"]


def dangling_ref(spec: Spec) -> None:
    item(spec, "get")["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Nope"
    }


def no_operation_id(spec: Spec) -> None:
    del item(spec, "delete")["operationId"]
    del collection(spec, "post")["responses"]["201"]["links"]["DeleteWidget"]  # it named it


def snake_case_operation_id(spec: Spec) -> None:
    collection(spec, "get")["operationId"] = "list_widgets"


def two_tags(spec: Spec) -> None:
    spec["tags"].append({"name": "gadgets"})
    item(spec, "get")["tags"] = ["widgets", "gadgets"]


def undeclared_tag(spec: Spec) -> None:
    item(spec, "get")["tags"] = ["gadgets"]


def no_summary(spec: Spec) -> None:
    del item(spec, "patch")["summary"]


def string_without_max_length(spec: Spec) -> None:
    del schema(spec, "Widget")["properties"]["name"]["maxLength"]


def inline_parameter_string(spec: Spec) -> None:
    collection(spec, "get")["parameters"][2]["schema"] = {"type": "string", "pattern": "^[a-z]+$"}


def nullable_string_in_an_array(spec: Spec) -> None:
    labels = schema(spec, "WidgetCreate")["properties"]["labels"]
    labels["items"] = {"type": ["string", "null"], "minLength": 1, "pattern": "^[a-z]+$"}


def integer_without_maximum(spec: Spec) -> None:
    del schema(spec, "Widget")["properties"]["count"]["maximum"]


def integer_header_without_range(spec: Spec) -> None:
    spec["components"]["headers"]["Retry-After"] = {
        "required": True,
        "schema": {"type": "integer"},
        "example": 5,
    }


def array_without_max_items(spec: Spec) -> None:
    del schema(spec, "WidgetCreate")["properties"]["labels"]["maxItems"]


def open_request_body(spec: Spec) -> None:
    del schema(spec, "WidgetCreate")["additionalProperties"]


def open_nested_request_object(spec: Spec) -> None:
    schema(spec, "WidgetUpdate")["properties"]["size"] = {
        "type": "object",
        "properties": {"width": {"type": "integer", "minimum": 1, "maximum": 9}},
    }


def json_not_found(spec: Spec) -> None:
    spec["components"]["responses"]["NotFound"]["content"] = {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Problem"},
            "example": {"type": "about:blank", "title": "Not Found", "status": 404},
        }
    }


def error_without_body(spec: Spec) -> None:
    item(spec, "delete")["responses"]["409"] = {"description": "Conflict."}


def implicit_public(spec: Spec) -> None:
    del spec["security"]  # now the operations without `security` are public by omission


def empty_requirement(spec: Spec) -> None:
    item(spec, "get")["security"] = [{}]


def unknown_scheme(spec: Spec) -> None:
    item(spec, "delete")["security"] = [{"oauth": []}]


def secured_without_401(spec: Spec) -> None:
    del item(spec, "delete")["responses"]["401"]


def unauthorized_without_challenge(spec: Spec) -> None:
    del spec["components"]["responses"]["Unauthorized"]["headers"]


def second_scheme_not_accepted(spec: Spec) -> None:
    spec["components"]["securitySchemes"]["jwt"] = {"type": "http", "scheme": "bearer"}
    item(spec, "get")["security"] = [{}, {"bearer": []}, {"jwt": []}]  # this one accepts both


def password_flow(token_url: str) -> dict[str, Any]:
    return {"type": "oauth2", "flows": {"password": {"tokenUrl": token_url, "scopes": {}}}}


def sign_in_everywhere(spec: Spec, token_url: str) -> None:
    """An OAuth2 scheme beside bearer, accepted wherever bearer is."""
    spec["components"]["securitySchemes"]["oauth2"] = password_flow(token_url)
    spec["security"] = [{"bearer": []}, {"oauth2": []}]
    item(spec, "get")["security"] = [{}, {"bearer": []}, {"oauth2": []}]


def token_url_nowhere(spec: Spec) -> None:
    sign_in_everywhere(spec, "/api/v1/auth/login")


def token_url_secured(spec: Spec) -> None:
    sign_in_everywhere(spec, "/api/v1/widgets")  # createWidget takes a token


def token_url_without_form(spec: Spec) -> None:
    sign_in_everywhere(spec, "/api/v1/widgets")
    collection(spec, "post")["security"] = []


def parameters_without_422(spec: Spec) -> None:
    del item(spec, "delete")["responses"]["422"]


def body_without_415(spec: Spec) -> None:
    del item(spec, "patch")["responses"]["415"]


def create_answering_200(spec: Spec) -> None:
    responses = collection(spec, "post")["responses"]
    responses["200"] = responses.pop("201")


def create_without_location(spec: Spec) -> None:
    del collection(spec, "post")["responses"]["201"]["headers"]


def optional_location(spec: Spec) -> None:
    spec["components"]["headers"]["Location"]["required"] = False


def create_without_links(spec: Spec) -> None:
    del collection(spec, "post")["responses"]["201"]["links"]


def create_missing_delete_link(spec: Spec) -> None:
    del collection(spec, "post")["responses"]["201"]["links"]["DeleteWidget"]


def link_to_nowhere(spec: Spec) -> None:
    links = collection(spec, "post")["responses"]["201"]["links"]
    links["GetWidget"]["operationId"] = "fetchWidget"


def link_with_unknown_parameter(spec: Spec) -> None:
    links = collection(spec, "post")["responses"]["201"]["links"]
    links["GetWidget"]["parameters"] = {"id": "$response.body#/id"}


def list_with_own_page_parameter(spec: Spec) -> None:
    collection(spec, "get")["parameters"][0] = {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
        "example": 1,
    }


def list_returning_an_array(spec: Spec) -> None:
    collection(spec, "get")["responses"]["200"]["content"]["application/json"] = {
        "schema": {
            "type": "array",
            "maxItems": 100,
            "items": {"$ref": "#/components/schemas/Widget"},
        },
        "example": [WIDGET],
    }


def page_without_total(spec: Spec) -> None:
    meta = schema(spec, "PageMeta")
    meta["required"].remove("total")
    del meta["properties"]["total"]


def size_up_to_500(spec: Spec) -> None:
    spec["components"]["parameters"]["Size"]["schema"]["maximum"] = 500


def body(name: str) -> str:
    return f"{SCHEMAS}.{name}"


def delete_without_503(spec: Spec) -> None:
    del item(spec, "delete")["responses"]["503"]


def own_503(spec: Spec) -> None:
    item(spec, "get")["responses"]["503"] = {
        "description": "Busy.",
        "content": {
            "application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {"type": "about:blank", "title": "Busy.", "status": 503},
            }
        },
    }


def unavailable_without_retry_after(spec: Spec) -> None:
    del spec["components"]["responses"]["ServiceUnavailable"]["headers"]


def note_without_pattern(spec: Spec) -> None:
    del schema(spec, "WidgetCreate")["properties"]["note"]["pattern"]


def name_pattern_that_lets_nul_through(spec: Spec) -> None:
    schema(spec, "WidgetUpdate")["properties"]["name"]["pattern"] = "^.+$"


def string_query_without_pattern(spec: Spec) -> None:
    collection(spec, "get")["parameters"].append(
        {
            "name": "q",
            "in": "query",
            "schema": {"type": "string", "maxLength": 50},
            "example": "cog",
        }
    )


def parameter_without_example(spec: Spec) -> None:
    del spec["components"]["parameters"]["Size"]["example"]


def response_body_without_example(spec: Spec) -> None:
    del collection(spec, "get")["responses"]["200"]["content"]["application/json"]["example"]


def header_without_example(spec: Spec) -> None:
    del spec["components"]["headers"]["Location"]["example"]


def request_example_breaking_its_schema(spec: Spec) -> None:
    body = collection(spec, "post")["requestBody"]["content"]["application/json"]
    body["example"] = {"name": "", "colour": "green"}  # too short, and not an enum value


def shared_example_breaking_a_referenced_schema(spec: Spec) -> None:
    spec["components"]["examples"]["Widget"]["value"]["count"] = 1001  # Widget's count <= 1000


def parameter_example_of_the_wrong_format(spec: Spec) -> None:
    spec["components"]["parameters"]["WidgetId"]["example"] = "widget-1"


def example_ref_to_nothing(spec: Spec) -> None:
    item(spec, "get")["responses"]["200"]["content"]["application/json"]["examples"] = {
        "Widget": {"$ref": "#/components/examples/Gadget"}
    }


CASES = [
    Case("openapi-3.1", old_openapi, "openapi", "3.1.x"),
    Case(
        "openapi-valid",
        response_without_description,
        f"{ITEM}.get.responses.200",
        "is a required property",  # jsonschema quotes the name one way or the other
    ),
    Case(
        "refs-resolve",
        dangling_ref,
        f"{ITEM}.get.responses.200.content.application/json.schema",
        "'#/components/schemas/Nope' points at nothing",
    ),
    Case("operation-id", no_operation_id, f"{ITEM}.delete", "operationId"),
    Case(
        "operation-id",
        snake_case_operation_id,
        f"{COLLECTION}.get.operationId",
        "'list_widgets' is not camelCase",
    ),
    Case("operation-tag", two_tags, f"{ITEM}.get", "exactly one tag, not 2"),
    Case(
        "operation-tag",
        undeclared_tag,
        f"{ITEM}.get.tags",
        "'gadgets' is not declared",
    ),
    Case("operation-summary", no_summary, f"{ITEM}.patch", "summary"),
    Case(
        "string-bounded",
        string_without_max_length,
        f"{SCHEMAS}.Widget.properties.name",
        "a string needs maxLength",
    ),
    Case(
        "string-bounded",
        inline_parameter_string,
        f"{COLLECTION}.get.parameters.2.schema",
        "a string needs maxLength",
    ),
    Case(
        "string-bounded",
        nullable_string_in_an_array,
        f"{SCHEMAS}.WidgetCreate.properties.labels.items",
        "a string needs maxLength",
    ),
    Case(
        "integer-ranged",
        integer_without_maximum,
        f"{SCHEMAS}.Widget.properties.count",
        "an integer needs a maximum",
    ),
    Case(
        "integer-ranged",
        integer_header_without_range,
        "components.headers.Retry-After.schema",
        "an integer needs a minimum and maximum",
    ),
    Case(
        "array-capped",
        array_without_max_items,
        f"{SCHEMAS}.WidgetCreate.properties.labels",
        "an array needs maxItems",
    ),
    Case(
        "input-closed",
        open_request_body,
        body("WidgetCreate"),
        "add `additionalProperties: false` (used by createWidget)",
    ),
    Case(
        "input-closed",
        open_nested_request_object,
        f"{SCHEMAS}.WidgetUpdate.properties.size",
        "(used by updateWidget)",
    ),
    Case(
        "problem-json",
        json_not_found,
        "components.responses.NotFound",
        "a 404 body is application/problem+json and nothing else (found: application/json)",
    ),
    Case(
        "problem-json",
        error_without_body,
        f"{ITEM}.delete.responses.409",
        "(found: no body)",
    ),
    Case(
        "explicit-security",
        implicit_public,
        (f"{COLLECTION}.post", f"{ITEM}.patch", f"{ITEM}.delete"),
        "public operations say `security: []` explicitly",
    ),
    Case(
        "explicit-security",
        empty_requirement,
        f"{ITEM}.get.security",
        "write `security: []` for a public operation",
    ),
    Case(
        "explicit-security",
        unknown_scheme,
        f"{ITEM}.delete.security.0",
        "'oauth' is not in components.securitySchemes",
    ),
    Case(
        "secured-401",
        secured_without_401,
        f"{ITEM}.delete.responses",
        "declare 401",
    ),
    Case(
        "secured-401",
        unauthorized_without_challenge,
        "components.responses.Unauthorized",
        "WWW-Authenticate",
    ),
    Case(
        "every-scheme",
        second_scheme_not_accepted,
        "security",  # the document's requirement, which every operation but getWidget uses
        "accept jwt too, as an alternative requirement",
    ),
    Case(
        "token-url",
        token_url_nowhere,
        "components.securitySchemes.oauth2.flows.password.tokenUrl",
        "'/api/v1/auth/login' is no POST operation of this spec",
    ),
    Case(
        "token-url",
        token_url_secured,
        "components.securitySchemes.oauth2.flows.password.tokenUrl",
        "createWidget must be public (`security: []`)",
    ),
    Case(
        "token-url",
        token_url_without_form,
        "components.securitySchemes.oauth2.flows.password.tokenUrl",
        "createWidget must take application/x-www-form-urlencoded with `username` and `password`",
    ),
    Case(
        "validation-statuses",
        parameters_without_422,
        f"{ITEM}.delete.responses",
        "declare 422",
    ),
    Case(
        "validation-statuses",
        body_without_415,
        f"{ITEM}.patch.responses",
        "declare 415",
    ),
    Case(
        "create-201",
        create_answering_200,
        f"{COLLECTION}.post.responses",
        "creates: answer 201",
    ),
    Case(
        "create-location",
        create_without_location,
        f"{COLLECTION}.post.responses.201",
        "a 201 must declare a Location header",
    ),
    Case(
        "create-location",
        optional_location,
        f"{COLLECTION}.post.responses.201",
        "Location header is required",
    ),
    Case(
        "create-links",
        create_without_links,
        f"{COLLECTION}.post.responses.201",
        "a 201 links to the new resource's operations",
    ),
    Case(
        "create-links",
        create_missing_delete_link,
        f"{COLLECTION}.post.responses.201",
        "add a link to deleteWidget (DELETE /api/v1/widgets/{widget_id})",
    ),
    Case(
        "create-links",
        link_to_nowhere,
        (
            f"{COLLECTION}.post.responses.201.links.GetWidget",
            f"{COLLECTION}.post.responses.201",  # getWidget is not linked
        ),
        "'fetchWidget', which does not exist",
    ),
    Case(
        "create-links",
        link_with_unknown_parameter,
        f"{COLLECTION}.post.responses.201.links.GetWidget.parameters.id",
        "getWidget has no parameter 'id'",
    ),
    Case(
        "list-pagination",
        list_with_own_page_parameter,
        f"{COLLECTION}.get.parameters",
        "`$ref: '#/components/parameters/Page'`",
    ),
    Case(
        "list-pagination",
        list_returning_an_array,
        f"{COLLECTION}.get.responses.200.content.application/json.schema",
        "a list returns a page {items, total, page, size, pages}",
    ),
    Case(
        "list-pagination",
        page_without_total,
        f"{COLLECTION}.get.responses.200.content.application/json.schema",
        "(missing: total)",
    ),
    Case(
        "pagination-parameters",
        size_up_to_500,
        "components.parameters.Size",
        "an integer 1..100, default 20",
    ),
    Case(
        "unavailable-503",
        delete_without_503,
        f"{ITEM}.delete.responses",
        "x-uses-database: false",
    ),
    Case(
        "unavailable-503",
        own_503,
        f"{ITEM}.get.responses",
        "#/components/responses/ServiceUnavailable",
    ),
    Case(
        "unavailable-503",
        unavailable_without_retry_after,
        "components.responses.ServiceUnavailable",
        "declare a required Retry-After header",
    ),
    Case(
        "input-no-nul",
        note_without_pattern,
        f"{SCHEMAS}.WidgetCreate.properties.note",
        "refuses U+0000",
    ),
    Case(
        "input-no-nul",
        name_pattern_that_lets_nul_through,
        f"{SCHEMAS}.WidgetUpdate.properties.name",
        "a pattern of its own that cannot match it",
    ),
    Case(
        "input-no-nul",
        string_query_without_pattern,
        f"{COLLECTION}.get.parameters.3.schema",
        "refuses U+0000",
    ),
    Case(
        "examples-present",
        parameter_without_example,
        "components.parameters.Size",
        "give the query parameter `size` an `example`",
    ),
    Case(
        "examples-present",
        response_body_without_example,
        f"{COLLECTION}.get.responses.200.content.application/json",
        "give the 200 body (application/json) an `example`",
    ),
    Case(
        "examples-present",
        header_without_example,
        "components.headers.Location",
        "give the 201 header Location an `example`",
    ),
    Case(
        "examples-valid",
        request_example_breaking_its_schema,
        f"{COLLECTION}.post.requestBody.content.application/json.example",
        "/colour: 'green' is not one of ['red', 'blue']",
    ),
    Case(
        "examples-valid",
        shared_example_breaking_a_referenced_schema,
        "components.examples.Widget.value",
        "/count: 1001 is greater than the maximum of 1000",
    ),
    Case(
        "examples-valid",
        parameter_example_of_the_wrong_format,
        "components.parameters.WidgetId.example",
        "the value: 'widget-1' is not a 'uuid'",
    ),
    Case(
        "examples-valid",
        example_ref_to_nothing,
        f"{ITEM}.get.responses.200.content.application/json.examples.Widget",
        "points at nothing",
    ),
]


def test_an_operation_that_uses_no_database_needs_no_503() -> None:
    spec = widgets()
    delete_without_503(spec)
    item(spec, "delete")["x-uses-database"] = False
    assert lint(spec) == []


def test_the_small_spec_keeps_every_rule() -> None:
    assert lint(widgets()) == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{c.breaks.__name__}" for c in CASES])
def test_each_rule_reports_a_spec_that_breaks_it(case: Case) -> None:
    spec = widgets()
    case.breaks(spec)

    problems = lint(spec)

    assert {(str(p).split(": ")[0], p.rule) for p in problems} == case.expected, problems
    assert any(case.says in p.message for p in problems), problems


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == set(RULES)


def test_a_problem_line_names_the_path_the_rule_and_the_fix() -> None:
    spec = widgets()
    create_without_location(spec)
    assert [str(p) for p in lint(spec)] == [
        "paths./api/v1/widgets.post.responses.201: create-location: "
        "a 201 must declare a Location header"
    ]


def test_the_house_rules_wait_for_a_valid_document() -> None:
    spec = widgets()
    response_without_description(spec)
    string_without_max_length(spec)
    assert {p.rule for p in lint(spec)} == {"openapi-valid"}


def test_the_projects_spec_passes() -> None:
    assert lint(load()) == []


def test_main_prints_each_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = widgets()
    array_without_max_items(spec)
    no_summary(spec)

    assert main(["--spec", str(write(spec, tmp_path / "openapi.yaml"))]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        f"{SCHEMAS}.WidgetCreate.properties.labels: array-capped: an array needs maxItems",
        f"{ITEM}.patch: operation-summary: add a summary",
    ]
    assert "2 problem(s), rules broken: array-capped, operation-summary." in out[-1]


def test_main_passes_the_small_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(write(widgets(), tmp_path / "openapi.yaml"))]) == 0
    assert "all 22 house rules pass on 5 operations" in capsys.readouterr().out


@pytest.mark.slow
def test_the_script_runs_on_its_own_and_passes_the_projects_spec() -> None:
    result = run_script("lint_spec", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("openapi/openapi.yaml: valid OpenAPI 3.1.0; all 20 house")

"""Check response bodies against the contract's own JSON Schemas (openapi/openapi.yaml)."""

from functools import cache
from typing import Any

import httpx
import specdoc
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = specdoc.DEFAULT_SPEC
SPEC_URI = "urn:contract"


@cache
def spec() -> dict[str, Any]:
    return specdoc.load(SPEC_PATH)


def minimal_spec(paths: dict[str, Any], **top_level: Any) -> dict[str, Any]:
    """A small OpenAPI 3.1 document around `paths`, for tests that feed a spec reader their own."""
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **top_level}


@cache
def registry() -> Registry[Any]:
    """The spec as a JSON Schema resource at SPEC_URI, for validators that refer into it."""
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    found: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return found


def schema_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of `schema` (referring into the spec by SPEC_URI), formats checked."""
    return Draft202012Validator(
        schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def validator(schema_name: str) -> Draft202012Validator:
    return schema_validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"})


def assert_matches(instance: Any, schema_name: str) -> None:
    errors = sorted(validator(schema_name).iter_errors(instance), key=str)
    assert not errors, f"does not match {schema_name}: " + "; ".join(e.message for e in errors)


def assert_problem(
    response: httpx.Response, status: int, schema_name: str = "Problem"
) -> dict[str, Any]:
    """The response is a problem+json document of `status` that matches the contract."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert_matches(body, schema_name)
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body

"""Check response bodies against the contract's own JSON Schemas (openapi/openapi.yaml)."""

from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "openapi.yaml"
SPEC_URI = "urn:contract"


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


@cache
def validator(schema_name: str) -> Draft202012Validator:
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


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

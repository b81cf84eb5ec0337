"""The spec is valid OpenAPI 3.1."""

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.support.contract import spec


def test_the_spec_validates_as_openapi_3_1() -> None:
    document = spec()
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_the_validator_rejects_a_broken_spec() -> None:
    broken = {**spec(), "paths": {"/x": {"get": {"responses": "not a mapping"}}}}
    try:
        validate(broken)
    except OpenAPIValidationError:
        return
    raise AssertionError("a broken spec validated")

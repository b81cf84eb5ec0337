"""The operation index (`contract.api.OPERATIONS`) says what the spec says.

The service reads the index, never the spec: the body limit, the rate limit, the 405 `Allow`
header, the response check and the start-up check. `nox -s check_generated` proves generated/
is what the generator makes of the spec; this proves the generator read the spec right, field
by field, against the document itself (tests.support.operations walks it independently).
"""

import pytest

from contract.api import OPERATIONS, OperationInfo
from contract.document import SCHEMAS
from tests.support.contract import spec
from tests.support.operations import by_id, operations, resolve


def node(info: OperationInfo) -> dict[str, object]:
    found: dict[str, object] = spec()["paths"][info.path][info.method.lower()]
    return found


def test_the_index_lists_every_operation_of_the_spec_once() -> None:
    indexed = sorted((op.operation_id, op.method, op.path) for op in OPERATIONS)
    walked = sorted((op.operation_id, op.method, op.path) for op in operations())
    assert indexed == walked


@pytest.mark.parametrize("info", OPERATIONS, ids=lambda info: info.operation_id)
def test_each_entry_carries_what_the_service_reads(info: OperationInfo) -> None:
    walked = by_id(info.operation_id)
    assert info.tag == walked.tag
    assert set(info.statuses) == walked.statuses
    assert info.rate_limited == walked.declares(429)
    assert (info.security == "required") == walked.secured
    requirements = node(info).get("security", spec()["security"])
    assert isinstance(requirements, list)
    assert info.security_schemes == tuple(sorted({name for r in requirements for name in r}))
    assert info.security_schemes == (() if info.security == "public" else ("bearer", "oauth2"))
    assert info.request_media_types == ((walked.media_type,) if walked.media_type else ())
    raw = node(info)
    assert info.extensions == {k: v for k, v in raw.items() if k.startswith("x-")}
    assert info.superuser_only == (raw.get("x-superuser-only") is True)
    assert info.uses_database == (raw.get("x-uses-database") is not False)


@pytest.mark.parametrize("info", OPERATIONS, ids=lambda info: info.operation_id)
def test_responses_carry_their_headers_resolved_and_their_schemas_by_reference(
    info: OperationInfo,
) -> None:
    """Every `$ref` but those to component schemas is followed; those stay, for jsonschema."""
    declared = node(info)["responses"]
    assert isinstance(declared, dict)
    for response in info.responses:
        written = resolve(declared[response.status])
        content = written.get("content", {})
        assert response.content == {kind: media.get("schema") for kind, media in content.items()}
        headers = {name: resolve(header) for name, header in written.get("headers", {}).items()}
        assert [h.name for h in response.headers] == sorted(headers, key=str.lower)
        for header in response.headers:
            assert header.required == headers[header.name].get("required", False)
            assert header.schema == headers[header.name]["schema"]


def test_the_component_schemas_are_the_spec_s() -> None:
    assert spec()["components"]["schemas"] == SCHEMAS

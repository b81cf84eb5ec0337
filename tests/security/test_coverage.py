"""The security suite covers every operation of the spec, under each OWASP API Top 10 (2023) risk.

Each walk here is parametrised with `every_operation()` and decides per operation, from the
spec, what applies; an operation a walk leaves out fails `test_every_walk_takes_every_operation`
and a walk missing from the OWASP table below (or a table entry without its test) fails
`test_every_owasp_risk_has_its_tests`.
"""

from pathlib import Path

import pytest

from tests.support.collection import operation_of, partial_run
from tests.support.operations import operations

HERE = Path(__file__).resolve().parent

OWASP: dict[str, tuple[str, ...]] = {
    "API1:2023 Broken Object Level Authorization": (
        "test_authorization.py::test_another_users_object_is_a_404_and_stays_unchanged",
    ),
    "API2:2023 Broken Authentication": (
        "test_authentication.py::test_a_token_is_needed_exactly_where_the_spec_says",
        "test_authentication.py::test_a_forged_or_dead_token_is_refused",
    ),
    "API3:2023 Broken Object Property Level Authorization": (
        "test_property_level.py::test_a_read_only_field_cannot_be_assigned",
        "test_property_level.py::test_no_response_carries_a_key_its_schema_lacks",
    ),
    "API4:2023 Unrestricted Resource Consumption": (
        "test_resource_consumption.py::test_input_over_a_bound_is_refused_before_any_work",
    ),
    "API5:2023 Broken Function Level Authorization": (
        "test_authorization.py::test_only_superusers_reach_administration",
    ),
    "API6:2023 Unrestricted Access to Sensitive Business Flows": (
        "test_business_flows.py::test_anonymous_password_work_is_rate_limited",
    ),
    "API7:2023 Server Side Request Forgery": ("test_network.py::test_no_operation_takes_a_url",),
    "API8:2023 Security Misconfiguration": (
        "test_misconfiguration.py::test_cors_lets_in_only_the_configured_origin",
        "test_misconfiguration.py::test_a_failing_service_leaks_nothing",
    ),
    "API9:2023 Improper Inventory Management": (
        "test_inventory.py::test_a_method_the_spec_does_not_list_is_405",
        "test_inventory.py::test_a_path_below_an_operation_is_404",
    ),
    # The service consumes no other API; the run proves it talks to nothing but loopback.
    "API10:2023 Unsafe Consumption of APIs": (
        "test_network.py::test_a_connection_outside_loopback_is_refused",
        "test_network.py::test_asyncio_connections_outside_loopback_are_refused",
    ),
}


def name_of(item: pytest.Item) -> str:
    return f"{Path(str(item.path)).name}::{getattr(item, 'originalname', item.name)}"


def security_items(session: pytest.Session) -> list[pytest.Item]:
    return [item for item in session.items if Path(str(item.path)).resolve().parent == HERE]


def walks(items: list[pytest.Item]) -> dict[str, set[str]]:
    """operationIds each parametrised test of the suite takes, by test."""
    found: dict[str, set[str]] = {}
    for item in items:
        op = operation_of(item)
        if op is not None:
            found.setdefault(name_of(item), set()).add(op.operation_id)
    return found


def test_every_walk_takes_every_operation(request: pytest.FixtureRequest) -> None:
    items = security_items(request.session)
    why = partial_run(request.config, items, HERE)
    if why is not None:
        pytest.skip(f"needs the whole security suite: {why}")
    expected = {op.operation_id for op in operations()}
    taken = walks(items)
    named = {
        name for risk, names in OWASP.items() if not risk.startswith("API10") for name in names
    }
    assert set(taken) == named, "a walk is not parametrised with every_operation()"
    left_out = {name: sorted(expected - ids) for name, ids in taken.items() if ids != expected}
    assert left_out == {}, f"walks that leave operations out: {left_out}"


def test_every_owasp_risk_has_its_tests(request: pytest.FixtureRequest) -> None:
    items = security_items(request.session)
    why = partial_run(request.config, items, HERE)
    if why is not None:
        pytest.skip(f"needs the whole security suite: {why}")
    present = {name_of(item) for item in items}
    named = {name for names in OWASP.values() for name in names}
    assert sorted(named - present) == [], "the OWASP table names tests that do not exist"
    unmapped = sorted(set(walks(items)) - named)
    assert unmapped == [], f"walks the OWASP table does not place: {unmapped}"
    assert len(OWASP) == 10

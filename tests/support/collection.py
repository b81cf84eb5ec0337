"""What a pytest session collected: the operation each walk takes, and whether the run is whole.

The coverage tests (every declared status has a test, every walk takes every operation) judge
the session they run in: `partial_run` says why a run is too small for that verdict.
"""

from pathlib import Path
from typing import Any

import pytest

from tests.support.operations import Operation, operations


def every_operation() -> list[Any]:
    """One pytest param per operation of the spec: what every walk of the security suite takes.

    tests/security/test_coverage.py checks that each walk there takes them all.
    """
    return [pytest.param(op, id=op.operation_id) for op in operations()]


def operation_of(item: pytest.Item) -> Operation | None:
    """The operation a test collected from `every_operation()` took, if it took one."""
    callspec = getattr(item, "callspec", None)
    op = callspec.params.get("op") if callspec is not None else None
    return op if isinstance(op, Operation) else None


def partial_run(config: pytest.Config, items: list[pytest.Item], folder: Path) -> str | None:
    """Why this session does not hold every test below `folder`, or None when it does."""
    present = {Path(str(item.path)).resolve() for item in items}
    left_out = sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("test_*.py")
        if path.resolve() not in present
    )
    if left_out:
        more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
        return f"the session leaves out {', '.join(left_out[:3])}{more}"
    if config.option.keyword or config.option.markexpr:
        return "tests are selected with -k or -m"
    if any("::" in str(arg) for arg in config.args):
        return "single tests are selected by node id"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and getattr(reporter, "stats", {}).get("deselected"):
        return "some tests are deselected"
    return None


def assert_found(params: list[Any], *ids: str) -> None:
    """A walk that derives its cases from the spec still finds these: were it to stop finding
    them, the tests it parametrises would test nothing."""
    found = {param.id for param in params}
    assert [case for case in ids if case not in found] == []

"""Which phase and check caught a planted bug: an `after_validate` hook that appends each failed
check to the JSON-lines file `FUZZ_CATCHES` names (tests/support/mutants.py, `nox -s mutants`)."""

import json
import os
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.checks import CheckResult
from schemathesis.core.transport import Response
from schemathesis.engine import Status
from schemathesis.hooks import HookContext

CATCHES_ENV = "FUZZ_CATCHES"


def after_validate(
    context: HookContext, case: Case[Any], response: Response, results: list[CheckResult]
) -> None:
    target = os.environ.get(CATCHES_ENV)
    failed = [result for result in results if result.status == Status.FAILURE]
    if not target or not failed:
        return
    meta = case.meta
    phase = meta.phase.name.value if meta is not None else "stateful"
    operation = case.operation.definition.raw.get("operationId", case.operation.label)
    with Path(target).open("a") as out:
        for result in failed:
            record = {"operation": operation, "phase": phase, "check": result.name,
                      "status": response.status_code}  # fmt: skip
            out.write(json.dumps(record) + "\n")


def register() -> None:
    """Add the hook, once per process, when `FUZZ_CATCHES` asks for the record."""
    if os.environ.get(CATCHES_ENV) and not REGISTERED:
        schemathesis.hook(after_validate)
        REGISTERED.append(True)


REGISTERED: list[bool] = []

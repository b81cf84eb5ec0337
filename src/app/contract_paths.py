"""The operation index's path templates, compiled once, to find what a request's path is for.

Starlette's own path syntax (`{item_id}` matches one segment), so a path matches an operation
here exactly when it matches that operation's route.
"""

import re
from collections.abc import Iterable

from starlette.routing import compile_path

from contract.api import OperationInfo


class ContractPaths:
    def __init__(self, operations: Iterable[OperationInfo]) -> None:
        self.entries: list[tuple[re.Pattern[str], OperationInfo]] = [
            (compile_path(operation.path)[0], operation) for operation in operations
        ]

    def operation(self, method: str, path: str) -> OperationInfo | None:
        """The operation that `method` (upper case) on `path` asks for, if there is one."""
        for pattern, operation in self.entries:
            if operation.method == method and pattern.match(path):
                return operation
        return None

    def methods(self, path: str) -> list[str]:
        """Every method the contract declares at `path`, sorted; empty outside the contract."""
        return sorted({op.method for pattern, op in self.entries if pattern.match(path)})

"""The contract under load: a sample of the responses checked against the spec, as Locust's
`request` listener, a violation counted as a failure.

The check is the service's own response validation (`ResponseContract.violations`, what
`APP_VALIDATE_RESPONSES` runs in-process) on the responses the load generator received, so a
break that only shows under concurrency (a half-written row, a header lost on a busy path) is
seen. `--contract-sample` is the share checked: 0.05 (5%) by default, 1 for every response, 0
for none. A violation is logged with the request's route and recorded in Locust's statistics as
a failure of that route (its request already counted), grouped by operation, status and what
is wrong; responses Locust already counts as failed are not checked again.
"""

import argparse
import logging
import random
from collections import Counter
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from locust.runners import MasterRunner
from starlette.datastructures import Headers

from app.middleware.response_validation import ResponseContract

log = logging.getLogger(__name__)
DEFAULT_SAMPLE = 0.05
SHOWN = 3  # violations named in a failure's message
LOGGED_PER_KIND = 5  # violations logged (with their URL) of each kind; all are counted


def add_option(parser: argparse.ArgumentParser, **_kwargs: Any) -> None:
    parser.add_argument(
        "--contract-sample",
        type=float,
        default=DEFAULT_SAMPLE,
        help="share of responses checked against the contract, 0 to 1 (default 0.05)",
    )


class ContractCheck:
    """What the contract says of one response; compiled on first use, once per process."""

    @cached_property
    def contract(self) -> ResponseContract:
        return ResponseContract()

    def violation(
        self, method: str, url: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> str | None:
        """A failure message naming what is wrong, or None for a response the contract allows
        (or a request outside it)."""
        operation = self.contract.paths.operation(method.upper(), urlsplit(url).path)
        if operation is None:
            return None
        raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        found = self.contract.violations(operation.operation_id, status, Headers(raw=raw), body)
        if not found:
            return None
        more = f" (+{len(found) - SHOWN} more)" if len(found) > SHOWN else ""
        return (
            f"breaks the contract: {operation.operation_id} {status}: "
            + "; ".join(found[:SHOWN])
            + more
        )


def _share(environment: Any) -> float:
    return float(getattr(environment.parsed_options, "contract_sample", DEFAULT_SAMPLE))


class ContractListener:
    def __init__(self, check: ContractCheck | None = None) -> None:
        self.check = check or ContractCheck()
        self.environment: Any = None
        self.logged: Counter[str] = Counter()

    def init(self, environment: Any, **_kwargs: Any) -> None:
        """`init` listener: the environment whose statistics record violations; the contract
        compiled now, where a process that sends requests would otherwise stall its first
        sampled one (and every request in flight) while it compiles."""
        self.environment = environment
        sampling = _share(environment) > 0
        if sampling and not isinstance(environment.runner, MasterRunner):
            _ = self.check.contract

    def request(
        self,
        request_type: str,
        name: str,
        response: Any = None,
        exception: BaseException | None = None,
        url: str | None = None,
        **_kwargs: Any,
    ) -> None:
        """`request` listener: check a sample of the successful responses."""
        environment = self.environment
        if exception is not None or response is None or environment is None:
            return
        share = _share(environment)
        if share <= 0 or (share < 1 and random.random() >= share):  # sampling, not secrecy
            return
        headers = [(str(k), str(v)) for k, v in (response.headers or {}).items()]
        message = self.check.violation(
            request_type, url or str(response.url), int(response.status_code), headers,
            response.content or b"",
        )  # fmt: skip
        if message is None:
            return
        environment.stats.log_error(request_type, name, message)
        self.logged[message] += 1
        if self.logged[message] <= LOGGED_PER_KIND:
            last = " (later ones of this kind are not logged)"
            more = last if self.logged[message] == LOGGED_PER_KIND else ""
            rid = (response.headers or {}).get("X-Request-ID")
            log.error("%s %s (request_id %s): %s%s", request_type, url, rid, message, more)

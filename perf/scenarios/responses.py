"""Judging a response inside Locust's `catch_response` block: the status the contract promises.

Locust on its own counts any status below 400 as a success; these checks also fail a 200 where
the contract says 201, a missing `ETag`, or a body that is not the JSON object it should be.
A wrong status's message is the same for every response failing the same way (so Locust's
failures table groups them); its `request_id` is logged, the first few of each kind.
"""

import logging
from collections import Counter
from typing import Any

from locust.contrib.fasthttp import ResponseContextManager

from perf.scenarios.verdict import failure_message, no_response_message, request_id

log = logging.getLogger(__name__)
LOGGED_PER_KIND = 5
_logged: Counter[str] = Counter()


def wrong_status(response: ResponseContextManager, status: int) -> None:
    """Mark `response` failed for not having `status`; log its request id."""
    if not response.status_code:  # no answer at all: a refused or dropped connection
        response.failure(no_response_message(status, getattr(response, "error", None)))
        return
    body = response.text or ""
    message = failure_message(status, response.status_code, body)
    response.failure(message)
    _logged[message] += 1
    if _logged[message] <= LOGGED_PER_KIND:
        header = response.headers.get("X-Request-ID") if response.headers is not None else None
        rid = request_id(body) or header
        last = _logged[message] == LOGGED_PER_KIND
        more = " (later ones of this kind are not logged)" if last else ""
        log.warning("%s: request_id %s%s", message, rid, more)


def expect(response: ResponseContextManager, status: int) -> dict[str, Any] | None:
    """The JSON object the response carries when it has `status`; otherwise mark it failed."""
    if response.status_code != status:
        wrong_status(response, status)
        return None
    if status == 204:
        response.success()
        return {}
    try:
        document: object = response.json()  # typed as a dict, but any JSON parses
    except ValueError:
        response.failure(f"{status} without a JSON body")
        return None
    if not isinstance(document, dict):
        response.failure(f"{status} with JSON that is not an object")
        return None
    response.success()
    return document


def expect_gone_or(response: ResponseContextManager, status: int) -> dict[str, Any] | None:
    """As `expect`, but a 404 also passes: what a reader opens may have been deleted since.

    Readers open entries they saw in a list; writers delete (and unpublish) their own entries
    meanwhile, so "not found" is a correct answer there, not an error of the service.
    """
    if response.status_code == 404:
        response.success()
        return None
    return expect(response, status)


def etag(response: ResponseContextManager) -> str | None:
    """The response's `ETag`, or None after marking the response failed for lacking one."""
    value = response.headers.get("ETag") if response.headers is not None else None
    if not isinstance(value, str) or not value:
        response.failure("no ETag header")
        return None
    return value

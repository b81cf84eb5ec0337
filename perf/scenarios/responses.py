"""Judging a response inside Locust's `catch_response` block: the status the contract promises.

Locust on its own counts any status below 400 as a success; these checks also fail a 200 where
the contract says 201, a missing `ETag`, or a body that is not the JSON object it should be.
"""

from typing import Any

from locust.contrib.fasthttp import ResponseContextManager


def expect(response: ResponseContextManager, status: int) -> dict[str, Any] | None:
    """The JSON object the response carries when it has `status`; otherwise mark it failed."""
    if response.status_code != status:
        body = (response.text or "")[:300]
        response.failure(f"expected {status}, got {response.status_code}: {body}")
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

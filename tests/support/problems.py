"""Reading problem bodies in tests: the issues of a 422, a body without what each request adds."""

from typing import Any


def issues(problem: dict[str, Any]) -> list[tuple[str, str]]:
    """(pointer or location, code) of each error of a `ValidationProblem`, in order."""
    return [(e.get("pointer") or e["location"], e["code"]) for e in problem["errors"]]


def without_request(body: dict[str, Any]) -> dict[str, Any]:
    """A problem body without what differs from one request to the next."""
    return {k: v for k, v in body.items() if k not in {"request_id", "instance"}}

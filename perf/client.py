"""A small stdlib HTTP client for setting the stage: accounts and data made through the API.

Seeding goes through the API, like every other write, so the data is what the service itself
would store; it is not measured, which is why it does not use Locust's or wrk's client.
"""

import json
import secrets
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

TIMEOUT_S = 30


class ApiError(RuntimeError):
    """The service answered something other than what seeding expected."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    json_body: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    expected: int = 200,
) -> Answer:
    """One request; raises ApiError unless the answer has the `expected` status."""
    headers = {"Accept": "application/json"}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if not base_url.startswith(("http://", "https://")):
        raise ApiError(f"not an http(s) URL: {base_url}")
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)  # noqa: S310  # scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310  # scheme checked above
            status, raw, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), dict(error.headers)
    if status != expected:
        raise ApiError(f"{method} {path}: expected {expected}, got {status}: {raw[:300]!r}")
    body = json.loads(raw) if raw else {}
    return Answer(status, body if isinstance(body, dict) else {"value": body}, answer_headers)


def new_account(base_url: str, prefix: str) -> str:
    """Register a fresh account (a unique email), sign it in, and give its access token."""
    email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
    password = secrets.token_urlsafe(16)
    credentials = {"email": email, "password": password}
    call(base_url, "POST", "/api/v1/auth/register", json_body=credentials, expected=201)
    form = {"username": email, "password": password}
    tokens = call(base_url, "POST", "/api/v1/auth/login", form=form).body
    return str(tokens["access_token"])


def create_item(base_url: str, token: str, n: int) -> str:
    """Create the `n`th seed item; its id."""
    body = {
        "title": f"seed item {n} {'cotton' if n % 10 == 0 else 'wool'}",
        "description": f"A seeded item, number {n}.",
        "price": f"{(n * 7919) % 100_000 / 100:.2f}",
    }
    answer = call(base_url, "POST", "/api/v1/items", json_body=body, token=token, expected=201)
    return str(answer.body["id"])


def create_post(base_url: str, token: str, n: int) -> str:
    """Create the `n`th seed post, published; its slug."""
    body = {
        "title": f"Seed post {n}",
        "content": f"The body of seeded post number {n}. " * 20,
        "excerpt": f"Seeded post {n}.",
        "published": True,
    }
    answer = call(base_url, "POST", "/api/v1/posts", json_body=body, token=token, expected=201)
    return str(answer.body["slug"])

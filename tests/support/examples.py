"""Requests made of the contract's own examples, and what the contract says the answer is.

The examples are those lint_spec's `examples-present` and `examples-valid` ask for: a
parameter's, a request body's, a response body's or header's `example`, or the first of its
`examples`. A mock server (app/mock.py, Prism) answers such a request with the success status
and the example of its body.
"""

from dataclasses import dataclass, field
from typing import Any

import httpx
import specdoc
from starlette.datastructures import Headers

from app.middleware.response_validation import ResponseContract
from tests.support.contract import spec
from tests.support.operations import FORM, Operation

TOKEN = "mock-access-token"  # a mock takes any bearer token


def example_of(node: Any) -> Any:
    """The `example` of a parameter, media type or header, else the first of its `examples`."""
    assert isinstance(node, dict), node
    if "example" in node:
        return node["example"]
    for raw in (node.get("examples") or {}).values():
        found = specdoc.resolve(spec(), raw).node
        if isinstance(found, dict) and "value" in found:
            return found["value"]
    raise AssertionError(f"no example in {node}")


@dataclass(frozen=True)
class ExampleRequest:
    method: str
    path: str  # path parameters filled in
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)  # httpx's json= or data=

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.request(
            self.method, self.path, params=self.params, headers=self.headers, **self.body
        )


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def example_request(op: Operation, *, token: str | None = TOKEN) -> ExampleRequest:
    """`op` with every parameter and its body at their examples; signed in unless public."""
    path = op.path
    params: dict[str, str] = {}
    headers: dict[str, str] = {}
    for parameter in op.parameters:
        value = _text(example_of(parameter))
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", value)
        elif parameter["in"] == "query":
            params[parameter["name"]] = value
        elif parameter["in"] == "header":
            headers[parameter["name"]] = value
    document = spec()
    security = specdoc.security_kind(specdoc.effective_security(document, op.source))
    if token is not None and security != "public":
        headers["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {}
    if op.media_type is not None:
        media = specdoc.request_body(document, op.source).node["content"][op.media_type]
        value = example_of(media)
        body = {"data": value} if op.media_type == FORM else {"json": value}
    return ExampleRequest(op.method, path, params, headers, body)


@dataclass(frozen=True)
class Success:
    """The one 2xx an operation declares, and the examples of what it carries."""

    status: int
    media_type: str | None  # as declared, parameters and all; None: no body
    body: Any  # the example; None without a body
    headers: dict[str, Any]  # name -> example


def success(op: Operation) -> Success:
    document = spec()
    for code, response in specdoc.responses(document, op.source):
        if not code.startswith("2"):
            continue
        content = response.node.get("content") or {}
        media_type = next(iter(content), None)
        headers = {
            str(name): example_of(specdoc.resolve(document, raw).node)
            for name, raw in (response.node.get("headers") or {}).items()
        }
        body = example_of(content[media_type]) if media_type else None
        return Success(int(code), media_type, body, headers)
    raise AssertionError(f"{op} declares no 2xx")


def contract_violations(
    contract: ResponseContract, op: Operation, response: httpx.Response
) -> list[str]:
    """What the service's own response check finds wrong with `response` to `op`."""
    headers = Headers(headers=dict(response.headers))
    return contract.violations(op.operation_id, response.status_code, headers, response.content)

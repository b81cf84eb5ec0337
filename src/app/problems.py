"""Every error the service answers, rendered as the contract's problem+json.

One table maps each domain error to its status; the handlers here turn domain errors,
FastAPI's request-validation errors and Starlette's HTTP errors (404, 405, 413, 415) into
`contract.models.Problem` bodies. Unexpected exceptions are middleware.server_errors' job.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app import errors
from contract import models

PROBLEM_JSON = "application/problem+json"
FORM = "application/x-www-form-urlencoded"
MAX_DETAIL = 4096
MAX_ISSUES = 100
MAX_MESSAGE = 1024
MAX_INSTANCE = 2048


class Kind(NamedTuple):
    status: int
    slug: str


TABLE: Mapping[type[errors.DomainError], Kind] = {
    errors.InvalidRequest: Kind(400, "invalid-request"),
    errors.InvalidField: Kind(422, "validation-error"),
    errors.Unauthenticated: Kind(401, "unauthenticated"),
    errors.PermissionDenied: Kind(403, "permission-denied"),
    errors.NotFound: Kind(404, "not-found"),
    errors.Conflict: Kind(409, "conflict"),
    errors.PreconditionFailed: Kind(412, "precondition-failed"),
    errors.RateLimited: Kind(429, "rate-limited"),
    errors.Unavailable: Kind(503, "unavailable"),
}


def request_id(scope: Scope) -> str | None:
    state = scope.get("state") or {}
    value = state.get("request_id")
    return value if isinstance(value, str) else None


def instance(scope: Scope) -> str | None:
    """The path as the contract's `instance`: a URI reference, or None if it would be too long.

    Starlette hands the path over decoded, so it is percent-encoded again; a caller's long URL
    must not make the problem body itself invalid (that would turn a 404 into a bare 500).
    """
    path = scope.get("path")
    if not isinstance(path, str):
        return None
    encoded = quote(path, safe="/!$&'()*+,;=:@")
    return encoded if len(encoded) <= MAX_INSTANCE else None


def problem(
    scope: Scope,
    status: int,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    issues: list[models.ValidationIssue] | None = None,
) -> Response:
    """A problem+json response; `title` is the status phrase, so it never varies per request."""
    fields: dict[str, Any] = {
        "type": type_,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail[:MAX_DETAIL] if detail else None,
        "instance": instance(scope),
        "request_id": request_id(scope),
    }
    body: models.Problem = (
        models.ValidationProblem(**fields, errors=issues)
        if issues is not None
        else models.Problem(**fields)
    )
    return Response(
        body.model_dump_json(exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


def kind_of(error: errors.DomainError) -> Kind:
    for cls in type(error).__mro__:
        if cls in TABLE:
            return TABLE[cls]
    raise LookupError(f"{type(error).__name__} has no entry in problems.TABLE")


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    return for_domain_error(request.scope, exc)


def for_domain_error(scope: Scope, exc: errors.DomainError) -> Response:
    """The problem for a domain error; middleware that answers early uses this directly."""
    kind = kind_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, errors.RateLimited | errors.Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
    issues = None
    if isinstance(exc, errors.InvalidField):
        message = exc.detail[:MAX_MESSAGE]
        issues = [models.ValidationIssue(pointer=exc.pointer, message=message, code="invalid")]
    return problem(
        scope,
        kind.status,
        exc.detail,
        type_=f"urn:problem-type:{kind.slug}",
        headers=headers,
        issues=issues,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the contract declares at this path (Starlette's Allow names one route's).

    A path outside the contract (the docs pages, a route a test adds) gets every method a
    route accepts there.
    """
    declared: list[str] = request.app.state.contract_paths.methods(request.scope["path"])
    if declared:
        return declared
    methods: set[str] = set()
    for route in request.app.state.routes:
        match, _ = route.matches(request.scope)
        if match in (Match.FULL, Match.PARTIAL):
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def _unreadable_body(exc: HTTPException) -> bool:
    """The 400 FastAPI or Starlette raise, while handling the error, for a body they cannot read.

    JSON that is not UTF-8 gets it, and so does a form endpoint sent a broken multipart body
    (any form media type is parsed before the operation's media-type guard can run). No
    operation declares a 400 for either. The app itself raises no HTTPException 400.
    """
    return exc.status_code == 400 and exc.__context__ is not None


def _unreadable_body_problem(request: Request, exc: HTTPException) -> Response:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == FORM and isinstance(exc.__context__, MultiPartException):
        # A form of the media type the contract accepts, over one of the parser's limits
        # (python-multipart via Starlette: 1,000 fields, 1 MiB a field). Reading a url-encoded
        # form raises nothing else. Too big a request, in fields or bytes: 413, saying which.
        return problem(request.scope, 413, f"The form cannot be read: {exc.detail}")
    if media_type == "application/json" or media_type.endswith("+json"):
        # A JSON syntax error is a 422 `json_invalid`; JSON in the wrong encoding is one too,
        # and so is JSON nested deeper than Python's parser goes (~1,000 levels).
        message = (
            "The body is JSON nested too deep to read."
            if isinstance(exc.__context__, RecursionError)
            else "The body is not UTF-8 encoded JSON."
        )
        issue = models.ValidationIssue(pointer="#", message=message, code="json_invalid")
        return validation_problem(request.scope, [issue], total=1)
    # Any other form the service cannot read is of a media type the contract does not accept
    # here: every operation with a form body takes application/x-www-form-urlencoded.
    what = f"A {media_type} body" if media_type else "A body without a Content-Type"
    return problem(request.scope, 415, f"{what} cannot be read here.")


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _unreadable_body(exc):
        return _unreadable_body_problem(request, exc)
    status = exc.status_code
    headers = dict(exc.headers or {})
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(status).phrase:
        detail = None  # Starlette's default detail only repeats the title.
    method, path = request.method, request.url.path
    if status == 404 and detail is None:
        detail = f"No operation matches {method} {path}."
    elif status == 405:
        allow = allowed_methods(request)
        headers["Allow"] = ", ".join(allow)
        detail = f"{method} is not allowed on {path}; use {', '.join(allow)}."
    return problem(request.scope, status, detail, headers=headers)


def _issue(error: Mapping[str, Any]) -> models.ValidationIssue:
    loc = [str(part) for part in error.get("loc", ())]
    message = str(error.get("msg", "invalid"))[:MAX_MESSAGE]
    code = str(error.get("type", ""))[:128] or None
    if loc and loc[0] == "body":
        parts = [] if error.get("type") == "json_invalid" else loc[1:]
        pointer = "#" + "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)
        return models.ValidationIssue(pointer=pointer[:1024], message=message, code=code)
    location = ".".join([loc[0], *(p.lower() if loc[0] == "header" else p for p in loc[1:])])
    return models.ValidationIssue(location=location[:256] or None, message=message, code=code)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    found = list(exc.errors())
    issues = [_issue(error) for error in found[:MAX_ISSUES]]
    return validation_problem(request.scope, issues, total=len(found))


def validation_problem(
    scope: Scope, issues: list[models.ValidationIssue], *, total: int
) -> Response:
    more = f" (the first {MAX_ISSUES} are listed)" if total > MAX_ISSUES else ""
    return problem(
        scope,
        422,
        f"The request breaks the contract in {total} place(s){more}.",
        type_="urn:problem-type:validation-error",
        issues=issues,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, domain_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

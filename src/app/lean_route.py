"""`LeanRoute`: a `PrefilteredRoute` that hands a request to its endpoint without FastAPI's
general request handler, where the endpoint asks for nothing that handler alone can read.

FastAPI answers every request through one handler written for every kind of endpoint: two
`AsyncExitStack`s, an exception wrapper, a `Response` built in case a dependency wants one,
and `solve_dependencies`, which parses the query string, the headers and the cookies whether or
not the endpoint asks for them. For `GET /api/v1/items/{item_id}` on SQLite that machinery was
~16% of the request's instructions in-process, more than reading the row (README "Performance").

The generated endpoints ask for path, query and header parameters, a body that is one of the
contract's models sent as JSON, and dependencies that take the request alone (`authenticate`,
`require_content_type`). For those this route does what FastAPI's handler does, in its order
and with its own checks: the body read and parsed first (broken JSON is a 422 before any 401),
then every dependency, then each parameter and the body validated by the field FastAPI built
for it (`APIRoute.dependant`), the errors gathered into one `RequestValidationError` located as
FastAPI locates them (`("query", "size")`, `("body", "price")`); a missing optional parameter
takes its default. The endpoint's `Response` is then sent. An exception goes to the app's
exception handlers, as from FastAPI's handler (Starlette's `ExceptionMiddleware` holds the
same handlers the route's own wrapper would have used).

Any other endpoint (a form, a cookie, a list-valued parameter, a parameter model, a dependency
with parameters of its own, a route with FastAPI's own body limit) keeps FastAPI's handler, as
does every route when OpenTelemetry is on (FastAPI's handler opens its spans). The app sets no
FastAPI `max_body_size`: app/middleware/body_limit.py is the body limit.
tests/api/test_lean_route.py sends the same hostile requests through both handlers, for every
lean operation, and holds them to the same answers.
"""

import copy
import email.message
import inspect
import json
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.requests import Request
from pydantic import BaseModel, Json
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.prefiltered_route import PrefilteredRoute

# What FastAPI reports for a required parameter the request lacks.
MISSING_MESSAGE = "Field required"
BODY = ("body",)  # where FastAPI locates the errors of a body that is one model
NO_BODY = object()  # an empty body: FastAPI's "missing"
# What FastAPI answers when reading the body fails for a reason other than an HTTPException.
UNREADABLE = "There was an error parsing the body"


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str  # the endpoint's keyword
    location: str  # "path", "query" or "header": where FastAPI says the error is
    alias: str  # as the request spells it
    field: Any  # FastAPI's field: its `validate` is what FastAPI's handler calls
    required: bool
    validate_default: bool

    def value(self, request: Request) -> Any:
        if self.location == "path":
            return request.path_params.get(self.alias)
        if self.location == "query":
            return request.query_params.get(self.alias)
        return request.headers.get(self.alias)


class LeanRoute(PrefilteredRoute):
    """Its `app` is a lean handler where `lean_handler` allows one, else FastAPI's."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        strict = self.strict_content_type
        # Only what FastAPI's handler would do by default: no body limit of the route's own,
        # and a body without a Content-Type is not read as JSON.
        ordinary = self.max_body_size is None and getattr(strict, "value", strict) is True
        lean = lean_handler(self.dependant) if ordinary else None
        self.lean = lean is not None
        if lean is not None:
            self.app = lean


def _simple_dependency(dependant: Dependant) -> bool:
    """An async function of the request alone, like `authenticate` (a parameter's) or
    `require_content_type(...)` (the operation's, nameless: its value goes nowhere)."""
    return (
        inspect.iscoroutinefunction(dependant.call)
        and dependant.use_cache  # called once a request, as the handler below does
        and getattr(dependant, "concurrency", None) is None  # no semaphore around it
        and dependant.request_param_name is not None
        and len(inspect.signature(dependant.call).parameters) == 1
        and not (
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
            or dependant.dependencies
        )
    )


def _simple_field(field: Any) -> bool:
    """One value of a plain type, found by its alias: what `_Parameter.value` reads."""
    info = field.field_info
    return (
        info.validation_alias in (None, field.alias)  # else FastAPI looks under other names
        and not field.config
        and all(_plain(choice) for choice in _choices(info.annotation))
        and not any(type(item) is Json for item in info.metadata)
    )


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (`UUID | None`), or the annotation alone."""
    return get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)


def _plain(annotation: Any) -> bool:
    """Not a collection (FastAPI reads every value of a repeated parameter) nor a model."""
    if get_origin(annotation) is Annotated:
        return _plain(get_args(annotation)[0])
    origin = get_origin(annotation) or annotation
    if origin in (str, bytes) or not inspect.isclass(origin):
        return True  # str, Literal[...], Annotated[...] of a scalar
    return not issubclass(origin, BaseModel | Sequence | AbstractSet)


def _parameters(dependant: Dependant) -> list[_Parameter] | None:
    found = []
    for location, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
    ):
        for field in fields:
            if not _simple_field(field):
                return None
            info = field.field_info
            found.append(
                _Parameter(
                    name=field.name,
                    location=location,
                    alias=field.alias,
                    field=field,
                    required=info.is_required(),
                    validate_default=bool(info.validate_default),
                )
            )
    return found


def lean_handler(dependant: Dependant) -> ASGIApp | None:
    """The ASGI app that serves `dependant`'s endpoint without FastAPI's handler, or None where
    the endpoint asks for more than this handler reads (see the module's docstring)."""
    call = dependant.call
    body_field = _json_body(dependant)
    if (
        call is None
        or not inspect.iscoroutinefunction(call)
        or not _returns_response(call)
        or (dependant.body_params and body_field is None)
        or dependant.cookie_params
        or dependant.request_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or not all(_simple_dependency(d) for d in dependant.dependencies)
    ):
        return None
    parameters = _parameters(dependant)
    if parameters is None:
        return None
    dependencies: list[tuple[str | None, Callable[[Request], Any]]] = [
        (d.name, d.call) for d in dependant.dependencies if d.call is not None
    ]
    endpoint: Callable[..., Any] = call

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        # FastAPI's order: the body is read and parsed first (bad JSON is a 422 before a 401),
        # then the dependencies run, then every parameter and the body are validated.
        body = await _read_json(request) if body_field is not None else None
        values: dict[str, Any] = {}
        solved: dict[Callable[[Request], Any], Any] = {}
        for name, dependency in dependencies:  # FastAPI's order: these before the parameters
            if dependency not in solved:
                solved[dependency] = await dependency(request)
            if name is not None:
                values[name] = solved[dependency]
        errors: list[Any] = []
        for parameter in parameters:
            value = parameter.value(request)
            loc = (parameter.location, parameter.alias)
            if value is None:
                if parameter.required:
                    errors.append(_missing(loc))
                    continue
                value = copy.deepcopy(parameter.field.default)
                if not parameter.validate_default:
                    values[parameter.name] = value
                    continue
            validated, problems = parameter.field.validate(value, values, loc=loc)
            if problems:
                errors.extend(problems)
            else:
                values[parameter.name] = validated
        if body_field is not None:
            if body is NO_BODY:
                errors.append(_missing(BODY))
            else:
                validated, problems = body_field.validate(body, values, loc=BODY)
                if problems:
                    errors.extend(problems)
                else:
                    values[body_field.name] = validated
        if errors:
            raise RequestValidationError(errors, body=None if body is NO_BODY else body)
        response: Response = await endpoint(**values)
        await response(scope, receive, send)

    return app


def _missing(loc: tuple[str, ...]) -> dict[str, Any]:
    """FastAPI's error for a required parameter or body the request lacks."""
    return {"type": "missing", "loc": loc, "msg": MISSING_MESSAGE, "input": None}


def _returns_response(call: Callable[..., Any]) -> bool:
    """Declared to return a `Response` (every generated endpoint), which is sent as it is;
    FastAPI's handler would serialize anything else."""
    returns = get_type_hints(call).get("return")
    return inspect.isclass(returns) and issubclass(returns, Response)


def _json_body(dependant: Dependant) -> Any | None:
    """FastAPI's field for the body, when the body is one model sent as JSON (not a form, not
    embedded under its name); None for any other body, or none."""
    if len(dependant.body_params) != 1:
        return None
    field = dependant.body_params[0]
    info = field.field_info
    annotation = info.annotation
    if (
        type(info) is not params.Body  # a Form or File is read another way
        or info.embed
        or not info.is_required()  # an empty body is then the default, not a 422
        or not (inspect.isclass(annotation) and issubclass(annotation, BaseModel))
    ):
        return None
    return field


def _is_json(content_type: str) -> bool:
    """What FastAPI's handler asks of the Content-Type before it parses the body as JSON."""
    if content_type == "application/json":  # what nearly every client sends
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def _read_json(request: Request) -> Any:
    """The body as FastAPI's handler reads it for a model: parsed JSON, the bytes themselves
    when the Content-Type is not JSON's (or missing), `NO_BODY` for an empty one."""
    try:
        raw = await request.body()
        if not raw:
            return NO_BODY
        content_type = request.headers.get("content-type")
        if content_type and _is_json(content_type):
            return await request.json()
        return raw
    except json.JSONDecodeError as error:
        problem = {
            "type": "json_invalid",
            "loc": ("body", error.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": error.msg},
        }
        raise RequestValidationError([problem], body=error.doc) from error
    except HTTPException:  # the body limit's 413 (app/middleware/body_limit.py)
        raise
    except Exception as error:  # the client went away mid-body, say
        raise HTTPException(status_code=400, detail=UNREADABLE) from error

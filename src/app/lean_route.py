"""`LeanRoute`: a `PrefilteredRoute` whose operations without a body skip FastAPI's general handler.

FastAPI answers every request through one handler written for every kind of endpoint: two
`AsyncExitStack`s, an exception wrapper, the body read and content-type parsing, a `Response`
built in case a dependency wants one, and `solve_dependencies`, which parses the query string,
the headers and the cookies whether or not the endpoint asks for them. For `GET
/api/v1/items/{item_id}` that machinery was ~25% of the request's CPU in-process (py-spy;
README "Performance"), more than reading the row.

For an operation the contract gives no body, the generated endpoint asks only for path, query
and header parameters and for dependencies that take the request alone (`authenticate`). Then
this route hands the request over itself, in FastAPI's order and with FastAPI's own checks:
every dependency first (a 401 before a 422), then each parameter validated by the field
FastAPI built for it (`APIRoute.dependant`), its errors gathered into one
`RequestValidationError` located as FastAPI locates them (`("query", "size")`); a missing
optional parameter takes its default. The endpoint's `Response` is then sent. Exceptions go to
the app's exception handlers, as from FastAPI's handler (Starlette's `ExceptionMiddleware` holds
the same handlers the route's own wrapper would have used).

Any other endpoint (a body, a cookie, a list-valued parameter, a parameter model, a dependency
with parameters of its own) keeps FastAPI's handler, as does every route when OpenTelemetry is
on (FastAPI's handler opens its spans). tests/api/test_lean_route.py holds both handlers to the
same answers for hostile requests to every operation.
"""

import copy
import inspect
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.requests import Request
from pydantic import BaseModel, Json
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.prefiltered_route import PrefilteredRoute

# What FastAPI reports for a required parameter the request lacks.
MISSING_MESSAGE = "Field required"


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
        lean = lean_handler(self.dependant)
        self.lean = lean is not None
        if lean is not None:
            self.app = lean


def _simple_dependency(dependant: Dependant) -> bool:
    """An async function of the request alone, like `authenticate`."""
    return (
        dependant.name is not None
        and inspect.iscoroutinefunction(dependant.call)
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
        info.validation_alias is None  # else FastAPI also looks under other names
        and not field.config
        and all(_plain(choice) for choice in _choices(info.annotation))
        and not any(type(item) is Json for item in info.metadata)
    )


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (`UUID | None`), or the annotation alone."""
    return get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)


def _plain(annotation: Any) -> bool:
    """Not a collection (FastAPI reads every value of a repeated parameter) nor a model."""
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
    if (
        call is None
        or not inspect.iscoroutinefunction(call)
        or dependant.body_params
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
    dependencies: list[tuple[str, Callable[[Request], Any]]] = [
        (str(d.name), d.call) for d in dependant.dependencies if d.call is not None
    ]
    endpoint: Callable[..., Any] = call

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        values: dict[str, Any] = {}
        solved: dict[Callable[[Request], Any], Any] = {}
        for name, dependency in dependencies:  # FastAPI's order: these before the parameters
            if dependency not in solved:
                solved[dependency] = await dependency(request)
            values[name] = solved[dependency]
        errors: list[Any] = []
        for parameter in parameters:
            value = parameter.value(request)
            loc = (parameter.location, parameter.alias)
            if value is None:
                if parameter.required:
                    errors.append(
                        {"type": "missing", "loc": loc, "msg": MISSING_MESSAGE, "input": None}
                    )
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
        if errors:
            raise RequestValidationError(errors)
        response: Response = await endpoint(**values)
        await response(scope, receive, send)

    return app

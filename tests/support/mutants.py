"""Contract bugs planted at the edge of the app, one at a time, to measure the fuzz harness.

Each mutant is an ASGI layer around what `create_app` returns: it rewrites one operation's
requests or responses the way a bug in `src/` would show to a client, so the catalogue does not
depend on how `src/` is written. It lives in tests/, never in the service: nothing in production
settings can reach it; the in-process suite plants one only when `FUZZ_MUTANT` names it
(`nox -s mutants` does), and `create_app` here is a factory for `python -m app serve --factory`
that does the same, for the CLI run.
"""

import asyncio
import gzip
import importlib.util
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.draining import Drain
from app.settings import Settings

MUTANT_ENV = "FUZZ_MUTANT"
# A Python file with a `CATALOGUE` of more mutants: bugs kept out of the repository, to measure
# the harness against bugs it was not tuned on (README "Fuzzing against the contract").
EXTRA_ENV = "FUZZ_MUTANTS_FILE"
SLOW_S = 6.0  # over fuzzing.MAX_RESPONSE_TIME_S
USER_EXAMPLE = {
    "id": "3f0a6c2e-8d1b-4c7e-9a52-1e6f4b2d7c90",
    "email": "alice@example.com",
    "full_name": "Alice Martin",
    "is_active": True,
    "is_superuser": False,
    "created_at": "2026-02-01T09:30:00Z",
}


@dataclass
class Answer:
    """A response as the mutant sees it, buffered: status, headers, body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.decode().lower() == name.lower():
                return value.decode()
        return None

    def set_header(self, name: str, value: str | None) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.decode().lower() != name.lower()]
        if value is not None:
            self.headers.append((name.lower().encode(), value.encode()))

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, data: Any, media_type: str = "application/json") -> None:
        self.body = json.dumps(data).encode()
        self.set_header("content-type", media_type)


@dataclass(frozen=True)
class Mutant:
    """One planted bug: where (method, path pattern), and what it does to the exchange."""

    name: str
    bug: str  # what the README's table says was planted
    method: str
    path: str  # a regular expression over the request path
    answer: Callable[[Scope, Answer], None] | None = None  # rewrites a response
    request: Callable[[Scope], Scope] | None = None  # rewrites a request's scope
    delay: Callable[[Scope], float] | None = None  # seconds to stall before answering
    operations: tuple[str, ...] = field(default=())  # the operationIds the bug is in

    def applies(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == self.method
            and re.fullmatch(self.path, scope["path"]) is not None
        )


def _query(scope: Scope) -> dict[str, str]:
    pairs = [p.split("=", 1) for p in scope.get("query_string", b"").decode().split("&") if p]
    return {p[0]: p[1] if len(p) > 1 else "" for p in pairs}


def _when(status: int, change: Callable[[Answer], None]) -> Callable[[Scope, Answer], None]:
    def answer(scope: Scope, response: Answer) -> None:
        if response.status == status:
            change(response)

    return answer


def _status(status: int) -> Callable[[Answer], None]:
    def change(response: Answer) -> None:
        response.status = status
        body = response.json()
        body["status"] = status
        response.set_json(body, "application/problem+json")

    return change


def _edit(
    edit: Callable[[Any], None], media_type: str = "application/json"
) -> Callable[[Answer], None]:
    def change(response: Answer) -> None:
        body = response.json()
        edit(body)
        response.set_json(body, media_type)

    return change


def _header(name: str, value: Callable[[Answer], str | None]) -> Callable[[Answer], None]:
    def change(response: Answer) -> None:
        response.set_header(name, value(response))

    return change


def _drop_query(name: str) -> Callable[[Scope], Scope]:
    def request(scope: Scope) -> Scope:
        kept = [
            p
            for p in scope.get("query_string", b"").split(b"&")
            if p.split(b"=")[0] != name.encode()
        ]
        return {**scope, "query_string": b"&".join(kept)}

    return request


def _crash(scope: Scope, response: Answer) -> None:
    if _query(scope).get("size") == "100":
        response.status = 500
        response.set_json(
            {"type": "about:blank", "title": "Internal Server Error", "status": 500},
            "application/problem+json",
        )


def _authorized(response: Answer) -> None:
    response.status = 200
    response.set_json(USER_EXAMPLE)


def _leak(body: Any) -> None:
    body["hashed_password"] = "$argon2id$v=19$m=19456,t=2,p=1$..."


def _elsewhere(response: Answer) -> str:
    return f"/api/v1/items/{uuid.uuid4()}"


def _freeze(scope: Scope, response: Answer) -> None:
    if response.header("etag"):
        response.set_header("etag", '"1"')


def _plain(response: Answer) -> None:
    response.set_header("content-type", "text/plain; charset=utf-8")


def _slow(scope: Scope) -> float:
    return SLOW_S if len(_query(scope).get("q", "")) >= 100 else 0.0


ITEM = r"/api/v1/items/[^/]+"
ITEMS = r"/api/v1/items"
ME = r"/api/v1/users/me"
ETAGGED = r"/api/v1/items(/[^/]+)?"

CATALOGUE: Mapping[str, Mutant] = {
    mutant.name: mutant
    for mutant in (
        Mutant("wrong_status", "getItem answers 412 instead of 404 for a missing item",
               "GET", ITEM, answer=_when(404, _status(412)), operations=("getItem",)),
        Mutant("missing_required_header", "createItem's 201 has no Location",
               "POST", ITEMS, answer=_when(201, _header("location", lambda r: None)),
               operations=("createItem",)),
        Mutant("wrong_body_type", "listItems' total is a string",
               "GET", ITEMS, answer=_when(200, _edit(lambda b: b.update(total=str(b["total"])))),
               operations=("listItems",)),
        Mutant("undeclared_property", "getCurrentUser leaks hashed_password",
               "GET", ME, answer=_when(200, _edit(_leak)),
               operations=("getCurrentUser",)),
        Mutant("wrong_media_type", "listItems answers text/plain",
               "GET", ITEMS, answer=_when(200, _plain), operations=("listItems",)),
        Mutant("security_not_enforced", "getCurrentUser answers 200 without a valid token",
               "GET", ME, answer=_when(401, _authorized),
               operations=("getCurrentUser",)),
        Mutant("boundary_crash", "listItems crashes (500) at size=100, its maximum",
               "GET", ITEMS, answer=_crash, operations=("listItems",)),
        Mutant("slow_answer", f"listItems takes {SLOW_S:.0f} s for a q of 100+ characters",
               "GET", ITEMS, delay=_slow, operations=("listItems",)),
        Mutant("wrong_location", "createItem's Location names another item",
               "POST", ITEMS, answer=_when(201, _header("location", _elsewhere)),
               operations=("createItem",)),
        Mutant("ignored_filter", "listItems ignores owner_id",
               "GET", ITEMS, request=_drop_query("owner_id"), operations=("listItems",)),
        Mutant("frozen_etag", "items' ETag never changes",
               "", ETAGGED, answer=_freeze,
               operations=("createItem", "getItem", "updateItem")),
        Mutant("wrong_pagination", "listItems' pages is one too many",
               "GET", ITEMS, answer=_when(200, _edit(lambda b: b.update(pages=b["pages"] + 1))),
               operations=("listItems",)),
    )
}  # fmt: skip


class Planted:
    """The ASGI layer: passes everything through but what `mutant` applies to."""

    def __init__(self, app: ASGIApp, mutant: Mutant) -> None:
        self.app = app
        self.mutant = mutant

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        mutant = self.mutant
        applies = scope["type"] == "http" and (
            mutant.applies(scope)
            or (mutant.method == "" and re.fullmatch(mutant.path, scope["path"]) is not None)
        )
        if not applies:
            await self.app(scope, receive, send)
            return
        if mutant.request is not None:
            scope = mutant.request(scope)
        if mutant.delay is not None and (seconds := mutant.delay(scope)):
            await asyncio.sleep(seconds)
        if mutant.answer is None:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, buffer)
        response = Answer(start["status"], list(start.get("headers", [])), b"".join(chunks))
        if response.header("content-encoding") == "gzip":  # the app's gzip is inside this layer
            response.body = gzip.decompress(response.body)
            response.set_header("content-encoding", None)
        mutant.answer(scope, response)  # a 204's too: a bug may give it a body
        response.set_header("content-length", str(len(response.body)))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": response.headers}
        )
        await send({"type": "http.response.body", "body": response.body})


def catalogue(environ: Mapping[str, str] = os.environ) -> Mapping[str, Mutant]:
    """`CATALOGUE`, and the mutants of the file `FUZZ_MUTANTS_FILE` names, if it names one."""
    path = environ.get(EXTRA_ENV)
    if not path:
        return CATALOGUE
    spec = importlib.util.spec_from_file_location("fuzz_extra_mutants", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{EXTRA_ENV}={path!r} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    extra: Mapping[str, Mutant] = module.CATALOGUE
    return {**CATALOGUE, **extra}


def plant(app: ASGIApp, name: str | None) -> ASGIApp:
    """`app` with the mutant `name` planted; `app` itself when `name` is empty."""
    if not name:
        return app
    known = catalogue()
    try:
        return Planted(app, known[name])
    except KeyError:
        raise ValueError(f"{MUTANT_ENV}={name!r}: use one of {', '.join(known)}") from None


def create_app(settings: Settings, *, drain: Drain) -> ASGIApp:
    """A factory for `python -m app serve --factory tests.support.mutants:create_app`: the
    service with the mutant `FUZZ_MUTANT` names planted (the CLI's counterpart of `plant`)."""
    from app.main import create_app as service

    return plant(service(settings, drain=drain), os.environ.get(MUTANT_ENV))

"""Requests that succeed, for any operation of the contract, built from the spec alone.

The security suite asks, for every operation: who may call it, on what, and what happens to
anyone else. To ask that without a list of routes it needs a resource to act on and a caller
entitled to act, and the spec says how to get both: its `links` name the operation whose
response gives each path parameter (`createItem`'s 201 body gives `getItem` its `item_id`),
`security` says whether a token is needed, and `x-superuser-only` marks administration.

`prepare(api, op, superuser)` signs up a fresh owner, creates the resource the operation acts
on through the operation its link comes from, and returns a request that the contract says
must succeed: made by the owner, or by the superuser for a superuser-only operation. A body
field that must hold the caller's own secret (its password, its refresh token) is filled by
name from `KNOWN_FIELDS`; anything else comes from the schema (`tests.support.operations`).
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, cast

import httpx
import specdoc

from tests.support.accounts import Account, login, sign_up
from tests.support.clients import mail_folder
from tests.support.contract import spec
from tests.support.mailbox import eml_mails, wait_for_mails
from tests.support.operations import (
    Operation,
    body_kwargs,
    by_id,
    call,
    fill_path,
    operations,
    resolve,
    valid_body,
)

Access = Literal["public", "optional", "required"]
SUPERUSER_ONLY = "x-superuser-only"
# On an operation whose body's `token` comes from an emailed link: the operationId whose
# email carries it (requestPasswordReset's for resetPassword).
EMAILED_TOKEN = "x-emailed-token"


def raw(op: Operation) -> dict[str, Any]:
    """The operation's object in the spec, for what `Operation` does not carry."""
    return op.source.node


def access(op: Operation) -> Access:
    """`public` (security: []), `optional` ([{}, {bearer: []}]) or `required` (a token)."""
    kind = specdoc.security_kind(specdoc.effective_security(spec(), op.source))
    return cast(Access, kind)


def superuser_only(op: Operation) -> bool:
    return raw(op).get(SUPERUSER_ONLY) is True


def responses(op: Operation) -> dict[str, dict[str, Any]]:
    """The operation's responses by status code, `$ref`s followed."""
    return {code: found.node for code, found in specdoc.responses(spec(), op.source)}


def path_parameters(op: Operation) -> frozenset[str]:
    return frozenset(p["name"] for p in op.parameters if p["in"] == "path")


@dataclass(frozen=True)
class Link:
    """A link of the spec: `source`'s `status` response gives `target` its `parameters`."""

    name: str
    source: Operation
    status: int
    target: str  # operationId
    parameters: tuple[tuple[str, str], ...]  # (parameter, runtime expression)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.parameters)


@cache
def links() -> tuple[Link, ...]:
    found = []
    for op in operations():
        for status, response in responses(op).items():
            for name, link in (response.get("links") or {}).items():
                link = resolve(link)
                found.append(
                    Link(
                        name=name,
                        source=op,
                        status=int(status),
                        target=link["operationId"],
                        parameters=tuple(sorted(link.get("parameters", {}).items())),
                    )
                )
    return tuple(found)


def source_of(op: Operation) -> Link | None:
    """The link that gives `op` its path parameters: one pointing at `op`, else any link that
    gives parameters of the same names (`listUserItems` takes the `user_id` of an account)."""
    needed = path_parameters(op)
    if not needed:
        return None
    for link in links():
        if link.target == op.operation_id and needed <= link.names:
            return link
    for link in links():
        if needed <= link.names:
            return link
    raise AssertionError(
        f"{op} takes {sorted(needed)} but no link in the spec gives them: add a `links` entry "
        "to the response of the operation that creates what it acts on"
    )


def reader_of(link: Link) -> Operation | None:
    """A GET operation the same source links to: what reads the resource back."""
    for other in links():
        if other.source == link.source and other.status == link.status:
            target = by_id(other.target)
            if target.method == "GET":
                return target
    return None


def evaluate(expression: str, body: Any) -> str:
    """A runtime expression of the kind the spec uses: `$response.body#/json/pointer`."""
    prefix = "$response.body#"
    assert expression.startswith(prefix), f"the suite cannot evaluate {expression!r} yet"
    value = body
    for part in expression[len(prefix) :].lstrip("/").split("/"):
        value = value[part.replace("~1", "/").replace("~0", "~")]
    return str(value)


@dataclass(frozen=True)
class Resource:
    """What a creating operation made, who owns it and every path parameter it provides."""

    owner: Account
    body: dict[str, Any]
    values: dict[str, str]
    reader: Operation | None

    def path(self, op: Operation) -> str:
        return fill_path(op, **self.values)


async def create(api: httpx.AsyncClient, link: Link) -> Resource:
    """Create what `link` points into, through its source operation, as a fresh owner.

    A source that needs a token is called by a new account, which owns the result. A public
    source creates accounts (`register`): the account it creates is the owner, signed in with
    the credentials it was created with.
    """
    source = link.source
    body = valid_body(source)
    owner: Account | None = None
    headers: dict[str, str] = {}
    if access(source) != "public":
        owner = await sign_up(api)
        headers = owner.headers
    response = await call(api, source, headers=headers, **body_kwargs(source, body))
    assert response.status_code == link.status, f"{source}: {response.text}"
    created: dict[str, Any] = response.json()
    if owner is None:
        assert {"email", "password"} <= body.keys(), (
            f"{source} is public and creates something that is not an account: teach "
            "tests/support/walk.py who owns it"
        )
        tokens = await login(api, body["email"], body["password"])
        owner = Account(
            id=created["id"], email=body["email"], password=body["password"], tokens=tokens
        )
    values = {
        name: evaluate(expression, created)
        for other in links()
        if other.source == source and other.status == link.status
        for name, expression in other.parameters
    }
    return Resource(owner=owner, body=created, values=values, reader=reader_of(link))


def known_fields(caller: Account) -> dict[str, str]:
    """Body fields that only succeed with the caller's own secrets, by name."""
    return {
        "username": caller.email,
        "password": caller.password,
        "current_password": caller.password,
        "refresh_token": caller.tokens.refresh,
    }


def body_for(op: Operation, caller: Account) -> Any:
    body = valid_body(op)
    if isinstance(body, dict):
        known = known_fields(caller)
        body = {name: known.get(name, value) for name, value in body.items()}
    return body


def bearer_for(op: Operation, caller: Account | None) -> dict[str, str]:
    return caller.headers if caller is not None and access(op) != "public" else {}


@dataclass
class Prepared:
    """A request for `op` the contract says succeeds, and what it was made from."""

    op: Operation
    caller: Account
    owner: Account
    resource: Resource | None
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    async def send(
        self,
        api: httpx.AsyncClient,
        *,
        caller: Account | Literal["same"] | None = "same",
        body: Any = None,
        path: str | None = None,
        raw_content: Any = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send it: as `caller` (None: anonymously), with `body` or `path` instead of its own.

        `raw_content` (bytes or an async iterator of them) replaces the body as sent.
        """
        who = self.caller if caller == "same" else caller
        headers = {**bearer_for(self.op, who), **self.headers, **kwargs.pop("headers", {})}
        content = body if body is not None else self.body
        sent = body_kwargs(self.op, content) if self.op.has_body else {}
        if raw_content is not None:
            sent = {"content": raw_content}
        return await call(api, self.op, path=path or self.path, headers=headers, **sent, **kwargs)


async def emailed_token(api: httpx.AsyncClient, op: Operation, caller: Account) -> str:
    """Ask for the email that carries `op`'s token (its `x-emailed-token` operation, as
    `caller`, for `caller`'s address) and read the token from its link, as its owner would.

    Emails go to `.eml` files under the app's var dir (no SMTP in these apps): where
    `tests.support.clients.mails_in` says."""
    sender = by_id(raw(op)[EMAILED_TOKEN])
    folder = mail_folder(api)
    # The caller signed up: its welcome email first, so that it is not taken for the one asked.
    before = len(await wait_for_mails(lambda: eml_mails(folder), caller.email))
    kwargs = body_kwargs(sender, {"email": caller.email}) if sender.has_body else {}
    response = await call(api, sender, headers=bearer_for(sender, caller), **kwargs)
    assert response.is_success, f"{sender}: {response.text}"
    mails = await wait_for_mails(lambda: eml_mails(folder), caller.email, before + 1)
    return mails[-1].token


async def prepare(api: httpx.AsyncClient, op: Operation, superuser: Account) -> Prepared:
    """A fresh owner, the resource `op` acts on, and a request for `op` that must succeed."""
    link = source_of(op)
    resource = await create(api, link) if link is not None else None
    owner = resource.owner if resource is not None else await sign_up(api)
    caller = superuser if superuser_only(op) else owner
    body = body_for(op, caller) if op.has_body else None
    if EMAILED_TOKEN in raw(op):
        assert isinstance(body, dict), f"{op}: an emailed token goes in a body's `token`"
        body = {**body, "token": await emailed_token(api, op, caller)}
    path = resource.path(op) if resource is not None else fill_path(op)
    return Prepared(op=op, caller=caller, owner=owner, resource=resource, path=path, body=body)


async def snapshot(
    api: httpx.AsyncClient, resource: Resource, superuser: Account
) -> tuple[int, Any, str | None]:
    """The resource as a superuser reads it: status, body and ETag; compare before and after."""
    assert resource.reader is not None
    response = await call(
        api, resource.reader, path=resource.path(resource.reader), headers=superuser.headers
    )
    body = response.json() if response.content else None
    return response.status_code, body, response.headers.get("etag")


# Schemas


def properties_of(schema: Any) -> dict[str, Any]:
    """The top-level properties an object schema names, through `$ref` and `allOf`."""
    flat = specdoc.flatten(spec(), schema)
    return {name: written for name, (written, _) in flat.properties.items()}


def keys_of(schema: Any, seen: frozenset[int] = frozenset()) -> set[str]:
    """Every property name a schema names at any depth: what a response body may use as a key."""
    schema = resolve(schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen = seen | {id(schema)}
    found = set(schema.get("properties") or {})
    children = [*(schema.get("properties") or {}).values()]
    children += [
        schema[k] for k in ("items", "additionalProperties") if isinstance(schema.get(k), dict)
    ]
    children += [part for k in ("allOf", "anyOf", "oneOf") for part in schema.get(k, [])]
    for child in children:
        found |= keys_of(child, seen)
    return found


def success_schemas(op: Operation) -> list[Any]:
    """The body schema of each 2xx response the operation declares."""
    found = []
    for status, response in responses(op).items():
        if status.startswith("2"):
            for media in (response.get("content") or {}).values():
                if "schema" in media:
                    found.append(media["schema"])
    return found


def response_schema(op: Operation, status: int, media_type: str) -> Any | None:
    response = responses(op).get(str(status))
    if response is None:
        return None
    # The spec may name parameters with a media type (`text/plain; version=0.0.4`).
    content = {
        kind.split(";")[0].strip().lower(): media
        for kind, media in (response.get("content") or {}).items()
    }
    media = content.get(media_type)
    return media.get("schema") if media else None

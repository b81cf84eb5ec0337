"""What every owned, versioned resource (items, posts) must do, as checks their tests call.

Each check takes the resource's URL and the accounts involved; the test around it creates the
resource, names the operations it covers, and checks what is particular to its kind.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.contract import assert_problem
from tests.support.problems import issues, without_request
from tests.support.resources import (
    ITEMS,
    POSTS,
    create_item,
    create_post,
    random_id,
    read,
)


@dataclass(frozen=True)
class Kind:
    """Items or posts: what a check shared by both needs to know of the kind."""

    collection: str
    schema: str  # "Item", "Post": the contract's schema, and the end of the operationIds
    create: Callable[[httpx.AsyncClient, Account], Awaitable[dict[str, Any]]]  # one, as is

    @property
    def id_parameter(self) -> str:
        return f"{self.schema.lower()}_id"

    def operation(self, verb: str) -> str:
        """The operationId of `verb` ("update", "delete", ...) on this kind."""
        return f"{verb}{self.schema}"


KINDS = (Kind(ITEMS, "Item", create_item), Kind(POSTS, "Post", create_post))


def for_each_kind(*covers: tuple[str, int]) -> pytest.MarkDecorator:
    """Parametrise a test with `kind`, items and posts, each marked with the statuses it covers.

    `("update", 404)` marks the items run `covers("updateItem", 404)` and the posts run
    `covers("updatePost", 404)`.
    """
    return pytest.mark.parametrize(
        "kind",
        [
            pytest.param(
                kind,
                id=kind.collection.rsplit("/", 1)[-1],
                marks=[pytest.mark.covers(kind.operation(verb), status) for verb, status in covers],
            )
            for kind in KINDS
        ],
    )


async def patch_if_match(
    api: httpx.AsyncClient, url: str, account: Account, if_match: str, body: dict[str, Any]
) -> httpx.Response:
    """PATCH `url` as `account` on the condition `If-Match: if_match`."""
    return await api.patch(url, json=body, headers={**account.headers, "If-Match": if_match})


def missing_beside(url: str) -> str:
    """The URL of a resource that does not exist, in the collection of `url`."""
    return f"{url.rsplit('/', 1)[0]}/{random_id()}"


async def assert_refused(
    api: httpx.AsyncClient,
    url: str,
    account: Account,
    cases: list[tuple[dict[str, Any], tuple[str, str]]],
) -> None:
    """Each PATCH body is a 422 with exactly its one issue, and the resource stays as it was."""
    before = await read(api, url, account)
    for body, expected in cases:
        response = await api.patch(url, json=body, headers=account.headers)
        assert issues(assert_problem(response, 422, "ValidationProblem")) == [expected], body
    assert await read(api, url, account) == before


async def assert_nulls_refused(
    api: httpx.AsyncClient, url: str, account: Account, fields: tuple[str, ...], **also: Any
) -> None:
    """null for each field in `fields` is a 422 that names it, even sent with a valid change."""
    cases = [({field: None, **also}, (f"#/{field}", "null_not_allowed")) for field in fields]
    await assert_refused(api, url, account, cases)


async def assert_strangers_change_nothing(
    api: httpx.AsyncClient, url: str, owner: Account, stranger: Account, change: dict[str, Any]
) -> None:
    """`stranger`'s PATCH and DELETE of `url` get the 404 of a missing resource, whatever
    If-Match they send, and change nothing."""
    before = await read(api, url, owner)
    missing_url = missing_beside(url)

    missing_patch = assert_problem(
        await api.patch(missing_url, json=change, headers=stranger.headers), 404
    )
    if_matches: list[str | None] = [None, before[1], "*", '"999"', 'W/"1"']
    for if_match in if_matches:
        headers = (
            stranger.headers if if_match is None else {**stranger.headers, "If-Match": if_match}
        )
        response = await api.patch(url, json=change, headers=headers)
        problem = assert_problem(response, 404)
        assert without_request(problem) == without_request(missing_patch), if_match
        assert problem["instance"] == url
        assert "etag" not in response.headers

    missing_delete = assert_problem(await api.delete(missing_url, headers=stranger.headers), 404)
    response = await api.delete(url, headers=stranger.headers)
    assert without_request(assert_problem(response, 404)) == without_request(missing_delete)

    assert await read(api, url, owner) == before  # nothing changed, same version


async def assert_stale_then_deleted(
    api: httpx.AsyncClient, url: str, account: Account, stale: str
) -> None:
    """A PATCH with the `stale` ETag is a 412; a DELETE then removes the resource (204)."""
    assert_problem(await patch_if_match(api, url, account, stale, {"title": "x"}), 412)
    await delete(api, url, account)


async def delete(api: httpx.AsyncClient, url: str, account: Account) -> None:
    """DELETE `url` as `account`: a 204 with no body; deleting it again is a 404."""
    response = await api.delete(url, headers=account.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_problem(await api.delete(url, headers=account.headers), 404)


async def assert_list_refuses(
    api: httpx.AsyncClient,
    collection: str,
    cases: list[tuple[dict[str, str], tuple[str, str]]],
    *accounts: Account | None,
) -> None:
    """Each query is a 422 with exactly its one issue, to each account (None: anonymous)."""
    for params, expected in cases:
        for account in accounts:
            headers = account.headers if account is not None else {}
            response = await api.get(collection, params=params, headers=headers)
            assert issues(assert_problem(response, 422, "ValidationProblem")) == [expected], params

"""Items and posts alike: what only their owner (or a superuser) may do, on both databases.

The rules both kinds share run here once for each kind; tests/support/owned.py holds the checks
that test_items and test_posts call with what is particular to their kind.
"""

import httpx
import pytest

from tests.support.accounts import Account
from tests.support.contract import assert_problem
from tests.support.owned import Kind, for_each_kind
from tests.support.problems import issues
from tests.support.resources import random_id

pytestmark = pytest.mark.anyio


@for_each_kind(("update", 404), ("delete", 404))
async def test_changing_a_missing_one_is_404_even_for_a_superuser(
    api: httpx.AsyncClient, admin: Account, alice: Account, kind: Kind
) -> None:
    for account in (alice, admin):
        url = f"{kind.collection}/{random_id()}"
        for headers in ({}, {"If-Match": '"1"'}, {"If-Match": "*"}):
            response = await api.patch(
                url, json={"title": "x"}, headers={**account.headers, **headers}
            )
            assert assert_problem(response, 404)["type"] == "urn:problem-type:not-found"
        assert_problem(await api.delete(url, headers=account.headers), 404)


@for_each_kind(("get", 422), ("update", 422), ("delete", 422))
async def test_an_id_that_is_not_a_uuid_is_422(
    api: httpx.AsyncClient, alice: Account, kind: Kind
) -> None:
    url = f"{kind.collection}/not-a-uuid"
    for response in (
        await api.get(url),
        await api.patch(url, json={"title": "x"}, headers=alice.headers),
        await api.delete(url, headers=alice.headers),
    ):
        problem = assert_problem(response, 422, "ValidationProblem")
        assert issues(problem) == [(f"path.{kind.id_parameter}", "uuid_parsing")]

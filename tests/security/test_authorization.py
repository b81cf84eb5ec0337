"""OWASP API1:2023 Broken Object Level Authorization and API5:2023 Broken Function Level
Authorization, for every operation of the spec.

API5: an operation marked `x-superuser-only: true` answers 403 to any other account, even one
acting on itself, and changes nothing; every other operation serves a normal user.

API1: an operation that acts on an object by id (a path parameter some `link` gives) answers
another user's object exactly as it answers an object that does not exist (404, same problem),
and changes nothing; the owner, the control, succeeds. Public operations (`security: []`) serve
anyone's objects by contract; superuser-only ones answer 403 (API5) before looking.
"""

import httpx
import pytest

from tests.support.accounts import Account, sign_up
from tests.support.collection import every_operation
from tests.support.contract import assert_problem
from tests.support.operations import Operation, fill_path
from tests.support.walk import (
    SUPERUSER_ONLY,
    access,
    path_parameters,
    prepare,
    raw,
    snapshot,
    source_of,
    superuser_only,
)

pytestmark = pytest.mark.anyio


def problem_kind(response: httpx.Response) -> tuple[int, str, str, str]:
    """What a caller learns from a problem, leaving out what differs per request."""
    body = response.json()
    return response.status_code, body["type"], body["title"], body.get("detail", "")


@pytest.mark.parametrize("op", every_operation())
async def test_only_superusers_reach_administration(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    summary = raw(op).get("summary", "").lower()
    assert superuser_only(op) == ("superusers only" in summary), (
        f"{op}: its summary and `{SUPERUSER_ONLY}` disagree about who may call it"
    )
    prepared = await prepare(api, op, superuser)
    if not superuser_only(op):
        # Any account (the owner of what it acts on), or anyone for a public operation.
        response = await prepared.send(api, caller=prepared.owner)
        assert response.is_success, response.text
        return
    assert access(op) == "required", f"{op} is superuser-only but does not require a token"
    assert op.declares(403), f"{op} is superuser-only but does not declare 403"
    before = await snapshot(api, prepared.resource, superuser) if prepared.resource else None
    for caller in (await sign_up(api), prepared.owner):  # a stranger, and the account itself
        problem = assert_problem(await prepared.send(api, caller=caller), 403)
        assert problem["type"] == "urn:problem-type:permission-denied"
    if prepared.resource is not None:
        assert await snapshot(api, prepared.resource, superuser) == before
    response = await prepared.send(api)  # the control: the superuser may
    assert response.is_success, response.text


@pytest.mark.parametrize("op", every_operation())
async def test_another_users_object_is_a_404_and_stays_unchanged(
    api: httpx.AsyncClient, superuser: Account, op: Operation
) -> None:
    link = source_of(op)
    if link is None:
        # It names no object: it acts on the caller's own account, or lists, or creates.
        assert not path_parameters(op)
        return
    prepared = await prepare(api, op, superuser)
    assert prepared.resource is not None
    intruder = await sign_up(api)
    if access(op) == "public":
        # Anyone may see these objects by contract (an item, a user's list of items).
        response = await prepared.send(api, caller=intruder)
        assert response.is_success, response.text
        return
    expected = 403 if superuser_only(op) else 404
    assert op.declares(expected), f"{op} acts on objects by id but does not declare {expected}"
    before = await snapshot(api, prepared.resource, superuser)
    strangers: list[Account | None] = [intruder]
    if access(op) == "optional":
        strangers.append(None)  # an anonymous caller is a stranger too
    for stranger in strangers:
        response = await prepared.send(api, caller=stranger)
        assert_problem(response, expected)
        if expected == 404:
            # Exactly what a missing object gets: the id tells a stranger nothing.
            missing = await prepared.send(api, caller=stranger, path=fill_path(op))
            assert problem_kind(response) == problem_kind(missing)
    assert await snapshot(api, prepared.resource, superuser) == before
    response = await prepared.send(api)  # the control: the owner (or a superuser) may
    assert response.is_success, response.text

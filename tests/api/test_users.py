"""The `users` tag: your own account and the administration of all accounts, on both databases.

Every operation and every status code the contract lists for it (500 aside: see
test_middleware). Superusers come from the first-superuser settings, as in production.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.auth.tables import refresh_tokens
from app.db.database import Database
from app.users.tables import users
from tests.support.accounts import (
    LOGIN,
    ME,
    PASSWORD,
    REFRESH,
    REGISTER,
    USERS,
    Account,
    assert_no_secrets,
    bearer,
    new_email,
    register,
    sign_in,
    sign_up,
)
from tests.support.contract import assert_matches, assert_problem
from tests.support.problems import issues, without_request
from tests.support.timestamps import instant

pytestmark = pytest.mark.anyio

PASSWORD_URL = f"{ME}/password"
NEW_PASSWORD = "a brand new password"
ONE_MIB = 1024 * 1024
MASS_ASSIGNMENT = {
    "is_superuser": True,
    "is_active": False,
    "id": "0b7e7b5e-55c1-4f6e-9d3a-7f2b0c9a1e11",
    "hashed_password": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "email": "someone.else@example.com",
}


async def get_json(client: httpx.AsyncClient, url: str, account: Account) -> dict[str, Any]:
    response = await client.get(url, headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def get_user(client: httpx.AsyncClient, url: str, account: Account) -> dict[str, Any]:
    """GET the `User` at `url` as `account` (200): checked against the contract, no secrets."""
    body = await get_json(client, url, account)
    assert_matches(body, "User")
    assert_no_secrets(body)
    return body


async def scalar(app: FastAPI, query: Any) -> Any:
    database: Database = app.state.database
    return await database.read(lambda c: c.execute(query).scalar_one())


async def refresh_tokens_of(app: FastAPI, user_id: str) -> int:
    query = (
        select(func.count())
        .select_from(refresh_tokens)
        .where(refresh_tokens.c.user_id == uuid.UUID(user_id))
    )
    count: int = await scalar(app, query)
    return count


async def users_with_id(app: FastAPI, user_id: str) -> int:
    query = select(func.count()).select_from(users).where(users.c.id == uuid.UUID(user_id))
    count: int = await scalar(app, query)
    return count


# 401: every bearer operation, for every way of not being signed in


BEARER_OPERATIONS = [
    pytest.param("GET", ME, None, marks=pytest.mark.covers("getCurrentUser", 401), id="getMe"),
    pytest.param(
        "PATCH", ME, {"bio": "x"}, marks=pytest.mark.covers("updateCurrentUser", 401), id="patchMe"
    ),
    pytest.param(
        "PUT",
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        marks=pytest.mark.covers("changePassword", 401),
        id="changePassword",
    ),
    pytest.param(
        "DELETE", ME, None, marks=pytest.mark.covers("deleteCurrentUser", 401), id="deleteMe"
    ),
    pytest.param("GET", USERS, None, marks=pytest.mark.covers("listUsers", 401), id="listUsers"),
    pytest.param("GET", "{user}", None, marks=pytest.mark.covers("getUser", 401), id="getUser"),
    pytest.param(
        "PATCH",
        "{user}",
        {"is_superuser": True},
        marks=pytest.mark.covers("updateUser", 401),
        id="updateUser",
    ),
    pytest.param(
        "DELETE", "{user}", None, marks=pytest.mark.covers("deleteUser", 401), id="deleteUser"
    ),
]
NOT_SIGNED_IN = {
    "no-header": {},
    "garbage-token": bearer("not.a.jwt"),
    "basic-scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
}


@pytest.mark.parametrize(("method", "url", "body"), BEARER_OPERATIONS)
@pytest.mark.parametrize("credentials", list(NOT_SIGNED_IN))
async def test_bearer_operations_are_401_without_a_valid_token(
    client: httpx.AsyncClient, method: str, url: str, body: Any, credentials: str
) -> None:
    # A real account as the target: the 401 must not depend on the target existing.
    victim = await sign_up(client)
    before = await get_json(client, ME, victim)
    response = await client.request(
        method, url.format(user=victim.url), json=body, headers=NOT_SIGNED_IN[credentials]
    )
    problem = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert problem["type"] == "urn:problem-type:unauthenticated"
    assert await get_json(client, ME, victim) == before  # nothing changed
    assert (
        await client.post(LOGIN, data={"username": victim.email, "password": PASSWORD})
    ).is_success


# getCurrentUser


@pytest.mark.covers("getCurrentUser", 200)
async def test_get_current_user_is_the_account_without_secrets(client: httpx.AsyncClient) -> None:
    email = new_email()
    registered = await register(client, email.upper(), full_name="Ada Lovelace")
    account = await sign_in(client, email, PASSWORD)
    response = await client.get(ME, headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_matches(body, "User")
    assert_no_secrets(body)
    assert body == registered
    assert body["id"] == account.id
    assert body["email"] == email  # stored lower-cased
    assert body["full_name"] == "Ada Lovelace"
    assert body["bio"] is None
    assert body["is_active"] is True
    assert body["is_superuser"] is False
    assert body["created_at"] == body["updated_at"]


# updateCurrentUser


@pytest.mark.covers("updateCurrentUser", 200)
async def test_update_current_user_sets_clears_and_keeps_fields(client: httpx.AsyncClient) -> None:
    account = await sign_up(client, full_name="Before")
    original = await get_json(client, ME, account)

    response = await client.patch(
        ME, json={"full_name": "Grace Hopper", "bio": "Wrote a compiler."}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    first = response.json()
    assert_matches(first, "User")
    assert_no_secrets(first)
    assert first["full_name"] == "Grace Hopper"
    assert first["bio"] == "Wrote a compiler."
    assert first["created_at"] == original["created_at"]
    assert instant(first["updated_at"]) > instant(original["updated_at"])
    unchanged = {"id", "email", "is_active", "is_superuser", "created_at"}
    assert {k: first[k] for k in unchanged} == {k: original[k] for k in unchanged}
    assert await get_json(client, ME, account) == first  # stored, not only echoed

    # null clears; an absent field stays as it is.
    response = await client.patch(ME, json={"bio": None}, headers=account.headers)
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["bio"] is None
    assert second["full_name"] == "Grace Hopper"
    assert second["created_at"] == original["created_at"]
    assert instant(second["updated_at"]) > instant(first["updated_at"])
    assert await get_json(client, ME, account) == second

    # An empty body changes nothing but the time of the update.
    response = await client.patch(ME, json={}, headers=account.headers)
    assert response.status_code == 200, response.text
    third = response.json()
    assert {k: v for k, v in third.items() if k != "updated_at"} == {
        k: v for k, v in second.items() if k != "updated_at"
    }


@pytest.mark.covers("updateCurrentUser", 200)
async def test_a_bio_of_exactly_1000_characters_is_accepted(client: httpx.AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.patch(ME, json={"bio": "b" * 1000}, headers=account.headers)
    assert response.status_code == 200, response.text
    assert (await get_json(client, ME, account))["bio"] == "b" * 1000


@pytest.mark.covers("updateCurrentUser", 422)
@pytest.mark.parametrize("field", list(MASS_ASSIGNMENT))
async def test_update_current_user_refuses_mass_assignment(
    client: httpx.AsyncClient, field: str
) -> None:
    value = MASS_ASSIGNMENT[field]
    account = await sign_up(client)
    before = await get_json(client, ME, account)
    response = await client.patch(
        ME, json={"full_name": "Mallory", field: value}, headers=account.headers
    )
    body = assert_problem(response, 422, "ValidationProblem")
    assert set(issues(body)) == {(f"#/{field}", "extra_forbidden")}
    # Refused as a whole: not even the allowed field was written.
    assert await get_json(client, ME, account) == before
    assert (
        await client.post(LOGIN, data={"username": account.email, "password": PASSWORD})
    ).is_success


@pytest.mark.covers("updateCurrentUser", 422)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"bio": "b" * 1001}, ("#/bio", "string_too_long"), id="bio-1001"),
        pytest.param({"full_name": "n" * 101}, ("#/full_name", "string_too_long"), id="name-101"),
        pytest.param({"bio": 7}, ("#/bio", "string_type"), id="bio-not-a-string"),
    ],
)
async def test_update_current_user_refuses_values_the_contract_forbids(
    client: httpx.AsyncClient, body: dict[str, Any], expected: tuple[str, str]
) -> None:
    account = await sign_up(client)
    before = await get_json(client, ME, account)
    problem = assert_problem(
        await client.patch(ME, json=body, headers=account.headers), 422, "ValidationProblem"
    )
    assert set(issues(problem)) == {expected}
    assert await get_json(client, ME, account) == before


# 413 and 415 on every operation with a JSON body


JSON_BODY_OPERATIONS = [
    pytest.param(
        "PATCH", ME, {"bio": "x"}, marks=pytest.mark.covers("updateCurrentUser", 415, 413), id="me"
    ),
    pytest.param(
        "PUT",
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        marks=pytest.mark.covers("changePassword", 415, 413),
        id="password",
    ),
    pytest.param(
        "PATCH",
        "{user}",
        {"bio": "x"},
        marks=pytest.mark.covers("updateUser", 415, 413),
        id="user",
    ),
]


@pytest.mark.parametrize(("method", "url", "body"), JSON_BODY_OPERATIONS)
@pytest.mark.parametrize("status", [415, 413])
async def test_a_body_that_is_not_json_is_415_and_one_over_one_mib_is_413(
    api: httpx.AsyncClient,
    admin: Account,
    method: str,
    url: str,
    body: dict[str, Any],
    status: int,
) -> None:
    """Either is refused whole: nothing of it changes the account, which signs in as before."""
    target = await sign_up(api)
    caller = target if url != "{user}" else admin
    before = await get_json(api, ME, target)
    content_type, content, detail = {
        # Valid JSON: only the media type is wrong.
        415: (
            "text/plain",
            json.dumps(body).encode(),
            "Send the body as application/json, not text/plain.",
        ),
        413: (
            "application/json",
            b'{"bio": "' + b"x" * ONE_MIB + b'"}',
            f"The request body is larger than {ONE_MIB} bytes.",
        ),
    }[status]
    response = await api.request(
        method,
        url.format(user=target.url),
        content=content,
        headers={**caller.headers, "Content-Type": content_type},
    )
    assert assert_problem(response, status)["detail"] == detail
    assert await get_json(api, ME, target) == before
    assert (await api.post(LOGIN, data={"username": target.email, "password": PASSWORD})).is_success


# changePassword


@pytest.mark.covers("changePassword", 204)
async def test_change_password_swaps_the_password_and_revokes_refresh_tokens(
    api: httpx.AsyncClient, app: FastAPI
) -> None:
    account = await sign_up(api)
    other_session = await sign_in(api, account.email, PASSWORD, account.id)
    bystander = await sign_up(api)
    response = await api.put(
        PASSWORD_URL,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert response.status_code == 204, response.text
    assert response.content == b""

    old = await api.post(LOGIN, data={"username": account.email, "password": PASSWORD})
    assert_problem(old, 401)
    assert (
        await api.post(LOGIN, data={"username": account.email, "password": NEW_PASSWORD})
    ).is_success
    # Every session of the account is over; another account's is not.
    for session in (account, other_session):
        refused = await api.post(REFRESH, json={"refresh_token": session.tokens.refresh})
        assert_problem(refused, 401)
    kept = await api.post(REFRESH, json={"refresh_token": bystander.tokens.refresh})
    assert kept.status_code == 200, kept.text


@pytest.mark.covers("changePassword", 400)
async def test_change_password_with_a_wrong_current_password_is_400(
    client: httpx.AsyncClient,
) -> None:
    account = await sign_up(client)
    response = await client.put(
        PASSWORD_URL,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    body = assert_problem(response, 400)
    assert body["type"] == "urn:problem-type:invalid-request"
    assert body["detail"] == "The current password is wrong."
    assert "www-authenticate" not in response.headers  # signed in; only the password is wrong
    # Nothing changed: the old password and the session still work.
    assert (
        await client.post(LOGIN, data={"username": account.email, "password": PASSWORD})
    ).is_success
    new = await client.post(LOGIN, data={"username": account.email, "password": NEW_PASSWORD})
    assert_problem(new, 401)
    refreshed = await client.post(REFRESH, json={"refresh_token": account.tokens.refresh})
    assert refreshed.status_code == 200, refreshed.text


@pytest.mark.covers("changePassword", 422)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {"current_password": PASSWORD, "new_password": "short7!"},
            {("#/new_password", "string_too_short")},
            id="new-too-short",
        ),
        pytest.param(
            {"current_password": PASSWORD, "new_password": "n" * 129},
            {("#/new_password", "string_too_long")},
            id="new-too-long",
        ),
        pytest.param(
            {"current_password": PASSWORD},
            {("#/new_password", "missing")},
            id="new-missing",
        ),
        pytest.param(
            {"current_password": "", "new_password": NEW_PASSWORD},
            {("#/current_password", "string_too_short")},
            id="current-empty",
        ),
        pytest.param(
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "user_id": "x"},
            {("#/user_id", "extra_forbidden")},
            id="unknown-field",
        ),
    ],
)
async def test_change_password_refuses_bodies_the_contract_forbids(
    client: httpx.AsyncClient, body: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    account = await sign_up(client)
    response = await client.put(PASSWORD_URL, json=body, headers=account.headers)
    problem = assert_problem(response, 422, "ValidationProblem")
    assert set(issues(problem)) == expected
    assert (
        await client.post(LOGIN, data={"username": account.email, "password": PASSWORD})
    ).is_success


# deleteCurrentUser


@pytest.mark.covers("deleteCurrentUser", 204)
async def test_delete_current_user_removes_the_account_and_its_sessions(
    api: httpx.AsyncClient, app: FastAPI
) -> None:
    account = await sign_up(api)
    await sign_in(api, account.email, PASSWORD, account.id)  # a second session
    bystander = await sign_up(api)
    assert await refresh_tokens_of(app, account.id) == 2

    response = await api.delete(ME, headers=account.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""

    assert_problem(await api.get(ME, headers=account.headers), 401)
    assert_problem(await api.delete(ME, headers=account.headers), 401)  # not twice
    assert await users_with_id(app, account.id) == 0
    assert await refresh_tokens_of(app, account.id) == 0  # ON DELETE CASCADE
    refused = await api.post(REFRESH, json={"refresh_token": account.tokens.refresh})
    assert_problem(refused, 401)
    gone = await api.post(LOGIN, data={"username": account.email, "password": PASSWORD})
    assert_problem(gone, 401)
    # The email is free again, for a new account with a new id.
    again = await register(api, account.email)
    assert again["id"] != account.id
    # Nobody else lost anything.
    assert await refresh_tokens_of(app, bystander.id) == 1
    assert (await api.get(ME, headers=bystander.headers)).status_code == 200


# listUsers


async def all_pages(api: httpx.AsyncClient, admin: Account, size: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await api.get(USERS, params={"page": page, "size": size}, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if not body["items"]:
            return found
        found.extend(body["items"])
        page += 1


@pytest.mark.covers("listUsers", 200)
async def test_list_users_pages_through_every_account(
    api: httpx.AsyncClient, admin: Account
) -> None:
    registered = [await register(api) for _ in range(4)]  # with the superuser: 5 accounts
    expected_ids = [admin.id] + [user["id"] for user in registered]  # in creation order

    pages = []
    for page in (1, 2, 3, 4):
        response = await api.get(USERS, params={"page": page, "size": 2}, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert_matches(body, "UserPage")
        assert_no_secrets(body)
        assert {k: body[k] for k in ("total", "page", "size", "pages")} == {
            "total": 5,
            "page": page,
            "size": 2,
            "pages": 3,
        }
        pages.append(body["items"])
    assert [len(items) for items in pages] == [2, 2, 1, 0]
    listed = [user for items in pages for user in items]
    assert [user["id"] for user in listed] == expected_ids
    assert listed[1:] == registered  # the same User documents that register returned
    assert listed[0]["is_superuser"] is True

    response = await api.get(USERS, headers=admin.headers)  # defaults: page 1, size 20
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("total", "page", "size", "pages")} == {
        "total": 5,
        "page": 1,
        "size": 20,
        "pages": 1,
    }
    assert [user["id"] for user in body["items"]] == expected_ids


@pytest.mark.covers("listUsers", 200)
async def test_list_users_breaks_created_at_ties_by_id(
    api: httpx.AsyncClient, admin: Account, app: FastAPI
) -> None:
    for _ in range(4):
        await register(api)
    same_moment = datetime(2026, 1, 1, tzinfo=UTC)
    database: Database = app.state.database
    await database.write(lambda c: c.execute(update(users).values(created_at=same_moment)))
    # Pages of every size agree on one order: so no account is skipped or shown twice.
    orders = [[user["id"] for user in await all_pages(api, admin, size)] for size in (1, 2, 3, 5)]
    by_id = sorted(orders[0], key=uuid.UUID)
    assert len(by_id) == 5
    assert all(order == by_id for order in orders), orders


@pytest.mark.covers("listUsers", 403)
async def test_list_users_is_403_for_a_normal_user(client: httpx.AsyncClient) -> None:
    account = await sign_up(client)
    response = await client.get(USERS, headers=account.headers)
    body = assert_problem(response, 403)
    assert body["type"] == "urn:problem-type:permission-denied"
    assert "www-authenticate" not in response.headers
    assert account.email not in response.text


@pytest.mark.covers("listUsers", 422)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"page": 0}, ("query.page", "greater_than_equal"), id="page-0"),
        pytest.param({"page": 10001}, ("query.page", "less_than_equal"), id="page-10001"),
        pytest.param({"size": 0}, ("query.size", "greater_than_equal"), id="size-0"),
        pytest.param({"size": 101}, ("query.size", "less_than_equal"), id="size-101"),
        pytest.param({"page": "two"}, ("query.page", "int_parsing"), id="page-not-a-number"),
    ],
)
async def test_list_users_refuses_pages_outside_the_contract(
    api: httpx.AsyncClient, admin: Account, params: dict[str, Any], expected: tuple[str, str]
) -> None:
    response = await api.get(USERS, params=params, headers=admin.headers)
    body = assert_problem(response, 422, "ValidationProblem")
    assert set(issues(body)) == {expected}


@pytest.mark.covers("listUsers", 200)
async def test_list_users_accepts_the_largest_page_and_size(
    api: httpx.AsyncClient, admin: Account
) -> None:
    response = await api.get(USERS, params={"page": 10000, "size": 100}, headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == []
    assert (body["total"], body["page"], body["size"], body["pages"]) == (1, 10000, 100, 1)


# getUser


@pytest.mark.covers("getUser", 200)
async def test_get_user_shows_your_own_account(client: httpx.AsyncClient) -> None:
    account = await sign_up(client)
    assert await get_user(client, account.url, account) == await get_json(client, ME, account)


@pytest.mark.covers("getUser", 404)
async def test_another_users_account_is_indistinguishable_from_a_missing_one(
    client: httpx.AsyncClient,
) -> None:
    caller = await sign_up(client)
    other = await sign_up(client)
    theirs = await client.get(other.url, headers=caller.headers)
    missing = await client.get(f"{USERS}/{uuid.uuid4()}", headers=caller.headers)
    theirs_body = assert_problem(theirs, 404)
    missing_body = assert_problem(missing, 404)
    assert without_request(theirs_body) == without_request(missing_body)
    assert theirs_body["instance"] == other.url
    assert other.email not in theirs.text
    per_request = {"x-request-id", "server-timing"}
    assert {k: v for k, v in theirs.headers.items() if k not in per_request} == {
        k: v for k, v in missing.headers.items() if k not in per_request
    }


@pytest.mark.covers("getUser", 200, 404)
async def test_a_superuser_sees_any_account_and_404_for_unknown_ids(
    api: httpx.AsyncClient, admin: Account
) -> None:
    other = await sign_up(api, full_name="Someone")
    assert await get_user(api, other.url, admin) == await get_json(api, ME, other)

    missing = await api.get(f"{USERS}/{uuid.uuid4()}", headers=admin.headers)
    problem = assert_problem(missing, 404)
    assert problem["type"] == "urn:problem-type:not-found"


@pytest.mark.covers("getUser", 422)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "12345", "0" * 33])
async def test_get_user_refuses_an_id_that_is_not_a_uuid(
    client: httpx.AsyncClient, bad_id: str
) -> None:
    account = await sign_up(client)
    response = await client.get(f"{USERS}/{bad_id}", headers=account.headers)
    body = assert_problem(response, 422, "ValidationProblem")
    assert [(e["location"], e["code"]) for e in body["errors"]] == [
        ("path.user_id", "uuid_parsing")
    ]


# updateUser


@pytest.mark.covers("updateUser", 200)
async def test_a_superuser_updates_any_account_including_its_flags(
    api: httpx.AsyncClient, admin: Account
) -> None:
    target = await sign_up(api, full_name="Old name")
    before = await get_json(api, ME, target)
    changes = {"full_name": "New name", "bio": "Promoted.", "is_superuser": True}
    response = await api.patch(target.url, json=changes, headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_matches(body, "User")
    assert_no_secrets(body)
    assert {k: body[k] for k in changes} == changes
    assert body["is_active"] is True  # absent: unchanged
    assert (body["id"], body["email"], body["created_at"]) == (
        before["id"],
        before["email"],
        before["created_at"],
    )
    assert instant(body["updated_at"]) > instant(before["updated_at"])
    assert await get_json(api, target.url, admin) == body

    # The promoted account's existing token now carries superuser rights.
    listed = await api.get(USERS, headers=target.headers)
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 2

    # And the superuser may take them away again, or clear a field with null.
    response = await api.patch(
        target.url, json={"is_superuser": False, "bio": None}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert (response.json()["is_superuser"], response.json()["bio"]) == (False, None)
    assert response.json()["full_name"] == "New name"
    assert_problem(await api.get(USERS, headers=target.headers), 403)


@pytest.mark.covers("updateUser", 200)
async def test_a_deactivated_account_can_neither_use_its_token_nor_sign_in(
    api: httpx.AsyncClient, admin: Account
) -> None:
    target = await sign_up(api)
    response = await api.patch(target.url, json={"is_active": False}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False

    refused = await api.get(ME, headers=target.headers)
    assert_problem(refused, 401)
    assert refused.headers["www-authenticate"] == "Bearer"
    login = await api.post(LOGIN, data={"username": target.email, "password": PASSWORD})
    assert_problem(login, 401)
    refresh = await api.post(REFRESH, json={"refresh_token": target.tokens.refresh})
    assert_problem(refresh, 401)

    # Reactivated, the account works again.
    response = await api.patch(target.url, json={"is_active": True}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert (await api.get(ME, headers=target.headers)).status_code == 200


@pytest.mark.covers("updateUser", 403)
@pytest.mark.parametrize("whose", ["another", "own"])
async def test_update_user_is_403_for_a_normal_user(api: httpx.AsyncClient, whose: str) -> None:
    caller = await sign_up(api)
    target = caller if whose == "own" else await sign_up(api)
    before = await get_json(api, ME, target)
    response = await api.patch(
        target.url, json={"is_superuser": True, "full_name": "Mallory"}, headers=caller.headers
    )
    body = assert_problem(response, 403)
    assert body["type"] == "urn:problem-type:permission-denied"
    assert await get_json(api, ME, target) == before
    assert_problem(await api.get(USERS, headers=caller.headers), 403)  # still not a superuser


@pytest.mark.covers("updateUser", 404)
async def test_update_user_is_404_for_an_unknown_account(
    api: httpx.AsyncClient, admin: Account
) -> None:
    unknown = uuid.uuid4()
    response = await api.patch(f"{USERS}/{unknown}", json={"bio": "x"}, headers=admin.headers)
    body = assert_problem(response, 404)
    assert body["type"] == "urn:problem-type:not-found"
    assert await users_count(api, admin) == 1  # nothing was created


async def users_count(api: httpx.AsyncClient, admin: Account) -> int:
    total: int = (await get_json(api, USERS, admin))["total"]
    return total


@pytest.mark.covers("updateUser", 422)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"email": "new@example.com"}, ("#/email", "extra_forbidden"), id="email"),
        pytest.param({"hashed_password": "x"}, ("#/hashed_password", "extra_forbidden"), id="hash"),
        pytest.param(
            {"id": "0b7e7b5e-55c1-4f6e-9d3a-7f2b0c9a1e11"}, ("#/id", "extra_forbidden"), id="id"
        ),
        pytest.param({"bio": "b" * 1001}, ("#/bio", "string_too_long"), id="bio-1001"),
        pytest.param({"is_active": None}, ("#/is_active", "null_not_allowed"), id="is_active-null"),
        pytest.param(
            {"is_superuser": None}, ("#/is_superuser", "null_not_allowed"), id="is_superuser-null"
        ),
    ],
)
async def test_update_user_refuses_bodies_the_contract_forbids(
    api: httpx.AsyncClient, admin: Account, body: dict[str, Any], expected: tuple[str, str]
) -> None:
    target = await sign_up(api)
    before = await get_json(api, ME, target)
    response = await api.patch(target.url, json=body, headers=admin.headers)
    problem = assert_problem(response, 422, "ValidationProblem")
    assert set(issues(problem)) == {expected}
    assert await get_json(api, ME, target) == before


@pytest.mark.covers("updateUser", 422)
async def test_update_user_refuses_an_id_that_is_not_a_uuid(
    api: httpx.AsyncClient, admin: Account
) -> None:
    response = await api.patch(f"{USERS}/nope", json={"bio": "x"}, headers=admin.headers)
    body = assert_problem(response, 422, "ValidationProblem")
    assert ("path.user_id", "uuid_parsing") in set(issues(body))


# A superuser cannot lock themselves out through the admin operations (found by fuzzing: a
# fuzzer holding the only superuser token deactivated that very account).


@pytest.mark.covers("updateUser", 200, 403)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"is_active": False}, id="deactivate"),
        pytest.param({"is_superuser": False}, id="demote"),
    ],
)
async def test_a_superuser_may_not_deactivate_or_demote_their_own_account(
    api: httpx.AsyncClient, admin: Account, change: dict[str, bool]
) -> None:
    response = await api.patch(admin.url, json={"bio": "gone", **change}, headers=admin.headers)
    body = assert_problem(response, 403)
    assert body["type"] == "urn:problem-type:permission-denied"
    me = await get_json(api, ME, admin)
    assert (me["is_active"], me["is_superuser"], me["bio"]) == (True, True, None)
    # Anything else on their own account still goes, flags set to what they already are too.
    same = {"bio": "still here", "is_active": True, "is_superuser": True}
    response = await api.patch(admin.url, json=same, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["bio"] == "still here"


@pytest.mark.covers("deleteUser", 403)
async def test_a_superuser_may_not_delete_their_own_account_through_delete_user(
    api: httpx.AsyncClient, admin: Account, app: FastAPI
) -> None:
    body = assert_problem(await api.delete(admin.url, headers=admin.headers), 403)
    assert body["type"] == "urn:problem-type:permission-denied"
    assert await users_with_id(app, admin.id) == 1
    assert (await api.get(ME, headers=admin.headers)).status_code == 200


# deleteUser


@pytest.mark.covers("deleteUser", 204, 404)
async def test_a_superuser_deletes_an_account_once(
    api: httpx.AsyncClient, admin: Account, app: FastAPI
) -> None:
    target = await sign_up(api)
    bystander = await sign_up(api)
    response = await api.delete(target.url, headers=admin.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""

    assert await users_with_id(app, target.id) == 0
    assert await refresh_tokens_of(app, target.id) == 0
    assert_problem(await api.get(target.url, headers=admin.headers), 404)
    assert_problem(await api.get(ME, headers=target.headers), 401)
    again = await api.delete(target.url, headers=admin.headers)
    body = assert_problem(again, 404)
    assert body["type"] == "urn:problem-type:not-found"
    assert (await api.get(ME, headers=bystander.headers)).status_code == 200
    assert await users_count(api, admin) == 2


@pytest.mark.covers("deleteUser", 403)
@pytest.mark.parametrize("whose", ["another", "own", "superuser"])
async def test_delete_user_is_403_for_a_normal_user(
    api: httpx.AsyncClient, admin: Account, app: FastAPI, whose: str
) -> None:
    caller = await sign_up(api)
    target = {"own": caller, "superuser": admin}.get(whose) or await sign_up(api)
    response = await api.delete(target.url, headers=caller.headers)
    body = assert_problem(response, 403)
    assert body["type"] == "urn:problem-type:permission-denied"
    assert await users_with_id(app, target.id) == 1
    assert (await api.get(ME, headers=target.headers)).status_code == 200


@pytest.mark.covers("deleteUser", 403)
async def test_delete_user_of_an_unknown_id_is_403_not_404_for_a_normal_user(
    client: httpx.AsyncClient,
) -> None:
    # Authorization comes first: a normal user learns nothing about which ids exist.
    caller = await sign_up(client)
    response = await client.delete(f"{USERS}/{uuid.uuid4()}", headers=caller.headers)
    assert_problem(response, 403)


@pytest.mark.covers("deleteUser", 422)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "me-too"])
async def test_delete_user_refuses_an_id_that_is_not_a_uuid(
    api: httpx.AsyncClient, admin: Account, bad_id: str
) -> None:
    response = await api.delete(f"{USERS}/{bad_id}", headers=admin.headers)
    body = assert_problem(response, 422, "ValidationProblem")
    assert [(e["location"], e["code"]) for e in body["errors"]] == [
        ("path.user_id", "uuid_parsing")
    ]
    assert await users_count(api, admin) == 1


# The account's register link and getUser agree


@pytest.mark.covers("getUser", 200)
async def test_the_location_of_a_new_account_is_its_get_user_url(
    api: httpx.AsyncClient, admin: Account
) -> None:
    response = await api.post(REGISTER, json={"email": new_email(), "password": PASSWORD})
    assert response.status_code == 201, response.text
    fetched = await api.get(response.headers["location"], headers=admin.headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == response.json()

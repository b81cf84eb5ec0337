"""A burst of password work: bounded hashing answers 503 with Retry-After, never a 500.

Hashing runs on `APP_PASSWORD_HASH_CONCURRENCY` threads with `APP_PASSWORD_HASH_QUEUE` more
waiting (app/auth/passwords.py). Here both are tiny and the hashes are at the OWASP floor
(tens of ms each), so a burst of logins is sure to overflow: the overflow gets the contract's
ServiceUnavailable, the rest sign in, and afterwards everyone can. On both databases.
"""

import asyncio
from collections import Counter

import pytest

from app.main import create_app
from app.settings import ARGON2_FLOOR_MEMORY_KIB, ARGON2_FLOOR_TIME_COST, Settings
from tests.support.accounts import LOGIN, PASSWORD, REGISTER, login, new_email
from tests.support.clients import started
from tests.support.contract import assert_problem

pytestmark = pytest.mark.anyio

ACCOUNTS, LOGINS_EACH = 4, 4  # 16 logins: under the per-address limit of 20 a minute


@pytest.mark.covers("login", 200, 503)
async def test_a_burst_of_logins_past_the_queue_gets_503_with_retry_after(
    settings: Settings,
) -> None:
    tiny = settings.model_copy(
        update={
            "argon2_memory_kib": ARGON2_FLOOR_MEMORY_KIB,
            "argon2_time_cost": ARGON2_FLOOR_TIME_COST,
            "password_hash_concurrency": 1,
            "password_hash_queue": 1,
        }
    )
    async for client in started(create_app(tiny)):
        emails = [new_email("burst") for _ in range(ACCOUNTS)]
        for email in emails:  # one at a time: each waits for the one before
            response = await client.post(REGISTER, json={"email": email, "password": PASSWORD})
            assert response.status_code == 201, response.text

        burst = [
            client.post(LOGIN, data={"username": email, "password": PASSWORD})
            for email in emails
            for _ in range(LOGINS_EACH)
        ]
        responses = await asyncio.gather(*burst)

        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) == {200, 503}, statuses  # no 500, no 401: nobody was misjudged
        # One hashing and one waiting at any moment: at least the first two get through.
        assert statuses[200] >= 2, statuses
        assert statuses[503] >= 1, statuses
        for response in responses:
            if response.status_code == 503:
                body = assert_problem(response, 503)
                assert body["type"] == "urn:problem-type:unavailable"
                assert response.headers["retry-after"] == "1"
        # The burst over, every account signs in.
        for email in emails:
            await login(client, email, PASSWORD)

"""A password-reset request for an unknown email answers like one for a known email: the same
status and body, and the same time (median within 5 ms over 50 tries each, interleaved), so
neither the answer nor its timing tells which emails have accounts."""

import statistics
import time

import pytest

from app.main import create_app
from app.settings import Settings
from tests.support.accounts import new_email, sign_up
from tests.support.clients import started
from tests.support.mailbox import smtp_inbox

pytestmark = pytest.mark.anyio

RESET = "/api/v1/auth/password-reset"
TRIES = 50
MEDIAN_GAP_S = 0.005


async def test_known_and_unknown_emails_take_the_same_time(settings: Settings) -> None:
    with smtp_inbox() as inbox:
        # Without rate limits: 100 requests for two emails from one address is the point here.
        app = create_app(
            Settings(
                **{**settings.model_dump(), "smtp_url": inbox.url, "rate_limit_enabled": False}
            )
        )
        async for api in started(app):
            known = (await sign_up(api)).email
            unknown = new_email("nobody")
            timings: dict[str, list[float]] = {known: [], unknown: []}
            bodies = set()
            for _ in range(TRIES):
                for email in (known, unknown):
                    started_at = time.perf_counter()
                    response = await api.post(RESET, json={"email": email})
                    timings[email].append(time.perf_counter() - started_at)
                    assert response.status_code == 202
                    bodies.add(response.text)
            assert len(bodies) == 1
            medians = {email: statistics.median(times) for email, times in timings.items()}
            print(  # the figures the README quotes (pytest -s)
                f"reset request medians over {TRIES} tries: known "
                f"{medians[known] * 1000:.2f} ms, unknown {medians[unknown] * 1000:.2f} ms"
            )
            assert abs(medians[known] - medians[unknown]) < MEDIAN_GAP_S, medians

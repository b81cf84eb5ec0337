"""The settings the security suite's app runs with: one allowed origin and a body limit to probe."""

from pathlib import Path

from app.settings import Settings
from tests.support.accounts import with_superuser
from tests.support.settings import app_settings, sqlite_url

ALLOWED_ORIGIN = "https://app.example"
MAX_BODY = 64 * 1024  # room for the longest field (50,000 characters), so each is a 422


def hardened_settings(folder: Path) -> Settings:
    """Settings as in production where the suite probes them, with a first superuser."""
    return with_superuser(
        app_settings(
            sqlite_url(folder, "security.db"),
            folder,
            max_body_bytes=MAX_BODY,
            cors_origins=[ALLOWED_ORIGIN],
            # On, as in production, but out of reach of a suite that signs up hundreds of users.
            rate_limit_auth="100000/minute",
            # Emailed tokens are read from the mails (tests/support/walk.py): soon after asked.
            outbox_poll_s=0.1,
        )
    )

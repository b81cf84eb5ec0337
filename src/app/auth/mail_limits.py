"""A per-account limit on emails sent on request (password resets, verification links).

The rate-limit middleware counts requests per client address; this counts them per email
address, from any client, so nobody can flood one inbox from many addresses. Unknown emails
are counted exactly like known ones: the answer past the limit (429 with Retry-After) says
nothing about whether an account has the address. As in app/auth/guesses.py, the key is an
HMAC of the lower-cased email under the secret key, and a storage that fails lets the
request through (logged).
"""

import hashlib
import hmac
import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from prometheus_client import Counter

from app.errors import RateLimited

log = logging.getLogger("app.rate_limit")
NAMESPACE = "account-mails"


class MailsPerAccount:
    def __init__(
        self,
        storage: Storage,
        limit: str,
        secret: str,
        *,
        enabled: bool,
        refusals: Counter | None = None,
    ) -> None:
        self._limiter = FixedWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(limit)
        self._secret = secret.encode()
        self._enabled = enabled
        self._refusals = refusals

    async def take(self, email: str) -> None:
        """Count one email to `email`; RateLimited past the limit."""
        if not self._enabled:
            return
        key = hmac.new(self._secret, email.lower().encode(), hashlib.sha256).hexdigest()[:32]
        try:
            if await self._limiter.hit(self._item, NAMESPACE, key):
                return
            stats = await self._limiter.get_window_stats(self._item, NAMESPACE, key)
        except Exception:
            log.exception("rate limit storage failed; letting an email request through")
            return
        if self._refusals is not None:
            self._refusals.inc()
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"Too many emails asked for this address; try again in {retry_after} s.",
            retry_after,
        )

"""A per-account limit on wrong passwords, whichever client address the guesses come from.

The rate-limit middleware counts per client address; an attacker with many addresses gets
its limit once per address. This counts wrong passwords per account (`login`, and
`changePassword`'s current password, in one budget): past `APP_LOGIN_FAILURES_PER_ACCOUNT`
the next attempts answer 429 with Retry-After before any password is checked, so no hash is
spent and the answer says nothing about the password, nor whether the account exists
(unknown emails are counted the same way).

How it counts (the `limits` library, the middleware's storage: memory or Redis):
- Each attempt takes a place in the window *before* its password is checked, so concurrent
  guesses cannot all slip in under the limit. A right password (or a check that never ran:
  503, a dropped connection) gives its place back; a wrong one keeps it. So only failures
  stay counted, and a success never clears the failures before it: the account's owner
  signing in does not hand an attacker a fresh allowance.
- The window is fixed, starting at the first counted failure: the limit lifts at most
  `window` seconds after it, which is what Retry-After says.
- The key is an HMAC of the lower-cased email under the secret key: no email in Redis, and
  a copy of Redis does not tell which accounts are under attack.
- A storage that fails lets the attempt through (logged), as the middleware does.
"""

import hashlib
import hmac
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from prometheus_client import Counter

from app.errors import RateLimited

log = logging.getLogger("app.rate_limit")
NAMESPACE = "wrong-passwords"


class Guess:
    """One password check under way; `failed()` keeps its place in the count."""

    def __init__(self) -> None:
        self.wrong = False

    def failed(self) -> None:
        self.wrong = True


class WrongPasswords:
    def __init__(
        self,
        storage: Storage,
        limit: str,
        secret: str,
        *,
        enabled: bool,
        refusals: Counter | None = None,
    ) -> None:
        """`refusals` is counted once for every attempt refused past the limit."""
        self._refusals = refusals
        self._storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(limit)
        self._secret = secret.encode()
        self._enabled = enabled

    def _key(self, email: str) -> str:
        return hmac.new(self._secret, email.lower().encode(), hashlib.sha256).hexdigest()[:32]

    @asynccontextmanager
    async def guess(self, email: str) -> AsyncIterator[Guess]:
        """A password check for the account `email`; RateLimited, unchecked, past the limit."""
        guess = Guess()
        if not self._enabled:
            yield guess
            return
        key = self._key(email)
        reserved = await self._reserve(key)
        try:
            yield guess
        finally:
            if reserved and not guess.wrong:
                await self._give_back(key)

    async def _reserve(self, key: str) -> bool:
        """Take a place in the account's window; False if the storage could not count."""
        try:
            if await self._limiter.hit(self._item, NAMESPACE, key):
                return True
            stats = await self._limiter.get_window_stats(self._item, NAMESPACE, key)
        except Exception:
            log.exception("rate limit storage failed; letting a password check through")
            return False
        if self._refusals is not None:
            self._refusals.inc()
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"Too many wrong passwords for this account; try again in {retry_after} s.",
            retry_after,
        )

    async def _give_back(self, key: str) -> None:
        try:
            await self._storage.incr(
                self._item.key_for(NAMESPACE, key), self._item.get_expiry(), amount=-1
            )
        except Exception:
            log.exception("rate limit storage failed; a right password stays counted")

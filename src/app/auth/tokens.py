"""JWT access and refresh tokens (PyJWT, HS256 only).

Every claim is required when decoding, the algorithm is an allow-list of one, and a token's
`typ` must be the kind asked for: an access token is never accepted as a refresh token, nor
the other way round.
"""

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from app.settings import Settings

ALGORITHM = "HS256"
REQUIRED = ["sub", "exp", "iat", "nbf", "iss", "aud", "jti", "typ"]
Kind = Literal["access", "refresh"]
# Access tokens verified before, by their exact text (signature included), so a forged or
# altered token never matches. Verifying costs ~45 us (PyJWT, measured) on every request; a
# hit costs a dict lookup and the expiry check. The account is still loaded per request.
VERIFIED_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """The token is malformed, forged, expired, not yet valid or of the wrong kind."""


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: uuid.UUID
    token_id: str
    expires_at: datetime


def fingerprint(token: str) -> str:
    """What the database stores of a refresh token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, settings: Settings) -> None:
        self._key = settings.secret_key.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.access_ttl = timedelta(minutes=settings.access_token_minutes)
        self.refresh_ttl = timedelta(days=settings.refresh_token_days)
        self._verified: dict[str, tuple[Claims, float]] = {}

    def issue(self, kind: Kind, user_id: uuid.UUID, now: datetime) -> tuple[str, datetime]:
        expires_at = now + (self.access_ttl if kind == "access" else self.refresh_ttl)
        claims = {
            "sub": str(user_id),
            "iat": now,
            "nbf": now,
            "exp": expires_at,
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid.uuid4().hex,
            "typ": kind,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), expires_at

    def decode(self, token: str, kind: Kind) -> Claims:
        if kind == "access" and (hit := self._verified.get(token)) is not None:
            claims, expires = hit
            if time.time() < expires:  # PyJWT's own rule: expired once now >= exp
                return claims
            del self._verified[token]
            raise InvalidToken("Signature has expired")
        claims = self._verify(token, kind)
        if kind == "access":
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest entry
            self._verified[token] = (claims, claims.expires_at.timestamp())
        return claims

    def _verify(self, token: str, kind: Kind) -> Claims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED},
            )
            if claims["typ"] != kind:
                raise InvalidToken(f"not an {kind} token")
            return Claims(
                user_id=uuid.UUID(str(claims["sub"])),
                token_id=str(claims["jti"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise InvalidToken(str(exc)) from exc

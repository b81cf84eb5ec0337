"""JWT access and refresh tokens (PyJWT, HS256 only).

Every claim is required when decoding, the algorithm is an allow-list of one, and a token's
`typ` must be the kind asked for: an access token is never accepted as a refresh token, nor
the other way round.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from app.settings import Settings

ALGORITHM = "HS256"
REQUIRED = ["sub", "exp", "iat", "nbf", "iss", "aud", "jti", "typ"]
Kind = Literal["access", "refresh"]


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

"""Forged JWTs, built with PyJWT directly: each one valid but for exactly one defect.

`claims_for` gives the claims the service itself would issue; a test first shows that those,
signed with `sign`, are accepted, so that each forgery is refused for its defect alone.
"""

import base64
import json
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.settings import Settings
from tests.support.settings import TEST_SECRET

# Deliberately spelled out rather than imported from app.auth.tokens: dropping a claim from
# the app's list must make a test fail.
REQUIRED_CLAIMS = ("sub", "exp", "iat", "nbf", "iss", "aud", "jti", "typ")
OTHER_SECRET = "another-secret-key-just-as-long-as-the-real-one"

Claims = dict[str, Any]
Forgery = Callable[[Claims], str]


def claims_for(
    user_id: str | uuid.UUID,
    settings: Settings,
    kind: str = "access",
    now: datetime | None = None,
) -> Claims:
    now = now or datetime.now(UTC)
    return {
        "sub": str(user_id),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=15),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": uuid.uuid4().hex,
        "typ": kind,
    }


def sign(claims: Claims, key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # HS512 wants 64 bytes
        return jwt.encode(claims, key, algorithm=algorithm)


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, default=lambda d: int(d.timestamp())).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(claims: Claims) -> str:
    """`alg: none`: header and payload, empty signature."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def without(claim: str) -> Forgery:
    return lambda claims: sign({k: v for k, v in claims.items() if k != claim})


def _shifted(claims: Claims, by: timedelta) -> Claims:
    return {**claims, **{name: claims[name] + by for name in ("iat", "nbf", "exp")}}


def _tampered(claims: Claims) -> str:
    """A genuine signature over the original payload, with the payload swapped for another."""
    header, _, signature = sign(claims).split(".")
    return f"{header}.{_b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}"


FORGERIES: dict[str, Forgery] = {
    "expired": lambda c: sign(_shifted(c, -timedelta(minutes=20))),
    "not-yet-valid": lambda c: sign({**c, "nbf": c["nbf"] + timedelta(minutes=5)}),
    "wrong-signature": lambda c: sign(c, key=OTHER_SECRET),
    "tampered-payload": _tampered,
    "alg-none": unsigned,
    "hs512-right-key": lambda c: sign(c, algorithm="HS512"),
    "wrong-issuer": lambda c: sign({**c, "iss": "someone-else"}),
    "wrong-audience": lambda c: sign({**c, "aud": "someone-else"}),
    "sub-not-a-uuid": lambda c: sign({**c, "sub": "admin"}),
    "unknown-type": lambda c: sign({**c, "typ": "id"}),
    "garbage": lambda _c: "not-a-jwt",
}

"""`app.auth.tokens`: what the service issues, and every defect that makes decoding refuse."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from app.auth.tokens import InvalidToken, Kind, Tokens, fingerprint
from app.settings import Settings
from tests.support.settings import TEST_SECRET
from tests.support.tokens import FORGERIES, REQUIRED_CLAIMS, claims_for, sign, without

KINDS: list[Kind] = ["access", "refresh"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Overrides conftest's `settings`: no database here, so no run per database either.
    return Settings(secret_key=TEST_SECRET, var_dir=tmp_path)


@pytest.fixture
def tokens(settings: Settings) -> Tokens:
    return Tokens(settings)


@pytest.mark.parametrize("kind", KINDS)
def test_an_issued_token_decodes_to_its_user(tokens: Tokens, kind: Kind) -> None:
    user_id, now = uuid.uuid4(), datetime.now(UTC)
    token, expires_at = tokens.issue(kind, user_id, now)
    claims = tokens.decode(token, kind)
    assert claims.user_id == user_id
    assert claims.expires_at == expires_at.replace(microsecond=0)
    assert tokens.decode(tokens.issue(kind, user_id, now)[0], kind).token_id != claims.token_id


@pytest.mark.parametrize("kind", KINDS)
def test_an_issued_token_carries_every_required_claim_and_hs256(
    tokens: Tokens, settings: Settings, kind: Kind
) -> None:
    token, _ = tokens.issue(kind, uuid.uuid4(), datetime.now(UTC))
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(REQUIRED_CLAIMS) <= set(payload)
    assert payload["typ"] == kind
    assert payload["iss"] == settings.jwt_issuer
    assert payload["aud"] == settings.jwt_audience


@pytest.mark.parametrize(
    ("kind", "lifetime"),
    [("access", timedelta(minutes=15)), ("refresh", timedelta(days=7))],
)
def test_default_lifetimes(tokens: Tokens, kind: Kind, lifetime: timedelta) -> None:
    token, _ = tokens.issue(kind, uuid.uuid4(), datetime.now(UTC))
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == lifetime.total_seconds()


def test_lifetimes_come_from_settings(tmp_path: Path) -> None:
    tokens = Tokens(
        Settings(
            secret_key=TEST_SECRET, var_dir=tmp_path, access_token_minutes=5, refresh_token_days=2
        )
    )
    assert tokens.access_ttl == timedelta(minutes=5)
    now = datetime.now(UTC)
    assert tokens.issue("refresh", uuid.uuid4(), now)[1] == now + timedelta(days=2)


@pytest.mark.parametrize(("issued", "asked"), [("access", "refresh"), ("refresh", "access")])
def test_one_kind_is_never_accepted_as_the_other(tokens: Tokens, issued: Kind, asked: Kind) -> None:
    token, _ = tokens.issue(issued, uuid.uuid4(), datetime.now(UTC))
    with pytest.raises(InvalidToken):
        tokens.decode(token, asked)


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_past_its_lifetime_is_refused(tokens: Tokens, kind: Kind) -> None:
    lifetime = tokens.access_ttl if kind == "access" else tokens.refresh_ttl
    issued_at = datetime.now(UTC) - lifetime - timedelta(seconds=2)
    token, _ = tokens.issue(kind, uuid.uuid4(), issued_at)
    with pytest.raises(InvalidToken):
        tokens.decode(token, kind)


def test_a_token_of_another_issuer_and_audience_is_refused(tmp_path: Path) -> None:
    ours = Tokens(Settings(secret_key=TEST_SECRET, var_dir=tmp_path))
    theirs = Tokens(
        Settings(secret_key=TEST_SECRET, var_dir=tmp_path, jwt_issuer="x", jwt_audience="y")
    )
    token, _ = theirs.issue("access", uuid.uuid4(), datetime.now(UTC))
    assert theirs.decode(token, "access")
    with pytest.raises(InvalidToken):
        ours.decode(token, "access")


@pytest.mark.parametrize("kind", KINDS)
def test_a_hand_built_token_with_the_right_claims_is_accepted(
    tokens: Tokens, settings: Settings, kind: Kind
) -> None:
    """The control for the forgeries below: the baseline they start from is valid."""
    user_id = uuid.uuid4()
    assert tokens.decode(sign(claims_for(user_id, settings, kind)), kind).user_id == user_id


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_token_is_refused(
    tokens: Tokens, settings: Settings, kind: Kind, forgery: str
) -> None:
    token = FORGERIES[forgery](claims_for(uuid.uuid4(), settings, kind))
    with pytest.raises(InvalidToken):
        tokens.decode(token, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_every_claim_is_required(
    tokens: Tokens, settings: Settings, kind: Kind, claim: str
) -> None:
    token = without(claim)(claims_for(uuid.uuid4(), settings, kind))
    with pytest.raises(InvalidToken):
        tokens.decode(token, kind)


def test_the_stored_fingerprint_is_a_sha256_not_the_token(tokens: Tokens) -> None:
    token, _ = tokens.issue("refresh", uuid.uuid4(), datetime.now(UTC))
    stored = fingerprint(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert len(stored) == 64
    assert token not in stored


def test_a_verified_access_token_still_expires_when_served_from_the_cache(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, expires_at = tokens.issue("access", uuid.uuid4(), datetime.now(UTC))
    first = tokens.decode(token, "access")  # verified by PyJWT, then cached
    assert tokens.decode(token, "access") == first
    monkeypatch.setattr("app.auth.tokens.time.time", lambda: expires_at.timestamp())
    with pytest.raises(InvalidToken, match="expired"):
        tokens.decode(token, "access")
    assert token not in tokens._verified  # dropped, so PyJWT decides from now on


def test_an_altered_copy_of_a_cached_token_is_verified_and_refused(tokens: Tokens) -> None:
    token, _ = tokens.issue("access", uuid.uuid4(), datetime.now(UTC))
    tokens.decode(token, "access")
    header, payload, signature = token.split(".")
    altered = ".".join(
        [header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")]
    )
    with pytest.raises(InvalidToken):
        tokens.decode(altered, "access")


def test_a_cached_access_token_is_no_refresh_token(tokens: Tokens) -> None:
    token, _ = tokens.issue("access", uuid.uuid4(), datetime.now(UTC))
    tokens.decode(token, "access")
    with pytest.raises(InvalidToken):
        tokens.decode(token, "refresh")


def test_the_verified_cache_is_bounded(tokens: Tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.auth.tokens.VERIFIED_CACHE_SIZE", 3)
    issued = [tokens.issue("access", uuid.uuid4(), datetime.now(UTC))[0] for _ in range(5)]
    for token in issued:
        tokens.decode(token, "access")
    assert len(tokens._verified) == 3
    assert list(tokens._verified) == issued[2:]  # the oldest went first

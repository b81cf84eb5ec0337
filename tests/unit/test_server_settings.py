"""The settings `python -m app serve` reads: which proxies to believe, how long to drain, wait."""

import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.support.settings import TEST_SECRET


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(secret_key=TEST_SECRET, database_url="sqlite:///:memory:")


def test_no_proxy_is_believed_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # uvicorn's variable is not ours
    assert _settings(monkeypatch).forwarded_allow_ips == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.0.0.7", ["10.0.0.7"]),
        ("10.0.0.7, 10.1.0.0/16,::1", ["10.0.0.7", "10.1.0.0/16", "::1"]),  # uvicorn's form
        ('["10.0.0.7", "fd00::/8"]', ["10.0.0.7", "fd00::/8"]),
        ("", []),
    ],
)
def test_proxies_are_addresses_or_networks(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]
) -> None:
    settings = _settings(monkeypatch, APP_FORWARDED_ALLOW_IPS=value)
    assert settings.forwarded_allow_ips == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("*", "would let any client choose its address"),
        ("10.0.0.300", "'10.0.0.300' is not an IP address or network"),
        ("proxy.internal", "'proxy.internal' is not an IP address or network"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not an IP address or network"),  # host bits set
    ],
)
def test_anything_else_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(monkeypatch, APP_FORWARDED_ALLOW_IPS=value)


def test_shutdown_defaults_fit_kubernetes_default_grace_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(monkeypatch)
    # terminationGracePeriodSeconds defaults to 30 s: drain and grace end well before SIGKILL.
    assert settings.shutdown_drain_s + settings.shutdown_grace_s <= 25


@pytest.mark.parametrize(
    "env",
    [
        {"APP_SHUTDOWN_DRAIN_S": "-1"},
        {"APP_SHUTDOWN_GRACE_S": "0"},
        {"APP_SHUTDOWN_GRACE_S": "1.5"},
    ],
)
def test_shutdown_times_out_of_range_are_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        _settings(monkeypatch, **env)

"""The health probes, on SQLite and PostgreSQL; readiness fails cleanly without a database."""

from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.support.clients import started
from tests.support.contract import assert_matches, assert_problem
from tests.support.settings import TEST_HOSTS, TEST_SECRET

pytestmark = pytest.mark.anyio


@pytest.mark.covers("getLiveness", 200)
async def test_liveness_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_matches(response.json(), "HealthStatus")


@pytest.mark.covers("getReadiness", 200)
async def test_readiness_queries_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert_matches(response.json(), "ReadinessStatus")


@pytest.mark.covers("getReadiness", 503)
@pytest.mark.parametrize(
    "missing_database",
    [
        pytest.param("sqlite:///{tmp}/no/such/dir/app.db", id="sqlite"),
        # Port 1 on loopback: nothing listens there, so the connection is refused at once.
        pytest.param("postgresql+asyncpg://postgres@127.0.0.1:1/test", id="postgresql"),
    ],
)
async def test_readiness_is_503_when_the_database_is_not_there(
    missing_database: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=missing_database.format(tmp=tmp_path),
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        auto_migrate=False,
        allowed_hosts=TEST_HOSTS,
    )
    async for client in started(create_app(settings)):
        ready = await client.get("/health/ready")
        body = assert_problem(ready, 503)
        assert body["detail"] == "The database did not answer."
        assert "asyncpg" not in ready.text
        assert "sqlite" not in ready.text.lower()
        live = await client.get("/health/live")
        assert live.status_code == 200

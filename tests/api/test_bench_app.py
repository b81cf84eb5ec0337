"""The app `nox -s bench` serves: the service plus two constant routes kept out of the contract."""

from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from perf.bench_app import BARE_PATH, CONSTANT_PATH, create_bench_app
from tests.support.settings import FAST_HASHING, TEST_HOSTS, TEST_SECRET

pytestmark = pytest.mark.anyio


async def test_constant_routes_answer_outside_the_contract(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bench.db'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        allowed_hosts=TEST_HOSTS,
        **FAST_HASHING,
    )
    transport = httpx.ASGITransport(app=create_bench_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        bare = await client.get(BARE_PATH)
        constant = await client.get(CONSTANT_PATH)
        spec = (await client.get("/openapi.json")).json()
    assert bare.status_code == constant.status_code == 200
    assert bare.json() == constant.json() == {"status": "ok"}
    # The bare route has no middleware; the constant one sits behind the service's.
    assert "x-request-id" not in bare.headers
    assert "x-request-id" in constant.headers
    assert not [path for path in spec["paths"] if path.startswith("/bench")]


async def test_the_constant_route_is_asked_first_and_changes_no_other_answer(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bench.db'}",
        secret_key=TEST_SECRET,
        var_dir=tmp_path / "var",
        allowed_hosts=TEST_HOSTS,
        **FAST_HASHING,
    )
    app = create_bench_app(settings)
    assert getattr(app.service.router.routes[0], "path", None) == CONSTANT_PATH
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        live = await client.get("/health/live")
        missing = await client.get(CONSTANT_PATH + "/more")
    assert live.status_code == 200
    assert missing.status_code == 404

"""/openapi.json, /docs and /redoc serve the contract itself, not FastAPI's derived schema."""

import httpx
import pytest
import yaml

from app.main import create_app
from app.settings import Settings
from app.spec import document
from tests.support.contract import SPEC_PATH, spec

pytestmark = pytest.mark.anyio


async def test_openapi_json_is_the_contract(sqlite_client: httpx.AsyncClient) -> None:
    response = await sqlite_client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == spec()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_doc_pages_render_the_contract(sqlite_client: httpx.AsyncClient, page: str) -> None:
    response = await sqlite_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


def test_the_shipped_contract_is_the_spec() -> None:
    from importlib.resources import files

    shipped = files("contract").joinpath("openapi.yaml").read_text()
    assert yaml.safe_load(shipped) == yaml.safe_load(SPEC_PATH.read_text())


async def test_the_spec_is_rendered_when_asked_for_not_at_start_up(
    sqlite_settings: Settings,
) -> None:
    """The service reads the operation index; /openapi.json renders the spec once, when asked."""
    document.cache_clear()
    app = create_app(sqlite_settings)
    assert document.cache_info().misses == 0
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/openapi.json")).json() == spec()
    assert document.cache_info().misses == 1

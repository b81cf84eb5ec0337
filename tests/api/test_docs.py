"""/openapi.json, /docs and /redoc serve the contract itself, with every file they load.

The served document is the spec with `servers` naming the origin the request came to. The
pages name no other host; tests/browser/ opens them in a real browser with the network cut.
"""

import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

from app.main import create_app
from app.settings import Settings
from app.spec import SERVER_DESCRIPTION, STATIC, assets, document, vendored
from tests.support.contract import SPEC_PATH, spec
from tests.support.served import served

pytestmark = pytest.mark.anyio


def served_spec(origin: str) -> dict[str, object]:
    return {**spec(), "servers": [{"url": origin, "description": SERVER_DESCRIPTION}]}


async def test_openapi_json_is_the_contract_served_from_here(
    sqlite_client: httpx.AsyncClient,
) -> None:
    response = await sqlite_client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == served_spec("http://testserver")
    assert spec()["servers"] != response.json()["servers"]  # the file names the default port


async def test_servers_is_the_host_and_port_asked_for(sqlite_client: httpx.AsyncClient) -> None:
    response = await sqlite_client.get("http://localhost:9321/openapi.json")
    assert response.json()["servers"] == served_spec("http://localhost:9321")["servers"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_doc_pages_load_everything_from_this_server(
    sqlite_client: httpx.AsyncClient, page: str
) -> None:
    response = await sqlite_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text
    assert not re.search(r"(?i)(https?:)?//[a-z0-9]", response.text), "names another host"
    loaded = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert loaded, response.text
    for url in loaded:
        asset = await sqlite_client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_swagger_ui_asks_no_validator(sqlite_client: httpx.AsyncClient) -> None:
    """Swagger UI's default sends the document's URL to a public validator for a badge."""
    text = (await sqlite_client.get("/docs")).text
    assert '"validatorUrl": null' in text


async def test_each_asset_is_the_file_vendored(sqlite_client: httpx.AsyncClient) -> None:
    for asset in assets().values():
        response = await sqlite_client.get(asset.url)
        assert response.status_code == 200
        assert response.headers["content-type"] == asset.media_type
        recorded = vendored()[asset.package]["sha256"][asset.name]
        assert hashlib.sha256(response.content).hexdigest() == recorded


def test_the_vendored_files_are_what_the_record_says_with_their_licences() -> None:
    """app/static/vendored.json is what `nox -s vendor_docs` wrote: a hand edit shows here."""
    record = vendored()
    assert set(record) == {"swagger-ui-dist", "redoc"}
    for package, entry in record.items():
        folder = Path(str(STATIC.joinpath(package)))
        on_disk = {path.name for path in folder.iterdir()}
        assert on_disk == set(entry["sha256"]), package
        assert "LICENSE" in on_disk
        assert entry["license"] in {"Apache-2.0", "MIT"}
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"])
        assert entry["integrity"].startswith("sha512-")
        for name, digest in entry["sha256"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


async def test_an_unknown_asset_is_a_404_problem(sqlite_client: httpx.AsyncClient) -> None:
    response = await sqlite_client.get("/docs/assets/redoc@0.0.0/redoc.standalone.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


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
        assert (await client.get("/openapi.json")).json() == served_spec("http://testserver")
        assert (await client.get("http://localhost/openapi.json")).status_code == 200
    assert document.cache_info().misses == 1


@pytest.mark.slow
def test_behind_a_trusted_proxy_servers_is_the_proxy_s_scheme(tmp_path: Path) -> None:
    """A real server: uvicorn applies X-Forwarded-Proto from the proxies the service trusts."""
    settings = {"APP_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with served(tmp_path, settings) as server:
        port = server.base_url.rsplit(":", 1)[1]
        direct = httpx.get(f"{server.base_url}/openapi.json", timeout=10)
        proxied = httpx.get(
            f"{server.base_url}/openapi.json",
            headers={"X-Forwarded-Proto": "https", "Host": f"localhost:{port}"},
            timeout=10,
        )
    assert json.loads(direct.content)["servers"][0]["url"] == server.base_url
    assert proxied.json()["servers"][0]["url"] == f"https://localhost:{port}"

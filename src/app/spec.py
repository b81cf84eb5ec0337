"""The contract as people read it: /openapi.json, /docs and /redoc, with nothing from elsewhere.

They serve the spec itself (`contract.document`, the YAML as data the generator emits), not
FastAPI's derivation of it. The served document's `servers` is the origin the request came to
(scheme, host and port, after the proxy headers uvicorn trusts; the host is one the allowed-hosts
layer let in), so "Try it out" calls the server that served the page, on whatever port and
behind whatever proxy. Swagger UI and ReDoc come from app/static/ (npm's swagger-ui-dist and
redoc, vendored by `nox -s vendor_docs`, which records versions and licences in
vendored.json): the pages load no script, style sheet, font or icon from another host.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from contract.api import TITLE
from contract.document import DOCUMENT

STATIC = files("app").joinpath("static")
ASSETS = "/docs/assets"
ASSET_ROUTE = ASSETS + "/{asset_path:path}"
PAGES = ("/openapi.json", "/docs", "/redoc")
# The asset URLs name their package's version: a new version is a new URL, so a browser may
# keep each file for good.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
# The pages may load and call this server alone, whatever their scripts ask: ReDoc 2's sidebar,
# for one, always shows its vendor's logo from a CDN. Inline scripts and styles: FastAPI's page
# starts Swagger UI with one, and both apps style themselves at run time; ReDoc's search runs
# in a worker it makes from a blob.
PAGE_POLICY = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
}
SERVER_DESCRIPTION = "The server that served this document."
# Swagger UI would send the document's URL to its public validator and show the verdict as an
# image: off, like everything else that would leave the machine.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}


@dataclass(frozen=True)
class Asset:
    package: str
    name: str
    version: str

    @property
    def url(self) -> str:
        return f"{ASSETS}/{self.package}@{self.version}/{self.name}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.name[self.name.rindex(".") :]]


def vendored() -> dict[str, Any]:
    """app/static/vendored.json: each package's version, licence, npm integrity and files."""
    loaded: dict[str, Any] = json.loads(STATIC.joinpath("vendored.json").read_text())
    return loaded


def assets() -> dict[str, Asset]:
    """The files the pages load, by name (licence texts are shipped but not served)."""
    record = vendored()
    return {
        name: Asset(package, name, record[package]["version"])
        for package, name in (
            ("swagger-ui-dist", "swagger-ui-bundle.js"),
            ("swagger-ui-dist", "swagger-ui.css"),
            ("swagger-ui-dist", "favicon-32x32.png"),
            ("redoc", "redoc.standalone.js"),
        )
    }


@cache
def document() -> bytes:
    """The spec as compact JSON less its `servers`, built on the first request for it (not at
    start-up); each response puts its own origin in front."""
    rest = {key: value for key, value in DOCUMENT.items() if key != "servers"}
    return json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()


def served_document(origin: str) -> bytes:
    """The spec with `servers` naming `origin` alone (`document()` always has `openapi`)."""
    servers = json.dumps([{"url": origin, "description": SERVER_DESCRIPTION}])
    return b'{"servers":' + servers.encode() + b"," + document()[1:]


def origin(request: Request) -> str:
    """Scheme, host, port and mount path the request came to: Starlette's `base_url`."""
    return str(request.base_url).rstrip("/")


def documentation_paths() -> frozenset[str]:
    """Every path of the documentation (what the response headers let browsers cache)."""
    return frozenset({*PAGES, *(a.url for a in assets().values())})


def documentation_routes() -> frozenset[str]:
    """The route templates `docs_router` adds: the pages, and one route for every asset."""
    return frozenset({*PAGES, ASSET_ROUTE})


def _assets_route(loaded: dict[str, Asset]) -> Callable[[str], Awaitable[Response]]:
    """One route for every asset, not one each: the router tries the routes in turn for every
    request, ~10,000 instructions (~1 us) for each route it passes over (callgrind)."""
    by_path = {asset.url.removeprefix(f"{ASSETS}/"): asset for asset in loaded.values()}

    async def serve_asset(asset_path: str) -> Response:
        asset = by_path.get(asset_path)
        if asset is None:
            raise HTTPException(status_code=404)  # the same 404 problem as an unknown path
        return Response(_read(asset), media_type=asset.media_type, headers=IMMUTABLE)

    return serve_asset


@cache
def _read(asset: Asset) -> bytes:
    return STATIC.joinpath(asset.package, asset.name).read_bytes()


def docs_router(route_class: type[APIRoute] = APIRoute) -> APIRouter:
    """/openapi.json, /docs and /redoc serving the contract itself, and their assets."""
    router = APIRouter(include_in_schema=False, route_class=route_class)
    loaded = assets()

    def prefix(request: Request) -> str:
        """The path the app is mounted at behind a proxy (`--root-path`), as FastAPI's own do."""
        root_path: str = request.scope.get("root_path", "")
        return root_path.rstrip("/")

    @router.get("/openapi.json")
    async def openapi_json(request: Request) -> Response:
        return Response(served_document(origin(request)), media_type="application/json")

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        at = prefix(request)
        page = get_swagger_ui_html(
            openapi_url=f"{at}/openapi.json",
            title=f"{TITLE} - Swagger UI",
            swagger_js_url=at + loaded["swagger-ui-bundle.js"].url,
            swagger_css_url=at + loaded["swagger-ui.css"].url,
            swagger_favicon_url=at + loaded["favicon-32x32.png"].url,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
        page.headers.update(PAGE_POLICY)
        return page

    @router.get("/redoc")
    async def redoc(request: Request) -> HTMLResponse:
        at = prefix(request)
        page = get_redoc_html(
            openapi_url=f"{at}/openapi.json",
            title=f"{TITLE} - ReDoc",
            redoc_js_url=at + loaded["redoc.standalone.js"].url,
            redoc_favicon_url=at + loaded["favicon-32x32.png"].url,
            with_google_fonts=False,
        )
        page.headers.update(PAGE_POLICY)
        return page

    router.add_api_route(ASSET_ROUTE, _assets_route(loaded), methods=["GET"])
    return router

"""The contract as people read it: /openapi.json, /docs and /redoc.

They serve the spec itself (`contract.document`, the YAML as data the generator emits), not
FastAPI's derivation of it.
"""

import json
from functools import cache

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from contract.api import TITLE
from contract.document import DOCUMENT


@cache
def document() -> bytes:
    """The spec as compact JSON, built on the first request for it rather than at start-up."""
    return json.dumps(DOCUMENT, ensure_ascii=False, separators=(",", ":")).encode()


def docs_router() -> APIRouter:
    """/openapi.json, /docs and /redoc serving the contract itself."""
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_json() -> Response:
        return Response(document(), media_type="application/json")

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{TITLE} - Swagger UI")

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{TITLE} - ReDoc")

    return router

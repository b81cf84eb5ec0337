"""The contract as people read it: /openapi.json, /docs and /redoc, from the shipped spec.

The service itself reads the operation index (`contract.api`), not this document: the spec is
parsed on the first request for /openapi.json, not at start-up.
"""

import json
from functools import cache
from importlib.resources import files

import yaml
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from contract.api import TITLE


@cache
def document() -> bytes:
    """The spec shipped inside the `contract` package, as compact JSON."""
    text = files("contract").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return json.dumps(yaml.safe_load(text), ensure_ascii=False, separators=(",", ":")).encode()


def docs_router() -> APIRouter:
    """/openapi.json, /docs and /redoc serving the contract itself, not FastAPI's derivation."""
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_json() -> Response:
        # Parsing the YAML takes ~80 ms once: off the event loop.
        return Response(await run_in_threadpool(document), media_type="application/json")

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{TITLE} - Swagger UI")

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{TITLE} - ReDoc")

    return router

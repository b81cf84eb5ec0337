"""The contract as the app serves it: the spec shipped inside the `contract` package."""

import json
from importlib.resources import files
from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse, Response


def load() -> dict[str, Any]:
    text = files("contract").joinpath("openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


def docs_router(spec: dict[str, Any]) -> APIRouter:
    """/openapi.json, /docs and /redoc serving the contract itself, not FastAPI's derivation."""
    title = str(spec.get("info", {}).get("title", "API"))
    body = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode()
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_json() -> Response:
        return Response(body, media_type="application/json")

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{title} - Swagger UI")

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{title} - ReDoc")

    return router

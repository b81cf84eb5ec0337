"""The generated routes accept exactly what the contract says, and the drift check can tell."""

from fastapi import APIRouter, Query

from app.main import create_app
from app.settings import Settings
from tests.support.contract import minimal_spec, spec
from tests.support.drift import derived, drift


def test_the_generated_routes_match_the_contract(sqlite_settings: Settings) -> None:
    app = create_app(sqlite_settings)
    assert drift(spec(), derived(app.state.routes)) == []


SIZE = {
    "name": "size",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
}
LIST_WIDGETS = {
    "operationId": "listWidgets",
    "parameters": [SIZE],
    "responses": {"200": {"description": "ok"}, "422": {"description": "bad"}},
}
CONTRACT = minimal_spec({"/widgets": {"get": LIST_WIDGETS}})


def _router(*, le: int | None) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/widgets",
        operation_id="listWidgets",
        responses={200: {"description": "ok"}, 422: {"description": "bad"}},
    )
    async def list_widgets(size: int = Query(20, ge=1, le=le)) -> None:
        return None

    return router


def test_a_route_with_all_constraints_shows_no_drift() -> None:
    assert drift(CONTRACT, derived(_router(le=100).routes)) == []


def test_a_dropped_maximum_is_caught() -> None:
    problems = drift(CONTRACT, derived(_router(le=None).routes))
    assert problems == [
        "GET /widgets: parameter query.size maximum is None, contract says 100",
    ]


def test_a_changed_operation_id_status_or_media_type_is_caught() -> None:
    changed = derived(_router(le=100).routes)
    operation = changed["paths"]["/widgets"]["get"]
    operation["operationId"] = "getWidgets"
    operation["responses"]["404"] = {"description": "extra"}
    operation["requestBody"] = {"content": {"text/plain": {}}}
    problems = drift(CONTRACT, changed)
    assert any("operationId 'getWidgets'" in p for p in problems)
    assert any("status codes" in p and "'404'" in p for p in problems)
    assert any("request media types ['text/plain']" in p for p in problems)

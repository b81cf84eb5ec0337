"""`PrefilteredRoute` answers `matches` exactly as FastAPI's `APIRoute`, only sooner."""

import string

from fastapi.routing import APIRoute
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match
from starlette.types import Scope

from app.main import create_app
from app.prefiltered_route import PrefilteredRoute
from app.settings import Settings

# Every template the service serves, and the kinds of parameter Starlette has.
TEMPLATES = sorted(
    {route.path for route in create_app(Settings(metrics_enabled=True)).state.routes}
    | {"/a/{n:int}/b", "/files/{rest:path}", "/x/{u:uuid}", "/{top}"}
)
# Text that might confuse a prefilter: separators, a final newline (`$` matches before it),
# characters regexes treat specially, the templates' own words.
PIECES = st.one_of(
    st.sampled_from(["/", "\n", "", ".", "{", "}", "me", "items", "api", "v1", "users"]),
    st.text(alphabet=string.ascii_letters + string.digits + "/-.\n%", max_size=12),
)


async def endpoint() -> None:
    """Never called: only `matches` is."""


def pair(template: str) -> tuple[APIRoute, PrefilteredRoute]:
    methods = ["GET"]
    return (
        APIRoute(template, endpoint, methods=methods),
        PrefilteredRoute(template, endpoint, methods=methods),
    )


def scope(path: str, method: str = "GET", root_path: str = "") -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": root_path}


def answer(route: APIRoute, scope: Scope) -> tuple[Match, dict[str, object]]:
    match, child = route.matches(dict(scope))
    return match, {key: value for key, value in child.items() if key != "route"}


@st.composite
def paths_near(draw: st.DrawFn, template: str) -> str:
    """A template with its parameters filled in, then perhaps cut, stretched or altered."""
    parts = template.replace("}", "{").split("{")
    path = "".join(draw(PIECES) if i % 2 else part for i, part in enumerate(parts))
    change = draw(st.sampled_from(["none", "newline", "cut", "append", "prepend", "replace"]))
    if change == "newline":
        path += "\n"
    elif change == "cut":
        path = path[: draw(st.integers(0, len(path)))]
    elif change == "append":
        path += draw(PIECES)
    elif change == "prepend":
        path = draw(PIECES) + path
    elif change == "replace" and path:
        at = draw(st.integers(0, len(path) - 1))
        path = path[:at] + draw(st.sampled_from("/x\n0")) + path[at + 1 :]
    return path


@settings(max_examples=600, deadline=None)
@given(data=st.data(), template=st.sampled_from(TEMPLATES), method=st.sampled_from(["GET", "PUT"]))
def test_every_route_answers_as_apiroute_does(
    data: st.DataObject, template: str, method: str
) -> None:
    plain, prefiltered = pair(template)
    # A path near this template, or near another one (the walk asks every route).
    path = data.draw(paths_near(data.draw(st.sampled_from([template, *TEMPLATES]))))
    for root_path in ("", "/behind/proxy"):
        given_scope = scope(path if not root_path else root_path + path, method, root_path)
        assert answer(prefiltered, given_scope) == answer(plain, given_scope), given_scope


def test_the_filled_in_templates_match_and_their_neighbours_do_not() -> None:
    """The property above could pass on routes that never match anything: these must."""
    plain, prefiltered = pair("/api/v1/items/{item_id}")
    for path, expected in [
        ("/api/v1/items/42", Match.FULL),
        ("/api/v1/items/42\n", Match.FULL),
        ("/api/v1/items/42/", Match.NONE),
        ("/api/v1/items", Match.NONE),
        ("/api/v1/itemsx/42", Match.NONE),
    ]:
        assert prefiltered.matches(scope(path))[0] is expected, path
        assert plain.matches(scope(path))[0] is expected, path
    plain, prefiltered = pair("/api/v1/users/me")
    for path, expected in [("/api/v1/users/me", Match.FULL), ("/api/v1/users/me\n", Match.FULL)]:
        assert prefiltered.matches(scope(path))[0] is expected
        assert plain.matches(scope(path))[0] is expected
    assert prefiltered.matches(scope("/api/v1/users/me", "DELETE"))[0] is Match.PARTIAL


def test_every_route_of_the_service_is_prefiltered_and_so_is_one_added_later() -> None:
    app = create_app(Settings(metrics_enabled=True))
    app.add_api_route("/added/later", endpoint, methods=["GET"])
    assert [r for r in app.router.routes if not isinstance(r, PrefilteredRoute)] == []

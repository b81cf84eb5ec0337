"""`PrefilteredRoute`: FastAPI's `APIRoute`, ruling a path out by its literal text before the regex.

Starlette finds a request's route by asking every route in turn whether it matches, and an
`APIRoute` answers by running its path regex after FastAPI's own bookkeeping: ~0.7 us for each
route passed over, measured in-process. The service has ~30 routes, so `GET /api/v1/users/me`
(the 20th) paid ~14 us before its own code ran, and a route added last ~25 us.

A route's template says what any path it matches must look like: the same text when it has no
parameters (`/api/v1/users/me`), else the text up to its first parameter and as many `/` as the
template (a parameter matches no `/`, except a `{name:path}` one). A path that fails that test
cannot match the regex, so the route answers "no" at once (~0.2 us) and asks `APIRoute` only
otherwise. Which route wins is unchanged: the same routes in the same order, each answering
exactly as `APIRoute` would (tests/unit/test_prefiltered_route.py compares them on generated
paths). Behind a proxy's `root_path` the path Starlette matches is not `scope["path"]`, so
those requests take `APIRoute`'s way.

Not a route index (a dict from path to route): Starlette's and FastAPI's routers walk the list
themselves, and replacing their walk would mean copying FastAPI's private routing helpers.
The documented way in is `APIRouter(route_class=...)`, which the generated routers take.
"""

import sys
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope


class PrefilteredRoute(APIRoute):
    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        literal, brace, _ = self.path_format.partition("{")
        self.literal_prefix = literal
        # Without parameters the regex matches its text, and (`$` before a final newline) its
        # text and "\n": nothing longer.
        self.longest = sys.maxsize if brace else len(literal) + 1
        # `{name:path}` matches across `/`: then the `/` cannot be counted.
        self.slashes = -1 if ":path}" in path else self.path_format.count("/")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not scope.get("root_path"):
            path: str = scope["path"]
            if (
                len(path) > self.longest
                or not path.startswith(self.literal_prefix)
                or (self.slashes >= 0 and path.count("/") != self.slashes)
            ):
                return Match.NONE, {}
        return super().matches(scope)

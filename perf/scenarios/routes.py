"""The paths the scenarios call, written as the contract's route templates.

Each template is also the request's name in Locust's statistics, so the report has one row per
route (`GET /api/v1/items/{item_id}`), not one per id; `thresholds.toml` uses the same names.
"""

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"
USER_ITEMS = "/api/v1/users/{user_id}/items"
ITEMS = "/api/v1/items"
ITEM = "/api/v1/items/{item_id}"
POSTS = "/api/v1/posts"
POST = "/api/v1/posts/{post_id}"
POST_BY_SLUG = "/api/v1/posts/slug/{slug}"

"""How the simulated crowd behaves: every weight, think time and data size of the load test.

Throughput follows from these: each user sends about one request per think time, so 50 users
thinking 0.5-2.5 s apiece make roughly 30-40 requests/s. Raise the users (`-u`), not these,
to push harder; change these when the mix of traffic should change.
"""

# Which share of the users is of which kind (Locust `weight`): mostly people reading.
READER_WEIGHT = 8
WRITER_WEIGHT = 2

# Seconds a user pauses between two tasks (Locust `between(low, high)`).
READER_THINK_S = (0.5, 2.5)
WRITER_THINK_S = (1.0, 3.0)

# Task weights of anonymous readers: browsing lists and pages, then opening what they saw.
READER_TASKS = {
    "list_items": 6,
    "list_items_page": 2,  # a later page, another sort order or a title search
    "view_item": 8,
    "list_user_items": 1,
    "list_posts": 4,
    "view_post": 3,
    "view_post_by_slug": 4,
}

# Task weights of signed-in writers, who only ever change their own items and posts.
WRITER_TASKS = {
    "create_item": 3,
    "edit_item": 3,  # PATCH with If-Match: the ETag the writer last saw
    "delete_item": 2,
    "create_post": 2,
    "edit_post": 2,
    "delete_post": 1,
    "read_me": 2,
    "list_own_posts": 1,
    "refresh_tokens": 1,
    "login": 1,  # argon2id at the OWASP floor: the most expensive request there is
}

# A writer keeps at most this many items and posts; past it, creating gives way to deleting.
WRITER_MAX_OWNED = 5
# Refresh before the access token (15 minutes by default) can expire in a long run.
ACCESS_TOKEN_REFRESH_AFTER_S = 10 * 60

# What one seeding account creates before the users start, so readers find pages to browse.
SEED_ITEMS = 100
SEED_POSTS = 40
# List pages readers ask for: page 1 mostly, some later pages and other sizes.
PAGE_SIZES = (10, 20, 50)
MAX_PAGE = 5

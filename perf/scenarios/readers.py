"""Anonymous readers: they browse lists of items and posts and open what they saw there."""

import random
from collections import deque
from collections.abc import Callable
from typing import Any

from locust import FastHttpUser, between, task

from perf.scenarios import config, routes
from perf.scenarios.responses import expect, expect_gone_or

SEEN = 50  # how many entries of recent pages a reader remembers to open later


class Reader(FastHttpUser):
    weight = config.READER_WEIGHT
    wait_time = between(*config.READER_THINK_S)

    def on_start(self) -> None:
        self.items: deque[dict[str, Any]] = deque(maxlen=SEEN)
        self.posts: deque[dict[str, Any]] = deque(maxlen=SEEN)

    def _list(
        self, path: str, name: str, params: dict[str, Any], seen: deque[dict[str, Any]]
    ) -> None:
        with self.client.get(path, name=name, params=params, catch_response=True) as response:
            page = expect(response, 200)
            if page is not None:
                seen.extend(page.get("items", []))

    def _open(
        self,
        seen: deque[dict[str, Any]],
        list_more: Callable[[], None],
        template: str,
        key: str,
    ) -> None:
        """GET an entry seen in a list by its `key` (a list first, when none was seen yet)."""
        if not seen:
            list_more()
            return
        # Every template ends in the one parameter: /api/v1/items/{item_id}, .../slug/{slug}.
        path = f"{template.rsplit('/', 1)[0]}/{random.choice(seen)[key]}"
        with self.client.get(path, name=template, catch_response=True) as response:
            expect_gone_or(response, 200)

    @task(config.READER_TASKS["list_items"])
    def list_items(self) -> None:
        self._list(routes.ITEMS, routes.ITEMS, {"size": 20}, self.items)

    @task(config.READER_TASKS["list_items_page"])
    def list_items_page(self) -> None:
        params: dict[str, Any] = {
            "page": random.randint(1, config.MAX_PAGE),
            "size": random.choice(config.PAGE_SIZES),
            "sort": random.choice(["-created_at", "created_at", "price", "-price"]),
        }
        if random.random() < 0.3:
            params["q"] = random.choice(["cotton", "wool", "load"])
        self._list(routes.ITEMS, routes.ITEMS, params, self.items)

    @task(config.READER_TASKS["view_item"])
    def view_item(self) -> None:
        self._open(self.items, self.list_items, routes.ITEM, "id")

    @task(config.READER_TASKS["list_user_items"])
    def list_user_items(self) -> None:
        if not self.items:
            self.list_items()
            return
        path = routes.USER_ITEMS.format(user_id=random.choice(self.items)["owner_id"])
        params = {"size": random.choice(config.PAGE_SIZES)}
        self._list(path, routes.USER_ITEMS, params, self.items)

    @task(config.READER_TASKS["list_posts"])
    def list_posts(self) -> None:
        params: dict[str, Any] = {"page": 1, "size": 20}
        if random.random() < 0.3:
            params["page"] = random.randint(1, config.MAX_PAGE)
            params["size"] = random.choice(config.PAGE_SIZES)
        self._list(routes.POSTS, routes.POSTS, params, self.posts)

    @task(config.READER_TASKS["view_post"])
    def view_post(self) -> None:
        self._open(self.posts, self.list_posts, routes.POST, "id")

    @task(config.READER_TASKS["view_post_by_slug"])
    def view_post_by_slug(self) -> None:
        self._open(self.posts, self.list_posts, routes.POST_BY_SLUG, "slug")

"""Signed-in writers: each registers in `on_start`, then creates, edits and deletes its own
items and posts (edits send the `ETag` last seen as `If-Match`), now and then signing in again
or trading its refresh token for a new pair.
"""

import random
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from locust.exception import StopUser

from perf.scenarios import config, routes
from perf.scenarios.responses import etag, expect

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MATERIALS = ("cotton", "wool", "linen")  # words readers search titles for


class Writer(FastHttpUser):
    weight = config.WRITER_WEIGHT
    wait_time = between(*config.WRITER_THINK_S)

    def on_start(self) -> None:
        self.email = f"perf-writer-{uuid.uuid4().hex[:12]}@example.com"
        self.password = secrets.token_urlsafe(16)
        self.user_id = ""
        self.access_token = ""
        self.refresh_token = ""
        self.tokens_at = 0.0
        self.items: dict[str, str] = {}  # id -> the ETag last seen
        self.posts: dict[str, str] = {}
        body = {"email": self.email, "password": self.password, "full_name": "Load Writer"}
        with self.client.post(routes.REGISTER, json=body, catch_response=True) as response:
            user = expect(response, 201)
        if user is None:
            raise StopUser
        self.user_id = str(user["id"])
        self.login()
        if not self.access_token:
            raise StopUser

    def _take_tokens(self, pair: dict[str, Any] | None) -> None:
        if pair is not None:
            self.access_token = str(pair["access_token"])
            self.refresh_token = str(pair["refresh_token"])
            self.tokens_at = time.monotonic()

    def _auth(self) -> dict[str, str]:
        if time.monotonic() - self.tokens_at > config.ACCESS_TOKEN_REFRESH_AFTER_S:
            self.refresh_tokens()
        return {"Authorization": f"Bearer {self.access_token}"}

    @task(config.WRITER_TASKS["login"])
    def login(self) -> None:
        form = urlencode({"username": self.email, "password": self.password})
        with self.client.post(routes.LOGIN, data=form, headers=FORM, catch_response=True) as r:
            self._take_tokens(expect(r, 200))

    @task(config.WRITER_TASKS["refresh_tokens"])
    def refresh_tokens(self) -> None:
        body = {"refresh_token": self.refresh_token}
        with self.client.post(routes.REFRESH, json=body, catch_response=True) as response:
            self._take_tokens(expect(response, 200))

    @task(config.WRITER_TASKS["read_me"])
    def read_me(self) -> None:
        with self.client.get(routes.ME, headers=self._auth(), catch_response=True) as response:
            expect(response, 200)

    @task(config.WRITER_TASKS["list_own_posts"])
    def list_own_posts(self) -> None:
        params = {"author_id": self.user_id, "size": 20}
        with self.client.get(
            routes.POSTS, params=params, headers=self._auth(), catch_response=True
        ) as response:
            expect(response, 200)

    def _create(
        self,
        owned: dict[str, str],
        collection: str,
        body: dict[str, Any],
        make_room: Callable[[], None],
    ) -> None:
        """POST `body` to `collection` and keep the new entry's ETag; at the most a writer owns,
        delete one instead."""
        if len(owned) >= config.WRITER_MAX_OWNED:
            make_room()
            return
        with self.client.post(
            collection, json=body, headers=self._auth(), catch_response=True
        ) as response:
            created = expect(response, 201)
            tag = etag(response) if created is not None else None
        if created is not None and tag is not None:
            owned[str(created["id"])] = tag

    def _edit(
        self, owned: dict[str, str], template: str, body: dict[str, Any], create: Callable[[], None]
    ) -> None:
        """PATCH one of `owned` with `body`, on the condition of the ETag last seen (creating one
        first when there is none)."""
        if not owned:
            create()
            return
        entry_id = random.choice(list(owned))
        headers = {**self._auth(), "If-Match": owned[entry_id]}
        with self.client.patch(
            entry(template, entry_id),
            json=body,
            headers=headers,
            name=template,
            catch_response=True,
        ) as response:
            tag = etag(response) if expect(response, 200) is not None else None
        if tag is not None:
            owned[entry_id] = tag

    def _delete(self, owned: dict[str, str], template: str, create: Callable[[], None]) -> None:
        """DELETE one of `owned` (creating one first when there is none)."""
        if not owned:
            create()
            return
        entry_id = random.choice(list(owned))
        with self.client.delete(
            entry(template, entry_id), headers=self._auth(), name=template, catch_response=True
        ) as response:
            expect(response, 204)
        del owned[entry_id]

    @task(config.WRITER_TASKS["create_item"])
    def create_item(self) -> None:
        body = {
            "title": f"load item {random.choice(MATERIALS)} {uuid.uuid4().hex[:8]}",
            "description": "Made by a load-test writer.",
            "price": f"{random.randint(0, 1_000_000) / 100:.2f}",
        }
        self._create(self.items, routes.ITEMS, body, self.delete_item)

    @task(config.WRITER_TASKS["edit_item"])
    def edit_item(self) -> None:
        body = {"price": f"{random.randint(0, 1_000_000) / 100:.2f}"}
        self._edit(self.items, routes.ITEM, body, self.create_item)

    @task(config.WRITER_TASKS["delete_item"])
    def delete_item(self) -> None:
        self._delete(self.items, routes.ITEM, self.create_item)

    @task(config.WRITER_TASKS["create_post"])
    def create_post(self) -> None:
        body = {
            "title": f"Load post {uuid.uuid4().hex[:8]}",
            "content": "Written by a load-test writer. " * 30,
            "excerpt": "A load-test post.",
            "published": random.random() < 0.8,
        }
        self._create(self.posts, routes.POSTS, body, self.delete_post)

    @task(config.WRITER_TASKS["edit_post"])
    def edit_post(self) -> None:
        body: dict[str, Any] = {"excerpt": f"Edited {uuid.uuid4().hex[:8]}."}
        if random.random() < 0.2:
            body["published"] = random.random() < 0.8
        self._edit(self.posts, routes.POST, body, self.create_post)

    @task(config.WRITER_TASKS["delete_post"])
    def delete_post(self) -> None:
        self._delete(self.posts, routes.POST, self.create_post)


def entry(template: str, entry_id: str) -> str:
    """The path of one entry: `template` (.../{item_id}) ends in its one parameter, the id."""
    return f"{template.rsplit('/', 1)[0]}/{entry_id}"

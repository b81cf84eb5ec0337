"""Signed-in writers: each registers in `on_start`, then creates, edits and deletes its own
items and posts (edits send the `ETag` last seen as `If-Match`), now and then signing in again
or trading its refresh token for a new pair.
"""

import random
import secrets
import time
import uuid
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

    @task(config.WRITER_TASKS["create_item"])
    def create_item(self) -> None:
        if len(self.items) >= config.WRITER_MAX_OWNED:
            self.delete_item()
            return
        body = {
            "title": f"load item {random.choice(MATERIALS)} {uuid.uuid4().hex[:8]}",
            "description": "Made by a load-test writer.",
            "price": f"{random.randint(0, 1_000_000) / 100:.2f}",
        }
        with self.client.post(
            routes.ITEMS, json=body, headers=self._auth(), catch_response=True
        ) as response:
            item = expect(response, 201)
            tag = etag(response) if item is not None else None
        if item is not None and tag is not None:
            self.items[str(item["id"])] = tag

    @task(config.WRITER_TASKS["edit_item"])
    def edit_item(self) -> None:
        if not self.items:
            self.create_item()
            return
        item_id = random.choice(list(self.items))
        body = {"price": f"{random.randint(0, 1_000_000) / 100:.2f}"}
        headers = {**self._auth(), "If-Match": self.items[item_id]}
        with self.client.patch(
            routes.ITEM.format(item_id=item_id),
            json=body,
            headers=headers,
            name=routes.ITEM,
            catch_response=True,
        ) as response:
            tag = etag(response) if expect(response, 200) is not None else None
        if tag is not None:
            self.items[item_id] = tag

    @task(config.WRITER_TASKS["delete_item"])
    def delete_item(self) -> None:
        if not self.items:
            self.create_item()
            return
        item_id = random.choice(list(self.items))
        with self.client.delete(
            routes.ITEM.format(item_id=item_id),
            headers=self._auth(),
            name=routes.ITEM,
            catch_response=True,
        ) as response:
            expect(response, 204)
        del self.items[item_id]

    @task(config.WRITER_TASKS["create_post"])
    def create_post(self) -> None:
        if len(self.posts) >= config.WRITER_MAX_OWNED:
            self.delete_post()
            return
        body = {
            "title": f"Load post {uuid.uuid4().hex[:8]}",
            "content": "Written by a load-test writer. " * 30,
            "excerpt": "A load-test post.",
            "published": random.random() < 0.8,
        }
        with self.client.post(
            routes.POSTS, json=body, headers=self._auth(), catch_response=True
        ) as response:
            post = expect(response, 201)
            tag = etag(response) if post is not None else None
        if post is not None and tag is not None:
            self.posts[str(post["id"])] = tag

    @task(config.WRITER_TASKS["edit_post"])
    def edit_post(self) -> None:
        if not self.posts:
            self.create_post()
            return
        post_id = random.choice(list(self.posts))
        body: dict[str, Any] = {"excerpt": f"Edited {uuid.uuid4().hex[:8]}."}
        if random.random() < 0.2:
            body["published"] = random.random() < 0.8
        headers = {**self._auth(), "If-Match": self.posts[post_id]}
        with self.client.patch(
            routes.POST.format(post_id=post_id),
            json=body,
            headers=headers,
            name=routes.POST,
            catch_response=True,
        ) as response:
            tag = etag(response) if expect(response, 200) is not None else None
        if tag is not None:
            self.posts[post_id] = tag

    @task(config.WRITER_TASKS["delete_post"])
    def delete_post(self) -> None:
        if not self.posts:
            self.create_post()
            return
        post_id = random.choice(list(self.posts))
        with self.client.delete(
            routes.POST.format(post_id=post_id),
            headers=self._auth(),
            name=routes.POST,
            catch_response=True,
        ) as response:
            expect(response, 204)
        del self.posts[post_id]

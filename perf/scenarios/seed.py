"""Before the users start: one account publishes a catalogue of items and posts to browse.

Runs once per test (on the master, or the only process), as Locust's `test_start` listener,
so readers find pages and entries from their first request on.
"""

import logging
from typing import Any

from locust.env import Environment
from locust.runners import WorkerRunner

from perf import client
from perf.scenarios import config

log = logging.getLogger(__name__)


def seed_catalogue(environment: Environment, **_kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or not environment.host:
        return
    base_url = environment.host.rstrip("/")
    token = client.new_account(base_url, "perf-seed")
    for n in range(config.SEED_ITEMS):
        client.create_item(base_url, token, n)
    for n in range(config.SEED_POSTS):
        client.create_post(base_url, token, n)
    log.info("seeded %d items and %d posts", config.SEED_ITEMS, config.SEED_POSTS)

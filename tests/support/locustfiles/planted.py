"""A locustfile for tests/integration/test_load.py: the load test's own listeners (contract
sample, progress, verdict) and response checks, with one user class calling a planted server
that answers `getItem` with a body the contract does not allow and `listItems` with 429s, each
carrying its own request id. Run only by `python -m locust` in a subprocess: importing locust
monkey-patches the interpreter with gevent.
"""

import uuid

from locust import FastHttpUser, constant, events, task

from perf.scenarios import listeners
from perf.scenarios.responses import expect

listeners.register(events)


class Planted(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def get_item(self) -> None:
        path = f"/api/v1/items/{uuid.uuid4()}"
        with self.client.get(path, name="/api/v1/items/{item_id}", catch_response=True) as r:
            expect(r, 200)

    @task
    def list_items(self) -> None:
        with self.client.get("/api/v1/items", catch_response=True) as response:
            expect(response, 200)

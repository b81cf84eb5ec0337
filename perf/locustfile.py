"""Locust's entry point: `nox -s load` runs it, or `nox -s locust -- -f perf/locustfile.py --host
URL` from the repository root. The users live in perf/scenarios/, their mix in
scenarios/config.py, the pass mark in thresholds.toml.

Listeners: the catalogue seeded before the users start, a progress line every few seconds
(`--progress-every`), a sample of responses checked against the contract (`--contract-sample`),
and the verdict after the run (`--thresholds`).
"""

from locust import events

from perf.scenarios import listeners, seed
from perf.scenarios.readers import Reader
from perf.scenarios.writers import Writer

__all__ = ["Reader", "Writer"]

events.test_start.add_listener(seed.seed_catalogue)  # before the users and the progress line
listeners.register(events)

"""Locust's entry point: `nox -s load` runs it, or `locust -f perf/locustfile.py --host URL`
from the repository root. The users live in perf/scenarios/, their mix in scenarios/config.py,
the pass mark in thresholds.toml.
"""

from locust import events

from perf.scenarios import seed, thresholds
from perf.scenarios.readers import Reader
from perf.scenarios.writers import Writer

__all__ = ["Reader", "Writer"]

events.init_command_line_parser.add_listener(thresholds.add_option)
events.test_start.add_listener(seed.seed_catalogue)
events.quitting.add_listener(thresholds.check)

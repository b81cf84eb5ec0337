"""Locust's entry point: `nox -s load` runs it, or `nox -s locust -- -f perf/locustfile.py --host
URL` from the repository root. The users live in perf/scenarios/, their mix in
scenarios/config.py, the pass mark in thresholds.toml.

Listeners: the catalogue seeded before the users start, a progress line every few seconds
(`--progress-every`), a sample of responses checked against the contract (`--contract-sample`),
and the verdict after the run (`--thresholds`).
"""

from locust import events

from perf.scenarios import contract, progress, seed, thresholds
from perf.scenarios.readers import Reader
from perf.scenarios.writers import Writer

__all__ = ["Reader", "Writer"]

PROGRESS = progress.Progress()
CONTRACT = contract.ContractListener()

events.init_command_line_parser.add_listener(thresholds.add_option)
events.init_command_line_parser.add_listener(progress.add_option)
events.init_command_line_parser.add_listener(contract.add_option)
events.init.add_listener(progress.fresh_clock)
events.init.add_listener(CONTRACT.init)
events.request.add_listener(CONTRACT.request)
events.test_start.add_listener(seed.seed_catalogue)
events.test_start.add_listener(PROGRESS.start)
events.test_stop.add_listener(PROGRESS.stop)
events.quitting.add_listener(thresholds.check)

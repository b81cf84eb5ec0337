"""The load test's own listeners on Locust's events, registered once for every locustfile that
runs them (perf/locustfile.py, and the tests' planted one): the command-line options, a progress
line every few seconds, a sample of responses checked against the contract, the verdict."""

from locust.event import Events

from perf.scenarios import contract, progress, thresholds


def register(events: Events) -> None:
    listener = contract.ContractListener()
    reporter = progress.Progress()
    events.init_command_line_parser.add_listener(thresholds.add_option)
    events.init_command_line_parser.add_listener(progress.add_option)
    events.init_command_line_parser.add_listener(contract.add_option)
    events.init.add_listener(progress.fresh_clock)
    events.init.add_listener(listener.init)
    events.request.add_listener(listener.request)
    events.test_start.add_listener(reporter.start)
    events.test_stop.add_listener(reporter.stop)
    events.quitting.add_listener(thresholds.check)

"""`nox -s bench` (perf/bench.py): what runs when, and what each ratio is taken against."""

from perf.bench import BARE, Run, brackets, plan, targets


def test_every_read_runs_before_any_write_and_bare_opens_each_round() -> None:
    order = [(target.method, target.name, round_) for target, round_ in plan(targets("id"), 3)]
    writes = [i for i, (method, _, _) in enumerate(order) if method != "GET"]
    reads = [i for i, (method, name, _) in enumerate(order) if method == "GET" and name != BARE]
    assert max(reads) < min(writes)  # no list counts rows that a POST round added
    assert len(writes) == 3
    assert len(reads) == 3 * 4
    assert order[0][1] == BARE
    assert order[-1] == ("GET", BARE, 3)
    for i in writes:
        assert order[i - 1][1] == BARE  # each POST round has a bare run of its own before it


def _run(name: str, requests_per_s: float) -> Run:
    return Run(name, 0, 1, 1.0, requests_per_s, {"p50": 1.0, "p99": 2.0}, {})


def test_a_ratio_is_taken_against_the_bare_runs_either_side() -> None:
    runs = [_run(BARE, 100), _run("a", 50), _run("b", 40), _run(BARE, 300), _run("c", 10)]
    runs.append(_run(BARE, 100))
    assert brackets(runs) == {1: 200.0, 2: 200.0, 4: 200.0}

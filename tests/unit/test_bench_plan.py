"""`nox -s bench` (perf/bench.py): what runs when, and what each ratio is taken against."""

from perf.bench import (
    BARE,
    Run,
    Summary,
    brackets,
    database_kind,
    plan,
    targets,
    targets_for,
)


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


def test_each_database_is_held_to_its_own_targets() -> None:
    """perf/thresholds.toml as issue 18 set it: PostgreSQL's ratios and its POST's p99 limit."""
    sqlite = targets_for(database_kind("sqlite+aiosqlite:////tmp/bench.db"))
    postgres = targets_for(database_kind("postgresql://postgres@127.0.0.1:5432/test"))
    assert sqlite.min_ratio["GET /api/v1/items/{item_id}"] == 0.42
    assert postgres.min_ratio["GET /api/v1/items/{item_id}"] == 0.30
    assert postgres.max_p99_ms == {"POST /api/v1/items": 100.0}
    assert sqlite.max_p99_ms == {}


def _summary(
    ratio: float, p99_ms: float, min_ratio: float | None, max_p99_ms: float | None
) -> Summary:
    return Summary("POST", "POST", "/", 1.0, 1.0, p99_ms, ratio, None, min_ratio, max_p99_ms, 0)


def test_a_route_misses_its_target_by_ratio_or_by_p99() -> None:
    assert not _summary(0.2, 50, 0.15, 100).below_target
    assert _summary(0.1, 50, 0.15, 100).below_target
    assert _summary(0.2, 101, 0.15, 100).below_target
    assert not _summary(0.2, 900, 0.15, None).below_target

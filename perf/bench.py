"""`nox -s bench`: how many requests one uvicorn worker serves, per route, against a bare route.

    python -m perf.bench [--duration S] [--warmup S] [--connections N] [--threads N]
                         [--rounds N] [--items N] [--database-url URL] [--output FILE] [--enforce]

Capacity, not latency: wrk (the Debian package) keeps N connections busy against one uvicorn
worker serving perf.bench_app:create_bench_app, the service plus a bare FastAPI route in the same
process. Seeds an account, its token and some items through the API, then measures each route in
turn for a fixed time after a discarded warm-up: every round of reads first, then every round
of POST, so that the reads of every round see the same seeded rows. The bare route runs first
in every round and once more at the end, so each route's ratio is taken against the bare runs
on either side of it: drift on a busy machine then cancels out, and shows. With several
rounds, each number is the median over the rounds. Prints requests/s, p50, p99 and the ratios,
and writes them, with every single run, to perf/reports/bench.json. SQLite in a temp folder
unless --database-url or APP_DATABASE_URL names another database (see perf/databases.py).

Exit status: 0; 1 if wrk saw errors (a non-2xx answer makes a number meaningless), or with
--enforce if a ratio is below its target or a p99 above its limit in perf/thresholds.toml
([bench.<database>.min_ratio], [bench.<database>.max_p99_ms]); 2 without wrk.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from perf import client
from perf.bench_app import BARE_PATH, CONSTANT_PATH
from perf.client import ApiError
from perf.databases import describe
from perf.server import ROOT, running_server, scratch_settings

REPORTS = ROOT / "perf" / "reports"
LUA = ROOT / "perf" / "wrk" / "report.lua"
THRESHOLDS = ROOT / "perf" / "thresholds.toml"
INSTALL_WRK = "wrk is not installed. Install it with: apt-get install wrk"
BARE = "bare FastAPI route"
CONSTANT = "constant route inside the service"


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    method: str
    path: str
    authenticated: bool = False
    body: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One measured wrk run of one route."""

    name: str
    round: int
    requests: int
    duration_s: float
    requests_per_s: float
    latency_ms: dict[str, float]
    errors: dict[str, int]


@dataclass(frozen=True, slots=True)
class Summary:
    """A route over all rounds: medians, and the ratios to the bare and the constant route."""

    name: str
    method: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    ratio: float | None
    ratio_to_constant: float | None
    min_ratio: float | None
    max_p99_ms: float | None
    errors: int

    @property
    def below_target(self) -> bool:
        """A ratio below its least, or a p99 above its most."""
        slow = self.min_ratio is not None and self.ratio is not None and self.ratio < self.min_ratio
        late = self.max_p99_ms is not None and self.p99_ms > self.max_p99_ms
        return slow or late


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded warm-up")
    parser.add_argument("--connections", type=int, default=50, help="open connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (leave a core)")
    parser.add_argument("--rounds", type=int, default=1, help="times to measure every route")
    parser.add_argument("--items", type=int, default=1000, help="items seeded before measuring")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("APP_DATABASE_URL", ""),
        help="database server or SQLite file (default: APP_DATABASE_URL, else a temp SQLite)",
    )
    parser.add_argument("--output", type=Path, default=REPORTS / "bench.json")
    parser.add_argument("--enforce", action="store_true", help="exit 1 if a ratio misses target")
    return parser.parse_args(argv)


@dataclass(frozen=True, slots=True)
class Targets:
    """What `[bench]` in perf/thresholds.toml asks of one database: route -> least ratio, and
    route -> most p99 in milliseconds."""

    min_ratio: dict[str, float]
    max_p99_ms: dict[str, float]


def database_kind(database_url: str) -> str:
    """ "sqlite" or "postgresql", as perf/thresholds.toml's `[bench.<kind>]` tables name them."""
    return make_url(database_url).get_backend_name()


def targets_for(kind: str) -> Targets:
    bench = tomllib.loads(THRESHOLDS.read_text()).get("bench", {}).get(kind, {})

    def table(name: str) -> dict[str, float]:
        return {str(k): float(v) for k, v in bench.get(name, {}).items()}

    return Targets(table("min_ratio"), table("max_p99_ms"))


def targets(item_id: str) -> list[Target]:
    """Every route, bare route first, writes last."""
    return [
        Target(BARE, "GET", BARE_PATH),
        Target(CONSTANT, "GET", CONSTANT_PATH),
        Target("GET /api/v1/items/{item_id}", "GET", f"/api/v1/items/{item_id}"),
        Target("GET /api/v1/items?size=20", "GET", "/api/v1/items?size=20"),
        Target("GET /api/v1/users/me", "GET", "/api/v1/users/me", authenticated=True),
        Target(
            "POST /api/v1/items",
            "POST",
            "/api/v1/items",
            authenticated=True,
            body={"title": "bench item", "description": "Made by nox -s bench.", "price": "9.99"},
        ),
    ]


def seed(base_url: str, items: int) -> tuple[str, str]:
    """An account's access token and the id of one of the `items` it creates."""
    token = client.new_account(base_url, "bench")
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda n: client.create_item(base_url, token, n), range(items)))
    return token, ids[len(ids) // 2]


def wrk(
    base_url: str, target: Target, token: str, args: argparse.Namespace, seconds: int
) -> dict[str, Any]:
    """One wrk run; the summary its Lua `done()` prints."""
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_BODY": json.dumps(target.body) if target.body is not None else "",
        "BENCH_TOKEN": token if target.authenticated else "",
    }
    command = [
        "wrk", f"--threads={args.threads}", f"--connections={args.connections}",
        f"--duration={seconds}s", "--timeout=10s", f"--script={LUA}", base_url + target.path,
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            summary: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return summary
    raise RuntimeError(f"wrk printed no summary:\n{output}")


def measure(
    base_url: str, target: Target, token: str, args: argparse.Namespace, round_: int
) -> Run:
    wrk(base_url, target, token, args, args.warmup)
    summary = wrk(base_url, target, token, args, args.duration)
    duration_s = summary["duration_us"] / 1e6
    run = Run(
        name=target.name,
        round=round_,
        requests=summary["requests"],
        duration_s=round(duration_s, 3),
        requests_per_s=round(summary["requests"] / duration_s, 1),
        latency_ms={k: round(v / 1000, 3) for k, v in summary["latency_us"].items()},
        errors=summary["errors"],
    )
    errors = sum(run.errors.values())
    label = f"round {round_ + 1}" if round_ < args.rounds else "closing"
    print(
        f"  {label:<8} {run.name:<36} {run.requests_per_s:>9,.0f} req/s"
        + (f"  {errors} ERRORS {run.errors}" if errors else ""),
        flush=True,
    )
    return run


def plan(sequence: list[Target], rounds: int) -> list[tuple[Target, int]]:
    """The runs in order: the rounds of reads, then the rounds of writes, each round opened by
    the bare route, and the bare route once more at the end (round number `rounds`).

    Writes add rows, so they come after every read: a list in round 3 would otherwise count
    the items two rounds of POST made, and measure a bigger table than round 1 did.
    """
    bare, rest = sequence[0], sequence[1:]
    reads = [t for t in rest if t.method == "GET"]
    writes = [t for t in rest if t.method != "GET"]
    order = [(t, r) for r in range(rounds) for t in (bare, *reads)]
    if writes:
        order += [(t, r) for r in range(rounds) for t in (bare, *writes)]
    return [*order, (bare, rounds)]


def brackets(runs: list[Run]) -> dict[int, float]:
    """Run index -> the mean of the bare runs just before and just after it (bare runs: none)."""
    marks = [i for i, run in enumerate(runs) if run.name == BARE]
    means = {}
    for i, run in enumerate(runs):
        if run.name != BARE:
            before = max(m for m in marks if m < i)
            after = min(m for m in marks if m > i)
            means[i] = (runs[before].requests_per_s + runs[after].requests_per_s) / 2
    return means


def summarize(runs: list[Run], sequence: list[Target], goals: Targets) -> list[Summary]:
    """Medians per route; a run's ratio is to the bare runs either side of it."""
    bracket = brackets(runs)
    constant = [r.requests_per_s for r in runs if r.name == CONSTANT]
    summaries = []
    for target in sequence:
        mine = [r for r in runs if r.name == target.name]
        ratios = to_constant = None
        if target.name != BARE:
            ratios = round(
                statistics.median(
                    r.requests_per_s / bracket[i]
                    for i, r in enumerate(runs)
                    if r.name == target.name
                ),
                3,
            )
            to_constant = round(
                statistics.median(r.requests_per_s / constant[r.round] for r in mine), 3
            )
        summaries.append(
            Summary(
                name=target.name,
                method=target.method,
                path=target.path,
                requests_per_s=round(statistics.median(r.requests_per_s for r in mine), 1),
                p50_ms=statistics.median(r.latency_ms["p50"] for r in mine),
                p99_ms=statistics.median(r.latency_ms["p99"] for r in mine),
                ratio=ratios,
                ratio_to_constant=to_constant,
                min_ratio=goals.min_ratio.get(target.name),
                max_p99_ms=goals.max_p99_ms.get(target.name),
                errors=sum(sum(r.errors.values()) for r in mine),
            )
        )
    return summaries


def print_table(summaries: list[Summary], runs: list[Run]) -> None:
    print(
        f"\n{'route':<36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'target':>7}"
        f" {'/const':>7} {'p99 max':>8}"
    )
    for s in summaries:
        ratio = f"{s.ratio:.3f}" if s.ratio is not None else ""
        target = f"{s.min_ratio:.2f}" if s.min_ratio is not None else ""
        to_constant = f"{s.ratio_to_constant:.3f}" if s.ratio_to_constant is not None else ""
        late = f"{s.max_p99_ms:.0f}" if s.max_p99_ms is not None else ""
        flags = ("  BELOW TARGET" if s.below_target else "") + ("  ERRORS" if s.errors else "")
        print(
            f"{s.name:<36} {s.requests_per_s:>9,.0f} {s.p50_ms:>8.2f} {s.p99_ms:>8.2f} "
            f"{ratio:>7} {target:>7} {to_constant:>7} {late:>8}{flags}"
        )
    bare = ", ".join(f"{r.requests_per_s:,.0f}" for r in runs if r.name == BARE)
    print(
        f"ratio: to the bare route, the mean of its runs before and after (its runs: {bare} "
        "req/s; far apart means a busy machine). /const: to the constant route inside the "
        "service, which pays for the middleware and nothing else."
    )


def git_commit() -> str:
    """HEAD, with `+dirty` when tracked files have changed: which code made the numbers."""

    def git(*args: str) -> str:
        command = ["git", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "HEAD") + ("+dirty" if dirty else "")


def run(args: argparse.Namespace) -> dict[str, Any]:
    with scratch_settings(args.database_url, "perf-bench-") as (database_url, env):
        print(f"bench: {describe(database_url)}, one uvicorn worker", flush=True)
        loadavg_before = os.getloadavg()
        with running_server(
            "perf.bench_app:create_bench_app", env=env, log_path=REPORTS / "server-bench.log"
        ) as base_url:
            token, item_id = seed(base_url, args.items)
            print(f"bench: seeded {args.items} items; measuring", flush=True)
            sequence = targets(item_id)
            runs = [
                measure(base_url, target, token, args, round_)
                for target, round_ in plan(sequence, args.rounds)
            ]
        loadavg_after = os.getloadavg()
    summaries = summarize(runs, sequence, targets_for(database_kind(database_url)))
    print_table(summaries, runs)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "database": database_kind(database_url),
        "database_url": describe(database_url),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_before": [round(x, 2) for x in loadavg_before],
            "loadavg_after": [round(x, 2) for x in loadavg_after],
        },
        "settings": {
            "uvicorn_workers": 1,
            "wrk_threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
            "seeded_items": args.items,
        },
        "routes": [{**asdict(s), "below_target": s.below_target} for s in summaries],
        "runs": [asdict(r) for r in runs],
    }


def main(argv: list[str]) -> int:
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    args = parse(argv)
    report = run(args)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"bench: wrote {output}")
    if any(route["errors"] for route in report["routes"]):
        print("bench: wrk saw errors; the numbers above are not to be trusted", file=sys.stderr)
        return 1
    if args.enforce and any(route["below_target"] for route in report["routes"]):
        print("bench: a ratio is below its target, or a p99 above its limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ApiError as error:
        sys.exit(f"{Path(__file__).stem}: {error}")

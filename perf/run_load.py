"""`nox -s load`: a local service, Locust headless against it for a bounded time, and a verdict.

    python -m perf.run_load [-u USERS] [-r RATE] [-t TIME] [--workers N] [--database-url URL]
                            [--server-workers N] [any other Locust option, e.g.
                            --contract-sample 1 or --progress-every 2]

Starts uvicorn on 127.0.0.1 (SQLite in a temp folder unless --database-url or APP_DATABASE_URL
names another database; see perf/databases.py), with the sign-in rate limits off so that the
load is not refused, then runs perf/locustfile.py: one Locust process, or with `--workers N` a
Locust master and N worker processes on this machine (the master on a free port of
127.0.0.1; each worker's log in the reports folder). While it runs a progress line comes every
few seconds; after it, one line a route, the failures grouped, and the verdict. The HTML report
(with the verdict in it) and CSVs land in perf/reports/ (load.html, load_stats.csv,
load_failures.csv, ...). The exit code is Locust's: non-zero on any failed request or a judged
p95 over its limit in perf/thresholds.toml.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from perf.client import ApiError
from perf.databases import describe
from perf.server import HOST, ROOT, free_port, running_server, scratch_settings, stop

REPORTS = ROOT / "perf" / "reports"
WORKER_EXIT_S = 30.0


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-u", "--users", type=int, default=50, help="peak users (default 50)")
    parser.add_argument(
        "-r", "--spawn-rate", type=float, default=10, help="users started per second"
    )
    parser.add_argument(
        "-t", "--run-time", default="60s", help="how long, e.g. 60s or 5m (default 60s)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Locust worker processes under a master on this machine (default 0: one process)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("APP_DATABASE_URL", ""),
        help="database server or SQLite file (default: APP_DATABASE_URL, else a temp SQLite)",
    )
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="where reports go")
    return parser.parse_known_args(argv)


def locust_commands(
    args: argparse.Namespace, base_url: str, locust_args: list[str], master_port: int
) -> tuple[list[str], list[list[str]]]:
    """The command of the master (or only) Locust process, and those of its workers."""
    reports: Path = args.reports
    locust = [sys.executable, "-m", "locust", "-f", "perf/locustfile.py"]
    # --json-file: the final statistics as JSON (load.json); Locust then leaves out its long
    # tables, and the verdict prints the short ones.
    main = [
        *locust, "--headless", "--host", base_url, "--users", str(args.users),
        "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
        "--html", str(reports / "load.html"), "--csv", str(reports / "load"),
        "--json-file", str(reports / "load"), "--only-summary",
    ]  # fmt: skip
    if args.workers <= 0:
        return [*main, *locust_args], []
    main += [
        "--master", "--master-bind-host", HOST, "--master-bind-port", str(master_port),
        "--expect-workers", str(args.workers), "--expect-workers-max-wait", "60",
    ]  # fmt: skip
    worker = [
        *locust, "--worker", "--master-host", HOST, "--master-port", str(master_port),
        *locust_args,
    ]  # fmt: skip
    return [*main, *locust_args], [worker] * args.workers


def run_locust(main: list[str], workers: list[list[str]], reports: Path) -> int:
    """Run the master (or only) process to its end, with its workers beside it."""
    started: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for n, command in enumerate(workers, 1):
            log = (reports / f"locust-worker-{n}.log").open("wb")
            logs.append(log)
            started.append(  # our own interpreter, fixed arguments
                subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            )
        code = subprocess.call(main, cwd=ROOT)  # our own interpreter
        for process in started:  # the master tells them to quit when it does
            try:
                process.wait(WORKER_EXIT_S)
            except subprocess.TimeoutExpired:
                stop(process)
        return code
    finally:
        for process in started:
            stop(process)
        for log in logs:
            log.close()


def main(argv: list[str]) -> int:
    args, locust_args = parse(argv)
    reports: Path = args.reports
    reports.mkdir(parents=True, exist_ok=True)
    with scratch_settings(args.database_url, "perf-load-") as (database_url, env):
        locust_shape = f"{args.workers} Locust worker(s)" if args.workers else "one Locust process"
        print(
            f"load: {describe(database_url)}, {args.server_workers} uvicorn worker(s); "
            f"{args.users} users, {args.spawn_rate}/s, {args.run_time}; {locust_shape}",
            flush=True,
        )
        with running_server(
            "app.main:create_app",
            env=env,
            log_path=reports / "server-load.log",
            workers=args.server_workers,
        ) as base_url:
            main_command, worker_commands = locust_commands(
                args, base_url, locust_args, free_port()
            )
            code = run_locust(main_command, worker_commands, reports)
    print(f"load: report {reports / 'load.html'}, CSVs {reports / 'load_*.csv'}")
    return code


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ApiError as error:
        sys.exit(f"{Path(__file__).stem}: {error}")

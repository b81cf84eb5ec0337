"""`nox -s load`: a local service, Locust headless against it for a bounded time, and a verdict.

    python -m perf.run_load [-u USERS] [-r RATE] [-t TIME] [--database-url URL]
                            [--server-workers N] [any other Locust option, e.g. --processes 4]

Starts uvicorn on 127.0.0.1 (SQLite in a temp folder unless --database-url or APP_DATABASE_URL
names another database; see perf/databases.py), with the sign-in rate limits off so that the
load is not refused, then runs perf/locustfile.py. The HTML report and CSVs land in
perf/reports/ (load.html, load_stats.csv, load_failures.csv, ...). The exit code is Locust's:
non-zero on any failed request or a p95 over its limit in perf/thresholds.toml.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from perf.client import ApiError
from perf.databases import describe
from perf.server import ROOT, running_server, scratch_settings

REPORTS = ROOT / "perf" / "reports"


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
        "--database-url",
        default=os.environ.get("APP_DATABASE_URL", ""),
        help="database server or SQLite file (default: APP_DATABASE_URL, else a temp SQLite)",
    )
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="where reports go")
    return parser.parse_known_args(argv)


def main(argv: list[str]) -> int:
    args, locust_args = parse(argv)
    reports: Path = args.reports
    reports.mkdir(parents=True, exist_ok=True)
    with scratch_settings(args.database_url, "perf-load-") as (database_url, env):
        print(
            f"load: {describe(database_url)}, {args.server_workers} uvicorn worker(s); "
            f"{args.users} users, {args.spawn_rate}/s, {args.run_time}",
            flush=True,
        )
        with running_server(
            "app.main:create_app",
            env=env,
            log_path=reports / "server-load.log",
            workers=args.server_workers,
        ) as base_url:
            command = [
                    sys.executable, "-m", "locust", "-f", "perf/locustfile.py", "--headless",
                    "--host", base_url, "--users", str(args.users),
                    "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
                    "--html", str(reports / "load.html"), "--csv", str(reports / "load"),
                    "--only-summary", *locust_args,
                ]  # fmt: skip
            code = subprocess.call(command, cwd=ROOT)  # our own interpreter
    print(f"load: report {reports / 'load.html'}, CSVs {reports / 'load_*.csv'}")
    return code


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ApiError as error:
        sys.exit(f"{Path(__file__).stem}: {error}")

"""`python -m app serve` runs the service (app/server.py); `python -m app worker` delivers the
email outbox in a process of its own (app/mail/worker.py); `python -m app migrate` applies
pending migrations, for deployments that migrate separately; `python -m app env-example` prints
every setting with its meaning and default (app/env_example.py)."""

import argparse
import asyncio
from pathlib import Path

from app import env_example, server
from app.db import migrate
from app.db.database import Database
from app.mail import worker
from app.settings import Settings


async def _migrate(revision: str) -> set[str]:
    database = Database.from_settings(Settings())
    try:
        await migrate.upgrade(database, revision)
        return await migrate.current_revisions(database)
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    migrate_cmd = commands.add_parser("migrate", help="apply migrations up to a revision")
    migrate_cmd.add_argument("revision", nargs="?", default="head")
    serve_cmd = commands.add_parser(
        "serve", help="run the service (settings from APP_*; SIGTERM drains, then stops)"
    )
    server.add_arguments(serve_cmd)
    commands.add_parser(
        "worker", help="deliver the email outbox (settings from APP_*; SIGTERM stops it)"
    )
    example_cmd = commands.add_parser(
        "env-example", help="print every setting with its meaning and default, as .env.example"
    )
    example_cmd.add_argument("--output", type=Path, help="write it to this file instead")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return server.main(args)
    if args.command == "worker":
        return worker.main()
    if args.command == "env-example":
        if args.output:
            env_example.write(args.output)
        else:
            print(env_example.render(), end="")
        return 0
    current = asyncio.run(_migrate(args.revision))
    print(f"database at revision {', '.join(sorted(current)) or '(none)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

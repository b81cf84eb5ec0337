"""What a page of items costs at 100,000 rows: `python perf/page_cost.py [--database-url URL]`.

Seeds a throw-away database (SQLite in a temp folder unless --database-url names another, which
must be empty), then times the list query the API runs for several pages, filters and sorts:
the median and p95 over repeated runs, in milliseconds, through the same repository code.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, insert

from app.db import migrate
from app.db.database import Database
from app.items.repository import ItemRepository
from app.items.tables import items
from app.pagination import PageRequest
from app.settings import Settings
from app.users.tables import users

USERS = 100
REPEAT = 30


def _insert(connection: Connection, rows: int) -> uuid.UUID:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    owners = [uuid.uuid4() for _ in range(USERS)]
    connection.execute(
        insert(users),
        [
            {
                "id": owner,
                "email": f"owner{n}@example.com",
                "hashed_password": "x",
                "full_name": None,
                "bio": None,
                "is_active": True,
                "is_superuser": False,
                "created_at": start,
                "updated_at": start,
            }
            for n, owner in enumerate(owners)
        ],
    )
    for chunk in range(0, rows, 10_000):
        connection.execute(
            insert(items),
            [
                {
                    "id": uuid.uuid4(),
                    "title": f"item {n} {'cotton' if n % 10 == 0 else 'wool'}",
                    "description": None,
                    "price_cents": (n * 7919) % 10_000_000,
                    "owner_id": owners[n % USERS],
                    "version": 1,
                    "created_at": start + timedelta(seconds=n),
                    "updated_at": start + timedelta(seconds=n),
                }
                for n in range(chunk, min(chunk + 10_000, rows))
            ],
        )
    return owners[0]


async def seed(database: Database, rows: int) -> uuid.UUID:
    # Maintenance, not a request: a big seed may outlast a request's deadline.
    return await database.maintain(lambda connection: _insert(connection, rows))


async def measure(database: Database, owner: uuid.UUID) -> None:
    cases: list[tuple[str, PageRequest, dict[str, object]]] = [
        ("page 1, newest first", PageRequest(1, 20), {}),
        ("page 1, by price", PageRequest(1, 20), {"sort": "price"}),
        ("page 1000 (offset 19,980)", PageRequest(1000, 20), {}),
        ("page 5000 (offset 99,980)", PageRequest(5000, 20), {}),
        ("one owner's items, page 1", PageRequest(1, 20), {"owner_id": owner}),
        ("title contains 'cotton'", PageRequest(1, 20), {"q": "cotton"}),
    ]
    print(f"{'query':<32} {'median ms':>10} {'p95 ms':>8} {'total':>8}")
    for name, request, filters in cases:
        timings = []
        total = 0
        for _ in range(REPEAT):
            began = time.perf_counter()
            _, total = await database.read(  # as the API reads (on SQLite: the loop, in budget)
                lambda connection: ItemRepository(connection).page(
                    request,  # noqa: B023  # read() calls it at once, inside this iteration
                    owner_id=filters.get("owner_id"),  # type: ignore[arg-type]  # noqa: B023
                    q=filters.get("q"),  # type: ignore[arg-type]  # noqa: B023
                    sort=filters.get("sort", "-created_at"),  # type: ignore[arg-type]  # noqa: B023
                )
            )
            timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<32} {statistics.median(timings):>10.2f} {p95:>8.2f} {total:>8}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'page_cost.db'}"
        settings = Settings(database_url=url, var_dir=Path(tmp), secret_key="k" * 32)
        database = Database.from_settings(settings)
        try:
            await migrate.upgrade(database)
            began = time.perf_counter()
            owner = await seed(database, args.rows)
            print(
                f"{settings.database_url.split(':')[0]}: seeded {args.rows} items in "
                f"{time.perf_counter() - began:.1f} s"
            )
            await measure(database, owner)
        finally:
            await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())

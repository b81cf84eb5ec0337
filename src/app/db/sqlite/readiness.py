"""Readiness on SQLite: can the database take a write now, and has it room to grow?

Writing is the only sure test of a read-only file: BEGIN IMMEDIATE itself succeeds on a file
the process may not write (an immutable file, or one whose owner is another user).
"""

import os

from sqlalchemy import Connection

# The database must be able to grow by this many pages, and the disk hold twice as many (the
# WAL, then the checkpoint into the file): a write of a few rows and their index entries needs
# some. Less than that is "full" (README "When the database fails").
RESERVE_PAGES = 32


class Probed(Exception):  # not an error: how the probe rolls its transaction back
    """Raised by `probe` so that its transaction is rolled back, not committed."""

    def __init__(self, *, full: bool) -> None:
        super().__init__("probe done")
        self.full = full


def probe(connection: Connection) -> None:
    """On the writer thread, in its BEGIN IMMEDIATE: raise Probed, saying whether it is full.

    It rewrites the header's user_version, which touches no table, and raises `Probed` so that
    the whole transaction rolls back: nothing reaches the WAL or the disk (a rolled back
    savepoint would still write the page at COMMIT).

    A rolled back write needs no new page, so it proves nothing about space. What a write
    needs is room to grow: below max_page_count (or free pages in the file), and space on
    the disk for the WAL and then the checkpoint. Less than RESERVE_PAGES of either is "full".
    """

    def pragma(name: str) -> int:
        return int(connection.exec_driver_sql(f"PRAGMA {name}").scalar() or 0)

    connection.exec_driver_sql(f"PRAGMA user_version = {pragma('user_version')}")
    page_size = pragma("page_size")
    room = pragma("max_page_count") - pragma("page_count") + pragma("freelist_count")
    full = room < RESERVE_PAGES
    path = next((row[2] for row in connection.exec_driver_sql("PRAGMA database_list")), "")
    if path and not full:  # no path: an in-memory database, no disk to fill
        disk = os.statvfs(os.path.dirname(path))
        full = disk.f_bavail * disk.f_frsize < 2 * RESERVE_PAGES * (page_size + 24)
    raise Probed(full=full)

"""Records are read from rows by position (app/db/rows.py `to_record`), so each record's fields
must be its table's columns, in the table's order: a reordered or added column fails here
instead of silently shifting every value into the wrong field."""

import pytest
from sqlalchemy import Table

from app.db.rows import Record, to_record
from app.items.repository import ItemRecord
from app.items.tables import items
from app.posts.repository import PostRecord
from app.posts.tables import posts
from app.users.repository import UserRecord
from app.users.tables import users


@pytest.mark.parametrize(
    ("record", "table"),
    [(ItemRecord, items), (PostRecord, posts), (UserRecord, users)],
    ids=["items", "posts", "users"],
)
def test_a_records_fields_are_its_tables_columns_in_order(
    record: type[Record], table: Table
) -> None:
    assert record.__slots__ == tuple(table.c.keys())


def test_a_record_takes_the_leading_columns_and_ignores_a_pages_total() -> None:
    class Pair:
        __slots__ = ("a", "b")

        def __init__(self, a: int, b: int) -> None:
            self.a, self.b = a, b

    pair = to_record(Pair, (1, 2, 99))  # a page's row: the table's columns, then `total`
    assert (pair.a, pair.b) == (1, 2)

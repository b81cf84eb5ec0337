"""What a service needs to reach its data, as two values a test can replace with fakes.

`Transactions` is the database's two doors (`app.db.database.Database` is the real one): a
unit of work is a plain function of a SQLAlchemy `Connection`, run by `read` on a connection
that only reads, or by `write` in one transaction. `Repositories` names the repository class
a unit builds on that connection. The fakes in tests/support/fakes.py run the same units
against repositories held in memory (cosmicpython's fake unit of work): the service's rules
are tested without a database, and production pays an attribute lookup or two a unit.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Connection

from app.auth.mail_tokens import MailTokenRepository
from app.auth.repository import RefreshTokenRepository
from app.items.repository import ItemRepository
from app.mail.repository import OutboxRepository
from app.posts.repository import PostRepository
from app.users.repository import UserRepository

T = TypeVar("T")


class Transactions(Protocol):
    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work` that only reads."""
        ...

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction: committed when it returns, rolled back if it raises."""
        ...

    async def write_single(self, work: Callable[[Connection], T]) -> T:
        """`work` that writes with one statement, atomic by itself, without a transaction."""
        ...


@dataclass(frozen=True, slots=True)
class Repositories:
    """The repository each unit of work builds on its connection."""

    items: Callable[[Connection], ItemRepository] = ItemRepository
    posts: Callable[[Connection], PostRepository] = PostRepository
    users: Callable[[Connection], UserRepository] = UserRepository
    refresh_tokens: Callable[[Connection], RefreshTokenRepository] = RefreshTokenRepository
    mail_tokens: Callable[[Connection], MailTokenRepository] = MailTokenRepository
    outbox: Callable[[Connection], OutboxRepository] = OutboxRepository


SQL = Repositories()  # the real ones

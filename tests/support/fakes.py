"""A unit of work without a database (cosmicpython's fakes), so service rules test in microseconds.

`FakeDatabase` runs a service's units of work against repositories that keep their rows in a
`Store` in memory: `write` commits when the unit returns and puts the store back as it was
when the unit raises, as the real transaction does. Each fake repository subclasses the real
one and overrides what the services call; a method it does not override fails loudly (it has
no connection), so a fake never answers for SQL it does not imitate.

    store = Store()
    items = ItemsService(FakeDatabase(store), fake_repositories(store))
"""

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Connection

from app.auth.repository import RefreshTokenRepository, Used
from app.db.rows import values_of
from app.db.types import utcnow
from app.errors import Conflict
from app.etags import Precondition
from app.items.repository import ItemRecord, ItemRepository
from app.owned.repository import OwnedRepository, Versioned
from app.posts.repository import PostRecord, PostRepository, SlugTaken
from app.unit_of_work import Repositories
from app.users.repository import UserRecord, UserRepository

T = TypeVar("T")
R = TypeVar("R", bound=Versioned)
# What the units of work are given: the fake repositories never touch it.
NO_CONNECTION = cast(Connection, object())
NO_PASSWORD = "!"  # what `add_user` stores unless told: no password matches it


@dataclass
class Token:
    """A refresh token's row (its hash is the store's key)."""

    family_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass
class Store:
    """The rows, by id (tokens by hash), and what other writers do meanwhile.

    `slug_races`: how many of the next post inserts lose their slug to another writer that
    took it after the slug was chosen; that writer's slug then stays taken (`others_slugs`),
    committed outside any unit of this store, so a rollback keeps it.
    """

    items: dict[uuid.UUID, ItemRecord] = field(default_factory=dict)
    posts: dict[uuid.UUID, PostRecord] = field(default_factory=dict)
    users: dict[uuid.UUID, UserRecord] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    slug_races: int = 0
    others_slugs: set[str] = field(default_factory=set)

    def _tables(self) -> tuple[dict[Any, Any], ...]:
        return self.items, self.posts, self.users, self.tokens

    def snapshot(self) -> tuple[dict[Any, Any], ...]:
        return copy.deepcopy(self._tables())

    def restore(self, saved: tuple[dict[Any, Any], ...]) -> None:
        for rows, before in zip(self._tables(), saved, strict=True):
            rows.clear()
            rows.update(before)

    def add_user(
        self, *, superuser: bool = False, hashed_password: str = NO_PASSWORD
    ) -> UserRecord:
        now = utcnow()
        email = f"{uuid.uuid4().hex[:12]}@example.com"
        user = UserRecord(
            uuid.uuid4(), email, hashed_password, None, None, True, superuser, False, now, now
        )
        self.users[user.id] = user
        return user

    def live_tokens(self, user_id: uuid.UUID) -> list[Token]:
        return [t for t in self.tokens.values() if t.user_id == user_id and not t.revoked_at]


class FakeDatabase:
    """`app.unit_of_work.Transactions` over a `Store`; counts the writes and the commits."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.writes = 0
        self.commits = 0

    async def read(self, work: Callable[[Connection], T]) -> T:
        return work(NO_CONNECTION)

    async def write(self, work: Callable[[Connection], T]) -> T:
        self.writes += 1
        saved = self.store.snapshot()
        try:
            result = work(NO_CONNECTION)
        except BaseException:
            self.store.restore(saved)
            raise
        self.commits += 1
        return result

    async def write_single(self, work: Callable[[Connection], T]) -> T:
        return await self.write(work)


class FakeOwnedRepository(OwnedRepository[R], Generic[R]):
    """`OwnedRepository` over a dict: each method does what its one statement does."""

    def __init__(self, rows: dict[uuid.UUID, R]) -> None:
        self._rows = rows

    def _owner(self, record: R) -> uuid.UUID:
        owner: uuid.UUID = getattr(record, self.rows.owner.name)
        return owner

    def add(self, record: R) -> None:
        self._rows[record.id] = record

    def get(self, row_id: uuid.UUID) -> R | None:
        return self._rows.get(row_id)

    def owner_of(self, row_id: uuid.UUID) -> uuid.UUID | None:
        record = self._rows.get(row_id)
        return None if record is None else self._owner(record)

    def update(
        self,
        row_id: uuid.UUID,
        *,
        owner_id: uuid.UUID | None,
        precondition: Precondition | None,
        changes: dict[str, Any],
        now: datetime,
    ) -> R | None:
        current = self._rows.get(row_id)
        if current is None or (owner_id is not None and self._owner(current) != owner_id):
            return None
        if (
            precondition is not None
            and not precondition.any_version
            and current.version not in precondition.versions
        ):
            return None
        values = values_of(current) | self.changed(current, changes, now)
        values |= {"version": current.version + 1, "updated_at": now}
        record = self.rows.record(**values)
        self._rows[row_id] = record
        return record

    def changed(self, current: R, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
        """What `values` makes of `changes`, in Python rather than SQL."""
        return changes

    def delete(self, row_id: uuid.UUID, *, owner_id: uuid.UUID | None) -> bool:
        current = self._rows.get(row_id)
        if current is None or (owner_id is not None and self._owner(current) != owner_id):
            return False
        del self._rows[row_id]
        return True


class FakeItemRepository(FakeOwnedRepository[ItemRecord], ItemRepository):
    pass


class FakePostRepository(FakeOwnedRepository[PostRecord], PostRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(store.posts)
        self._store = store

    def lock_slug(self, base: str) -> None:
        pass  # one fake writer at a time

    def _slugs(self) -> set[str]:
        return {post.slug for post in self._rows.values()} | self._store.others_slugs

    def taken_slugs(self, base: str) -> set[str]:
        return {s for s in self._slugs() if s == base or s.startswith(f"{base}-")}

    def add(self, record: PostRecord) -> None:
        if self._store.slug_races > 0:
            self._store.slug_races -= 1
            self._store.others_slugs.add(record.slug)
        if record.slug in self._slugs():
            raise SlugTaken("That slug was just taken; try again.")
        super().add(record)

    def get_by_slug(self, slug: str) -> PostRecord | None:
        return next((post for post in self._rows.values() if post.slug == slug), None)

    def changed(
        self, current: PostRecord, changes: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        values = dict(changes)
        if values.get("published") is True:
            values["published_at"] = current.published_at or now
        elif values.get("published") is False:
            values["published_at"] = None
        return values


class FakeUserRepository(UserRepository):
    def __init__(self, store: Store) -> None:
        self._users = store.users

    def add(self, record: UserRecord) -> None:
        if self.get_by_email(record.email) is not None:
            raise Conflict("An account with this email already exists.")
        self._users[record.id] = record

    def get(self, user_id: uuid.UUID, *, lock: bool = False) -> UserRecord | None:
        return self._users.get(user_id)

    def get_by_email(self, email: str) -> UserRecord | None:
        return next((u for u in self._users.values() if u.email == email.lower()), None)

    def update(self, user_id: uuid.UUID, **values: Any) -> UserRecord | None:
        current = self._users.get(user_id)
        if current is None:
            return None
        record = UserRecord(**(values_of(current) | values))
        self._users[user_id] = record
        return record

    def delete(self, user_id: uuid.UUID) -> bool:
        return self._users.pop(user_id, None) is not None


class FakeRefreshTokenRepository(RefreshTokenRepository):
    def __init__(self, store: Store) -> None:
        self._tokens = store.tokens

    def add(
        self,
        *,
        token_hash: str,
        family_id: uuid.UUID,
        user_id: uuid.UUID,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._tokens[token_hash] = Token(family_id, user_id, expires_at)

    def use(self, token_hash: str, now: datetime) -> Used | None:
        token = self._tokens.get(token_hash)
        if token is None or token.used_at or token.revoked_at or token.expires_at <= now:
            return None
        token.used_at = now
        return Used(user_id=token.user_id, family_id=token.family_id)

    def family_of(self, token_hash: str) -> uuid.UUID | None:
        token = self._tokens.get(token_hash)
        return None if token is None else token.family_id

    def _revoke(self, now: datetime, matches: Callable[[Token], bool]) -> None:
        for token in self._tokens.values():
            if matches(token) and token.revoked_at is None:
                token.revoked_at = now

    def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        self._revoke(now, lambda token: token.family_id == family_id)

    def revoke_user(self, user_id: uuid.UUID, now: datetime) -> None:
        self._revoke(now, lambda token: token.user_id == user_id)


def fake_repositories(store: Store) -> Repositories:
    """Repositories whose every unit of work reads and writes `store`."""
    return Repositories(
        items=lambda _connection: FakeItemRepository(store.items),
        posts=lambda _connection: FakePostRepository(store),
        users=lambda _connection: FakeUserRepository(store),
        refresh_tokens=lambda _connection: FakeRefreshTokenRepository(store),
    )

"""What the services of owned rows share: who may change one, and 404 or 412, decided once.

A change that matched no row was refused for one of two reasons the caller must be told
apart: the row is not there or not theirs (404, the same answer for both, so that nobody
learns what exists), or it changed since they read it (412: read it again). The atomic
UPDATE cannot say which, so only on failure a second read asks.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection

from app import etags, responses
from app.auth.principal import Principal
from app.db.types import utcnow
from app.errors import NotFound, PreconditionFailed
from app.etags import Precondition
from app.owned.repository import OwnedRepository, Versioned
from app.unit_of_work import SQL, Repositories, Transactions

R = TypeVar("R", bound=Versioned)
M = TypeVar("M", bound=BaseModel)


def owner_filter(principal: Principal) -> uuid.UUID | None:
    """Whose rows the caller may change: their own, or (superusers) anyone's."""
    return None if principal.is_superuser else principal.user.id


def missing(noun: str) -> str:
    return f"No such {noun}."


@dataclass
class OwnedService(Generic[R, M]):
    """The versioned update and the owned delete, for a service of owned rows (a base).

    A subclass names its rows' contract `model` (the errors call a row by its name) and the
    repository a unit of work builds (`owned`).
    """

    database: Transactions
    repositories: Repositories = SQL

    @property
    def model(self) -> type[M]:
        raise NotImplementedError

    @property
    def noun(self) -> str:
        return self.model.__name__.lower()

    def owned(self, connection: Connection) -> OwnedRepository[R]:
        raise NotImplementedError

    async def _change(
        self,
        row_id: uuid.UUID,
        principal: Principal,
        if_match: str | None,
        changes: dict[str, Any],
    ) -> tuple[M, str]:
        """Apply `changes` for `principal` under `If-Match`, in one write: the body and ETag."""
        owner = owner_filter(principal)
        precondition = etags.if_match(if_match)
        record = await self.database.write(
            lambda connection: _change(
                self.owned(connection), row_id, owner, precondition, changes, utcnow(), self.noun
            )
        )
        return responses.view(self.model, record), etags.etag(record.version)

    async def _remove(self, row_id: uuid.UUID, principal: Principal) -> None:
        """Delete the row for `principal`, or NotFound if it is not there or not theirs."""
        owner = owner_filter(principal)
        await self.database.write(
            lambda connection: _remove(self.owned(connection), row_id, owner, self.noun)
        )


def _change(
    repository: OwnedRepository[R],
    row_id: uuid.UUID,
    owner: uuid.UUID | None,
    precondition: Precondition | None,
    changes: dict[str, Any],
    now: datetime,
    noun: str,
) -> R:
    record = repository.update(
        row_id, owner_id=owner, precondition=precondition, changes=changes, now=now
    )
    if record is not None:
        return record
    current_owner = repository.owner_of(row_id)
    if current_owner is None or (owner is not None and current_owner != owner):
        raise NotFound(missing(noun))
    raise PreconditionFailed(f"The {noun} changed since you read it; read it again.")


def _remove(
    repository: OwnedRepository[R], row_id: uuid.UUID, owner: uuid.UUID | None, noun: str
) -> None:
    if not repository.delete(row_id, owner_id=owner):
        raise NotFound(missing(noun))

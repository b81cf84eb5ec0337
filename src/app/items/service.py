"""Implements `contract.routers.items.ItemsApi`: anyone reads; owners and superusers write."""

import uuid

from sqlalchemy import Connection

from app import etags, responses
from app.auth.principal import Principal
from app.db.types import utcnow
from app.errors import NotFound
from app.items.money import to_cents
from app.items.repository import ItemRecord, ItemRepository, Sort
from app.owned.service import OwnedService, missing
from app.pagination import PageRequest
from contract import models
from contract.routers.items import (
    CreateItemResult,
    GetItemResult,
    ItemsApi,
    UpdateItemResult,
)


class ItemsService(OwnedService[ItemRecord, models.Item], ItemsApi[Principal]):
    """Subclasses its Protocol so mypy names any operation it lacks where it is built."""

    model = models.Item

    def owned(self, connection: Connection) -> ItemRepository:
        return self.repositories.items(connection)

    async def list_items(
        self, *, page: int, size: int, owner_id: uuid.UUID | None, q: str | None, sort: Sort
    ) -> models.ItemPage:
        request = PageRequest(page, size)
        records, total = await self.database.read(
            lambda connection: self.owned(connection).page(
                request, owner_id=owner_id, q=q, sort=sort
            )
        )
        return responses.page(models.ItemPage, records, total, request)

    async def list_user_items(self, *, user_id: uuid.UUID, page: int, size: int) -> models.ItemPage:
        request = PageRequest(page, size)

        def work(connection: Connection) -> tuple[list[ItemRecord], int]:
            records, total = self.owned(connection).page(request, owner_id=user_id)
            # No items may mean no such user; only then is the extra query worth it.
            if total == 0 and self.repositories.users(connection).get(user_id) is None:
                raise NotFound("No such account.")
            return records, total

        records, total = await self.database.read(work)
        return responses.page(models.ItemPage, records, total, request)

    async def create_item(
        self, *, body: models.ItemCreate, principal: Principal
    ) -> CreateItemResult:
        now = utcnow()
        record = ItemRecord(
            id=uuid.uuid4(),
            title=body.title,
            description=body.description,
            price_cents=to_cents(body.price.root),
            owner_id=principal.user.id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        # One INSERT: it commits alone.
        await self.database.write_single(lambda connection: self.owned(connection).add(record))
        return CreateItemResult(
            body=responses.view(models.Item, record),
            location=f"/api/v1/items/{record.id}",
            etag=etags.etag(record.version),
        )

    async def get_item(self, *, item_id: uuid.UUID) -> GetItemResult:
        record = await self.database.read(lambda connection: self.owned(connection).get(item_id))
        if record is None:
            raise NotFound(missing(self.noun))
        return GetItemResult(
            body=responses.view(models.Item, record), etag=etags.etag(record.version)
        )

    async def update_item(
        self,
        *,
        item_id: uuid.UUID,
        if_match: str | None,
        body: models.ItemUpdate,
        principal: Principal,
    ) -> UpdateItemResult:
        changes = body.model_dump(exclude_unset=True, exclude={"price"})
        if body.price is not None:
            changes["price_cents"] = to_cents(body.price.root)
        return UpdateItemResult(*await self._change(item_id, principal, if_match, changes))

    async def delete_item(self, *, item_id: uuid.UUID, principal: Principal) -> None:
        await self._remove(item_id, principal)

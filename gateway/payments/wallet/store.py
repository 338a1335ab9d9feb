"""Reading and writing the wallet in the gateway's store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.payments.port import BankAccountType, MethodKind, PaymentMethod
from gateway.core.clock import as_utc
from gateway.core.store.dialect_insert import dialect_insert
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.wallet.tables import SavedMethodRow


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedMethod:
    id: str  # the processor's pm_...
    user_id: int
    kind: MethodKind
    last4: str
    brand: str | None
    exp_month: int | None
    exp_year: int | None
    bank_name: str | None
    account_type: BankAccountType | None
    nickname: str | None
    is_default: bool
    created_at: datetime

    def expired(self, today: date) -> bool:
        """A card is good through the last day of its expiry month."""
        if self.exp_month is None or self.exp_year is None:
            return False
        return (today.year, today.month) > (self.exp_year, self.exp_month)

    def as_processor_method(self) -> PaymentMethod:
        """What a payment needs to show and post it, as the processor described it."""
        return PaymentMethod(
            id=self.id,
            kind=self.kind,
            customer_ref="",  # not kept: the wallet row's login owns it
            last4=self.last4,
            brand=self.brand,
            exp_month=self.exp_month,
            exp_year=self.exp_year,
            bank_name=self.bank_name,
            account_type=self.account_type,
        )


async def insert_method(
    store: GatewayStore,
    *,
    user_id: int,
    method: PaymentMethod,
    nickname: str | None,
    make_default: bool,
    now: datetime,
) -> SavedMethod:
    """Save `method` for `user_id` (the same method again changes nothing but what was
    asked for); the login's first method is its default whatever was asked."""
    async with store.sessions() as session, session.begin():
        has_default = await session.scalar(
            select(SavedMethodRow.processor_method_id).where(
                SavedMethodRow.user_id == user_id, SavedMethodRow.is_default.is_(True)
            )
        )
        default = make_default or has_default is None
        if default:
            await _clear_default(session, user_id)
        values = {
            "processor_method_id": method.id,
            "user_id": user_id,
            "kind": method.kind.value,
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
            "bank_name": method.bank_name,
            "account_type": None if method.account_type is None else method.account_type.value,
            "nickname": nickname,
            "is_default": default,
            "created_at": as_utc(now),
        }
        insert = dialect_insert(session, SavedMethodRow).values(values)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=[SavedMethodRow.processor_method_id],
                set_={"nickname": nickname, "is_default": default},
                where=SavedMethodRow.user_id == user_id,
            )
        )
    saved = await get_method(store, user_id=user_id, method_id=method.id)
    assert saved is not None  # a pm_ id is one login's: the processor made it for them
    return saved


async def _clear_default(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(SavedMethodRow)
        .where(SavedMethodRow.user_id == user_id, SavedMethodRow.is_default.is_(True))
        .values(is_default=False)
    )


async def methods_of(store: GatewayStore, user_id: int) -> list[SavedMethod]:
    """The login's saved methods, the default first, then oldest first."""
    async with store.sessions() as session:
        rows = await session.scalars(
            select(SavedMethodRow)
            .where(SavedMethodRow.user_id == user_id)
            .order_by(
                SavedMethodRow.is_default.desc(),
                SavedMethodRow.created_at,
                SavedMethodRow.processor_method_id,
            )
        )
        return [_saved(row) for row in rows]


async def get_method(store: GatewayStore, *, user_id: int, method_id: str) -> SavedMethod | None:
    """The login's method `method_id`; another login's is None, as one that is not saved."""
    async with store.sessions() as session:
        row = await session.get(SavedMethodRow, method_id)
        return None if row is None or row.user_id != user_id else _saved(row)


async def set_default(store: GatewayStore, *, user_id: int, method_id: str) -> bool:
    """False (and nothing changed) when the login has no such method."""
    async with store.sessions() as session, session.begin():
        row = await session.get(SavedMethodRow, method_id, with_for_update=True)
        if row is None or row.user_id != user_id:
            return False
        await _clear_default(session, user_id)
        row.is_default = True
    return True


async def delete_method(session: AsyncSession, *, user_id: int, method_id: str) -> bool:
    """In `session`'s transaction; the oldest remaining method becomes the default when
    the default goes. False when the login has no such method."""
    row = await session.get(SavedMethodRow, method_id, with_for_update=True)
    if row is None or row.user_id != user_id:
        return False
    was_default = row.is_default
    await session.delete(row)
    await session.flush()
    if was_default:
        heir = await session.scalar(
            select(SavedMethodRow)
            .where(SavedMethodRow.user_id == user_id)
            .order_by(SavedMethodRow.created_at, SavedMethodRow.processor_method_id)
            .limit(1)
        )
        if heir is not None:
            heir.is_default = True
    return True


def _saved(row: SavedMethodRow) -> SavedMethod:
    return SavedMethod(
        id=row.processor_method_id,
        user_id=row.user_id,
        kind=MethodKind(row.kind),
        last4=row.last4,
        brand=row.brand,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
        bank_name=row.bank_name,
        account_type=None if row.account_type is None else BankAccountType(row.account_type),
        nickname=row.nickname,
        is_default=row.is_default,
        created_at=as_utc(row.created_at),
    )

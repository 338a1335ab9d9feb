"""Reading and writing payments and their events in the gateway's store.

A payment is inserted with ON CONFLICT DO NOTHING on (user, idempotency key), so of
two requests racing with the same key exactly one writes, on SQLite and PostgreSQL
alike, and the other reads that one back. Every change of a payment is written with
its event in one transaction.

A payment is read with the state of its outbox entry: one still PROCESSING whose entry
the outbox set aside reads as NEEDS_ATTENTION. The handler marks the payment itself
when its last attempt fails, but a last attempt cut short by a crash is set aside by
the outbox alone, and the payment must not look as if it were still on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import and_, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.payments.port import MethodKind
from gateway.core.clock import as_utc
from gateway.core.outbox.table import OutboxEntry, OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.status import PaymentStatus
from gateway.payments.tables import PaymentEventRow, PaymentRow

OUTBOX_KEY_PREFIX: Final = "payment:"
# The idempotency keys of autopay's drafts (`gateway.payments.autopay.plan`); a member's
# request may not use one (`pay_bill`), so a key so named is a draft's.
AUTOPAY_KEY_PREFIX: Final = "autopay:"


def outbox_key(payment_id: str) -> str:
    """The idempotency key of the outbox entry that processes the payment."""
    return OUTBOX_KEY_PREFIX + payment_id


# Every read: the payment and the state of its outbox entry (none for an old row).
READ = select(PaymentRow, OutboxEntry.state).outerjoin(
    OutboxEntry, OutboxEntry.idempotency_key == literal(OUTBOX_KEY_PREFIX) + PaymentRow.id
)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredPayment:
    id: str
    user_id: int
    account_number: str
    amount: Decimal
    fee: Decimal
    method_kind: MethodKind
    method_label: str
    method_last4: str
    processor_method_id: str
    status: PaymentStatus
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    processor_payment_id: str | None
    confirmation: str | None
    posted_at: datetime | None
    decline_reason: str | None
    scheduled_for: date | None = None  # the local date a SCHEDULED payment is due on

    @property
    def total(self) -> Decimal:
        return self.amount + self.fee

    @property
    def by_autopay(self) -> bool:
        return self.idempotency_key.startswith(AUTOPAY_KEY_PREFIX)


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    payment_id: str
    at: datetime
    status: PaymentStatus
    detail: str


@dataclass(frozen=True, slots=True)
class PaymentPage:
    payments: tuple[StoredPayment, ...]
    has_next_page: bool


async def insert_payment(session: AsyncSession, payment: StoredPayment) -> bool:
    """Insert `payment` and its first event in `session`'s transaction; False (and
    nothing written) when its login already used its idempotency key."""
    values = {
        "id": payment.id,
        "user_id": payment.user_id,
        "account_number": payment.account_number,
        "amount": payment.amount,
        "fee": payment.fee,
        "method_kind": payment.method_kind.value,
        "method_label": payment.method_label,
        "method_last4": payment.method_last4,
        "processor_method_id": payment.processor_method_id,
        "status": payment.status.value,
        "idempotency_key": payment.idempotency_key,
        "created_at": as_utc(payment.created_at),
        "updated_at": as_utc(payment.updated_at),
        "scheduled_for": payment.scheduled_for,
    }
    insert = _insert_unless_key_used(session.get_bind().dialect.name)
    inserted = await session.scalar(insert.values(values).returning(PaymentRow.id))
    if inserted is None:
        return False
    session.add(
        PaymentEventRow(
            payment_id=payment.id,
            at=as_utc(payment.created_at),
            status=payment.status.value,
            detail="accepted",
        )
    )
    await session.flush()
    return True


def _insert_unless_key_used(dialect: str) -> postgresql.Insert | sqlite.Insert:
    # Not a caught unique violation: on PostgreSQL that aborts the whole transaction.
    # ON CONFLICT also waits for a concurrent transaction inserting the same key.
    keys = [PaymentRow.user_id, PaymentRow.idempotency_key]
    if dialect == "postgresql":
        return postgresql.insert(PaymentRow).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(PaymentRow).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"payments are stored in SQLite or PostgreSQL, not {dialect}")


async def payment_by_key(
    store: GatewayStore, *, user_id: int, idempotency_key: str
) -> StoredPayment | None:
    async with store.sessions() as session:
        found = (
            await session.execute(
                READ.where(
                    PaymentRow.user_id == user_id, PaymentRow.idempotency_key == idempotency_key
                )
            )
        ).first()
        return None if found is None else stored(*found)


async def get_payment(store: GatewayStore, payment_id: str) -> StoredPayment | None:
    async with store.sessions() as session:
        found = (await session.execute(READ.where(PaymentRow.id == payment_id))).first()
        return None if found is None else stored(*found)


async def record_change(
    store: GatewayStore,
    payment_id: str,
    *,
    status: PaymentStatus,
    detail: str,
    now: datetime,
    **fields: Any,
) -> None:
    """Set the payment's status (and `fields`: columns of `PaymentRow`) and record the
    event, in one transaction."""
    at = as_utc(now)
    async with store.sessions() as session, session.begin():
        await session.execute(
            update(PaymentRow)
            .where(PaymentRow.id == payment_id)
            .values(status=status.value, updated_at=at, **fields)
        )
        session.add(
            PaymentEventRow(payment_id=payment_id, at=at, status=status.value, detail=detail)
        )


async def record_change_from(
    store: GatewayStore,
    payment_id: str,
    *,
    expected: PaymentStatus,
    status: PaymentStatus,
    detail: str,
    now: datetime,
    **fields: Any,
) -> bool:
    """`record_change`, if the payment is still `expected`; False (nothing written)
    when a concurrent run changed it first (a return and a refund of one payment)."""
    at = as_utc(now)
    async with store.sessions() as session, session.begin():
        changed = await session.execute(
            update(PaymentRow)
            .where(PaymentRow.id == payment_id, PaymentRow.status == expected.value)
            .values(status=status.value, updated_at=at, **fields)
            .returning(PaymentRow.id)
        )
        if changed.first() is None:
            return False
        session.add(
            PaymentEventRow(payment_id=payment_id, at=at, status=status.value, detail=detail)
        )
        return True


async def record_event(
    store: GatewayStore, payment_id: str, *, status: PaymentStatus, detail: str, now: datetime
) -> None:
    """Record an event without changing the payment (`status` is the one it had): a
    step that moves nothing, written without racing a change made meanwhile."""
    async with store.sessions() as session, session.begin():
        session.add(
            PaymentEventRow(
                payment_id=payment_id, at=as_utc(now), status=status.value, detail=detail
            )
        )


async def recent_payment(
    store: GatewayStore, *, account_number: str, since: datetime, statuses: frozenset[PaymentStatus]
) -> StoredPayment | None:
    """The account's newest payment made at or after `since` whose status is one of
    `statuses`, by any login."""
    async with store.sessions() as session:
        row = await session.scalar(
            select(PaymentRow)
            .where(
                PaymentRow.account_number == account_number,
                PaymentRow.created_at >= as_utc(since),
                PaymentRow.status.in_([status.value for status in statuses]),
            )
            .order_by(PaymentRow.created_at.desc(), PaymentRow.id.desc())
            .limit(1)
        )
        return None if row is None else stored(row)


async def payment_events(store: GatewayStore, payment_id: str) -> list[PaymentEvent]:
    """The payment's events, oldest first."""
    async with store.sessions() as session:
        rows = await session.scalars(
            select(PaymentEventRow)
            .where(PaymentEventRow.payment_id == payment_id)
            .order_by(PaymentEventRow.at, PaymentEventRow.id)
        )
        return [
            PaymentEvent(row.payment_id, as_utc(row.at), PaymentStatus(row.status), row.detail)
            for row in rows
        ]


async def account_payments(
    store: GatewayStore, *, account_number: str, first: int, after: str | None
) -> PaymentPage:
    """The account's payments, newest first, `first` of them after the payment whose id
    is `after` (an id of another account, or none at all, starts from the newest)."""
    async with store.sessions() as session:
        query = READ.where(PaymentRow.account_number == account_number)
        if after is not None:
            anchor = await session.get(PaymentRow, after)
            if anchor is not None and anchor.account_number == account_number:
                query = query.where(
                    or_(
                        PaymentRow.created_at < anchor.created_at,
                        and_(
                            PaymentRow.created_at == anchor.created_at,
                            PaymentRow.id < anchor.id,
                        ),
                    )
                )
        # One more than asked tells whether a next page exists.
        rows = list(
            await session.execute(
                query.order_by(PaymentRow.created_at.desc(), PaymentRow.id.desc()).limit(first + 1)
            )
        )
        return PaymentPage(
            payments=tuple(stored(row, state) for row, state in rows[:first]),
            has_next_page=len(rows) > first,
        )


def stored(row: PaymentRow, entry_state: str | None = None) -> StoredPayment:
    status = PaymentStatus(row.status)
    if status is PaymentStatus.PROCESSING and entry_state == OutboxState.NEEDS_ATTENTION:
        status = PaymentStatus.NEEDS_ATTENTION
    return StoredPayment(
        id=row.id,
        user_id=row.user_id,
        account_number=row.account_number,
        amount=Decimal(row.amount).quantize(Decimal("0.01")),
        fee=Decimal(row.fee).quantize(Decimal("0.01")),
        method_kind=MethodKind(row.method_kind),
        method_label=row.method_label,
        method_last4=row.method_last4,
        processor_method_id=row.processor_method_id,
        status=status,
        idempotency_key=row.idempotency_key,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        processor_payment_id=row.processor_payment_id,
        confirmation=row.confirmation,
        posted_at=None if row.posted_at is None else as_utc(row.posted_at),
        decline_reason=row.decline_reason,
        scheduled_for=row.scheduled_for,
    )

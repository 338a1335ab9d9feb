"""Payments set for a later day: when one falls due, and who may still call it off.

A scheduled payment is written SCHEDULED with its outbox entry due at the start of
its day in the co-op's time zone; nothing is charged before. The worker and the
member then race for it, each with one conditional UPDATE of the same row
(`claim_scheduled`: SCHEDULED -> PROCESSING; `cancel_scheduled_payment`: SCHEDULED ->
CANCELLED). The database lets exactly one of them change it, so the race ends either
CANCELLED with nothing charged, or PROCESSING with the cancel refused, never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import update

from gateway.core.clock import Clock, as_utc, utc_now
from gateway.core.outcomes import FieldProblem
from gateway.core.payment_rules import PaymentRules
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment
from gateway.payments.tables import PaymentEventRow, PaymentRow


def falls_due_at(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` starts in the co-op's time zone, in UTC."""
    return as_utc(datetime.combine(day, time.min, tzinfo=zone))


def latest_date(today: date, rules: PaymentRules) -> date:
    """The last day a payment may be set for (`paymentOptions.latestScheduledDate`)."""
    return date.fromordinal(today.toordinal() + rules.schedule_days_ahead)


def schedule_problem(day: date | None, *, today: date, rules: PaymentRules) -> FieldProblem | None:
    """A date the payment cannot be set for; None for none, today or a day in the window."""
    if day is None or day == today:
        return None
    if day < today:
        return FieldProblem("scheduledFor", "Choose today or a later day.")
    latest = latest_date(today, rules)
    if day > latest:
        return FieldProblem("scheduledFor", f"Choose a day no later than {latest.isoformat()}.")
    return None


async def claim_scheduled(store: GatewayStore, payment_id: str, *, now: datetime) -> bool:
    """The worker takes a scheduled payment to charge it; False when the member
    cancelled it first (or another run took it)."""
    return await _move(
        store,
        payment_id,
        PaymentStatus.PROCESSING,
        detail="scheduled date reached",
        now=now,
    )


@dataclass(frozen=True, slots=True)
class Cancelled:
    payment: StoredPayment


@dataclass(frozen=True, slots=True)
class NotCancellable:
    """The payment is no longer waiting: the worker took it, or it ended otherwise."""

    payment: StoredPayment


@dataclass(frozen=True, slots=True)
class NoSuchPayment:
    """No payment of this login's has that id (another login's looks the same)."""


CancelOutcome = Cancelled | NotCancellable | NoSuchPayment


async def cancel_scheduled_payment(
    *, store: GatewayStore, user_id: int, payment_id: str, clock: Clock = utc_now
) -> CancelOutcome:
    """Call off the login's own SCHEDULED payment, unless the worker took it first."""
    payment = await payments_store.get_payment(store, payment_id)
    if payment is None or payment.user_id != user_id:
        return NoSuchPayment()
    if await _move(
        store,
        payment_id,
        PaymentStatus.CANCELLED,
        detail="cancelled by the member",
        now=clock(),
        user_id=user_id,
    ):
        now = await payments_store.get_payment(store, payment_id)
        assert now is not None  # a payment is never deleted
        return Cancelled(now)
    latest = await payments_store.get_payment(store, payment_id)
    assert latest is not None
    return NotCancellable(latest)


async def _move(
    store: GatewayStore,
    payment_id: str,
    status: PaymentStatus,
    *,
    detail: str,
    now: datetime,
    user_id: int | None = None,
) -> bool:
    """SCHEDULED -> `status` in one conditional UPDATE with its event; False when the
    payment was not SCHEDULED any more (the row lock makes the loser wait, then see it)."""
    at = as_utc(now)
    condition = [PaymentRow.id == payment_id, PaymentRow.status == PaymentStatus.SCHEDULED.value]
    if user_id is not None:
        condition.append(PaymentRow.user_id == user_id)
    async with store.sessions() as session, session.begin():
        result = await session.execute(
            update(PaymentRow).where(*condition).values(status=status.value, updated_at=at)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.add(
            PaymentEventRow(payment_id=payment_id, at=at, status=status.value, detail=detail)
        )
    return True

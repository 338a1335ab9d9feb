"""Reading and writing autopay enrollments in the gateway's store.

At most one enrollment per account is active: a partial unique index decides a race
between two enrollments, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.tables import AutopayEnrollmentRow


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment:
    id: int
    account_number: str
    user_id: int
    method_id: str  # a saved method (pm_...) of `user_id`'s
    rule: DraftRule
    max_amount: Decimal | None
    status: EnrollmentStatus
    created_at: datetime
    cancelled_at: datetime | None
    skipped_due_date: date | None
    skipped_reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewEnrollment:
    account_number: str
    user_id: int
    method_id: str
    rule: DraftRule
    max_amount: Decimal | None
    now: datetime


async def insert_enrollment(store: GatewayStore, new: NewEnrollment) -> Enrollment | None:
    """The new active enrollment; None (nothing written) when the account has one."""
    row = AutopayEnrollmentRow(
        account_number=new.account_number,
        user_id=new.user_id,
        processor_method_id=new.method_id,
        draft_rule=new.rule.kind.value,
        draft_days=new.rule.days,
        max_amount=new.max_amount,
        status=EnrollmentStatus.ACTIVE.value,
        created_at=as_utc(new.now),
    )
    try:
        async with store.sessions() as session, session.begin():
            session.add(row)
    except IntegrityError:
        return None
    return _enrollment(row)


async def active_enrollment(store: GatewayStore, account_number: str) -> Enrollment | None:
    async with store.sessions() as session:
        row = await session.scalar(
            select(AutopayEnrollmentRow).where(
                AutopayEnrollmentRow.account_number == account_number,
                AutopayEnrollmentRow.status == EnrollmentStatus.ACTIVE.value,
            )
        )
        return None if row is None else _enrollment(row)


async def active_enrollments(store: GatewayStore) -> list[Enrollment]:
    """Every active enrollment, oldest first: what the drafting job goes through."""
    async with store.sessions() as session:
        rows = await session.scalars(
            select(AutopayEnrollmentRow)
            .where(AutopayEnrollmentRow.status == EnrollmentStatus.ACTIVE.value)
            .order_by(AutopayEnrollmentRow.id)
        )
        return [_enrollment(row) for row in rows]


async def cancel_enrollment(
    store: GatewayStore, *, account_number: str, now: datetime
) -> Enrollment | None:
    """The enrollment cancelled; None when the account had no active one."""
    async with store.sessions() as session, session.begin():
        row = await session.scalar(
            select(AutopayEnrollmentRow)
            .where(
                AutopayEnrollmentRow.account_number == account_number,
                AutopayEnrollmentRow.status == EnrollmentStatus.ACTIVE.value,
            )
            .with_for_update()
        )
        if row is None:
            return None
        row.status = EnrollmentStatus.CANCELLED.value
        row.cancelled_at = as_utc(now)
        return _enrollment(row)


async def accounts_drafting_with(session: AsyncSession, method_id: str) -> list[str]:
    """The accounts an active enrollment drafts with `method_id`, in `session`."""
    rows = await session.scalars(
        select(AutopayEnrollmentRow.account_number).where(
            AutopayEnrollmentRow.processor_method_id == method_id,
            AutopayEnrollmentRow.status == EnrollmentStatus.ACTIVE.value,
        )
    )
    return sorted(rows)


async def record_skip(
    store: GatewayStore, enrollment_id: int, *, due_date: date | None, reason: str | None
) -> None:
    """Why the bill due on `due_date` was not drafted; None and None once one is."""
    async with store.sessions() as session, session.begin():
        await session.execute(
            update(AutopayEnrollmentRow)
            .where(AutopayEnrollmentRow.id == enrollment_id)
            .values(skipped_due_date=due_date, skipped_reason=reason)
        )


def _enrollment(row: AutopayEnrollmentRow) -> Enrollment:
    return Enrollment(
        id=row.id,
        account_number=row.account_number,
        user_id=row.user_id,
        method_id=row.processor_method_id,
        rule=DraftRule(DraftRuleKind(row.draft_rule), row.draft_days),
        max_amount=None
        if row.max_amount is None
        else Decimal(row.max_amount).quantize(Decimal("0.01")),
        status=EnrollmentStatus(row.status),
        created_at=as_utc(row.created_at),
        cancelled_at=None if row.cancelled_at is None else as_utc(row.cancelled_at),
        skipped_due_date=row.skipped_due_date,
        skipped_reason=row.skipped_reason,
    )

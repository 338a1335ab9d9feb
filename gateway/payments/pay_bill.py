"""A member pays a bill: validated, written with its outbox entry, carried out later.

The request does no more than it must: it checks the account and the amount, answers
a repeated idempotency key with the first payment, turns the token into a processor
method (to learn what to show for it), and writes the payment (PROCESSING) and the
outbox entry that charges it and posts it to the CIS in one transaction. The worker
does the rest (`gateway.payments.processing`), so a crash after the answer loses
nothing and a retry of the request pays nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from adapters.payments.port import PaymentMethod, PaymentProcessor
from adapters.rules.money import whole_cents
from gateway.core.clock import Clock, utc_now
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.payment_rules import PaymentRules
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.policy import AccountAccess
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice, choice_problem, method_label, resolve_method
from gateway.payments.options import amount_problem, method_problem
from gateway.payments.scheduling import falls_due_at, schedule_problem
from gateway.payments.status import PaymentStatus
from gateway.payments.store import StoredPayment

logger = logging.getLogger("gateway.payments")

UTC_ZONE: Final = ZoneInfo("UTC")

# The outbox entry that charges a payment and posts it (see gateway.worker).
PROCESS_PAYMENT_KIND: Final = "payments.process"
# More than any bill of the co-op's: a typo (an extra digit) is caught before a charge.
MAX_AMOUNT: Final = Decimal("100000.00")
MAX_IDEMPOTENCY_KEY_LENGTH: Final = 200
# A second payment to an account this soon after another is more often a member who
# did not see the first one go through than a second payment meant.
DUPLICATE_WINDOW: Final = timedelta(days=3)
# The payments that count: going through, or gone through and not undone.
_COUNTS_AS_PAID: Final = frozenset(
    {PaymentStatus.SCHEDULED, PaymentStatus.PROCESSING, PaymentStatus.POSTED}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BillPayment:
    """What the member asked for."""

    account_number: str
    amount: Decimal
    method: MethodChoice
    # The client's: the same key from the same login is the same payment.
    idempotency_key: str
    # The member saw the DuplicateSuspected answer and pays anyway.
    confirm_duplicate: bool = False
    # A later day in the co-op's time zone to pay on; None or today: at once.
    scheduled_for: date | None = None


@dataclass(frozen=True, slots=True)
class PaymentAccepted:
    """Written and on its way (or, for a repeated key, the first payment as it stands)."""

    payment: StoredPayment


@dataclass(frozen=True, slots=True)
class PaymentWasDeclined:
    """A repeated key whose payment the processor declined."""

    payment: StoredPayment


@dataclass(frozen=True, slots=True)
class DuplicateSuspected:
    """Another payment to the account was made lately: nothing is written or charged
    until the member confirms (`confirm_duplicate`)."""

    recent: StoredPayment


@dataclass(frozen=True, slots=True)
class AutopayDraftPending:
    """Autopay will draft the account's current bill: nothing is written or charged
    until the member confirms (`confirm_duplicate`)."""

    draft_date: date
    amount: Decimal


# The account's autopay draft still to come (its day and amount), or None: given by the
# caller, as autopay itself writes its drafts through this module.
PendingDraft = Callable[[str], Awaitable[tuple[date, Decimal] | None]]

PayBillOutcome = (
    PaymentAccepted
    | PaymentWasDeclined
    | DuplicateSuspected
    | AutopayDraftPending
    | AccountHidden
    | FieldProblem
)


def new_payment_id() -> str:
    """The payment id, the processor's idempotency key and the CIS's financialTransactionID."""
    return f"pay_{uuid.uuid4().hex}"


async def pay_bill(
    *,
    access: AccountAccess,
    store: GatewayStore,
    processor: PaymentProcessor | None,
    request: BillPayment,
    request_id: str,
    clock: Clock = utc_now,
    on_outbox_committed: Callable[[], None] | None = None,
    pending_draft: PendingDraft | None = None,
    rules: PaymentRules | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> PayBillOutcome:
    """`processor` None: payments are not set up, and a valid request raises
    `PaymentsUnavailable`. `on_outbox_committed` wakes a worker in this process.
    `rules`: the bounds, methods and fees (`payment_options`); the defaults if None.
    `zone`: the co-op's, whose calendar `request.scheduled_for` is a day of."""
    rules = rules or PaymentRules()
    today = clock().astimezone(zone).date()
    account_number = request.account_number.strip()
    if not await access.can_see(account_number):
        return AccountHidden()
    user = await access.require_user()
    problem = (
        _amount_problem(request.amount)
        or amount_problem(request.amount, rules)
        or _key_problem(request.idempotency_key)
        or schedule_problem(request.scheduled_for, today=today, rules=rules)
    )
    if problem is not None:
        return problem
    later = request.scheduled_for
    if later is not None and later <= today:
        later = None  # today is at once
    key = request.idempotency_key.strip()

    async def repeat() -> PayBillOutcome | None:
        """The answer to a key this login used before, or None."""
        first = await payments_store.payment_by_key(store, user_id=user.id, idempotency_key=key)
        if first is None:
            return None
        return _repeat(first, account_number=account_number, amount=request.amount)

    answered = await repeat()
    if answered is not None:
        return answered
    problem = choice_problem(request.method)
    if problem is not None:
        return problem
    if not request.confirm_duplicate:
        # Before the token is spent: the member confirms with the same one.
        recent = await payments_store.recent_payment(
            store,
            account_number=account_number,
            since=clock() - DUPLICATE_WINDOW,
            statuses=_COUNTS_AS_PAID,
        )
        if recent is not None:
            # It may be this very request's payment, written a moment ago by a racing
            # request with the same key: that is a repeat, not a duplicate.
            return await repeat() or DuplicateSuspected(recent)
        draft = None if pending_draft is None else await pending_draft(account_number)
        if draft is not None:
            return await repeat() or AutopayDraftPending(*draft)

    method = await resolve_method(processor=processor, user_id=user.id, choice=request.method)
    if isinstance(method, FieldProblem):
        # A racing request with the same key may have spent the token a moment ago.
        return await repeat() or method
    refused = method_problem(method.kind, rules)
    if refused is not None:
        return refused
    payment = _new_payment(
        user_id=user.id,
        account_number=account_number,
        amount=request.amount,
        fee=rules.fee(method.kind, whole_cents(request.amount)),
        method=method,
        idempotency_key=key,
        now=clock(),
        scheduled_for=later,
    )
    due_at = None if later is None else falls_due_at(later, zone)
    if not await _write(store, payment, on_outbox_committed=on_outbox_committed, due_at=due_at):
        answered = await repeat()  # a request with the same key wrote its payment first
        assert answered is not None  # a payment is never deleted
        return answered
    logger.info(
        "request %s: payment %s of %s to account %s accepted",
        request_id,
        payment.id,
        payment.amount,
        account_number,
    )
    return PaymentAccepted(payment)


def _new_payment(
    *,
    user_id: int,
    account_number: str,
    amount: Decimal,
    fee: Decimal,
    method: PaymentMethod,
    idempotency_key: str,
    now: datetime,
    scheduled_for: date | None,
) -> StoredPayment:
    return StoredPayment(
        id=new_payment_id(),
        user_id=user_id,
        account_number=account_number,
        amount=whole_cents(amount),
        fee=fee,
        method_kind=method.kind,
        method_label=method_label(method),
        method_last4=method.last4,
        processor_method_id=method.id,
        status=PaymentStatus.PROCESSING if scheduled_for is None else PaymentStatus.SCHEDULED,
        idempotency_key=idempotency_key,
        created_at=now,
        updated_at=now,
        processor_payment_id=None,
        confirmation=None,
        posted_at=None,
        decline_reason=None,
        scheduled_for=scheduled_for,
    )


async def _write(
    store: GatewayStore,
    payment: StoredPayment,
    *,
    on_outbox_committed: Callable[[], None] | None,
    due_at: datetime | None = None,
) -> bool:
    """The payment and the outbox entry that processes it, in one transaction; False
    (and nothing written) when its login already used its idempotency key."""
    async with unit_of_work(
        store, clock=lambda: payment.created_at, on_outbox_committed=on_outbox_committed
    ) as uow:
        created = await payments_store.insert_payment(uow.session, payment)
        if created:
            await uow.add_outbox(
                kind=PROCESS_PAYMENT_KIND,
                payload={"payment_id": payment.id},
                idempotency_key=payments_store.outbox_key(payment.id),
                due_at=due_at,  # a scheduled payment: the start of its day
            )
    return created


def _repeat(first: StoredPayment, *, account_number: str, amount: Decimal) -> PayBillOutcome:
    """The answer to a key used before: the first payment, unless the key now names a
    different payment (a client bug that would otherwise drop this one silently)."""
    if first.account_number != account_number or first.amount != amount:
        return FieldProblem("idempotencyKey", "This key was already used for a different payment.")
    if first.status is PaymentStatus.DECLINED:
        return PaymentWasDeclined(first)
    return PaymentAccepted(first)


def _amount_problem(amount: Decimal) -> FieldProblem | None:
    try:
        cents = whole_cents(amount)
    except ValueError:
        return FieldProblem("amount", "Enter an amount in dollars and cents, like 84.50.")
    if cents <= 0:
        return FieldProblem("amount", "Enter an amount above zero.")
    if cents > MAX_AMOUNT:
        return FieldProblem("amount", f"A single payment can be at most ${MAX_AMOUNT:,}.")
    return None


def _key_problem(key: str) -> FieldProblem | None:
    if not key.strip() or len(key.strip()) > MAX_IDEMPOTENCY_KEY_LENGTH:
        return FieldProblem(
            "idempotencyKey", f"Send a key of 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters."
        )
    if key.strip().startswith(payments_store.AUTOPAY_KEY_PREFIX):
        # A member's payment under a draft's key would stand in for that draft.
        return FieldProblem("idempotencyKey", "Keys starting with autopay: are reserved.")
    return None


async def queue_payment(
    store: GatewayStore,
    *,
    user_id: int,
    account_number: str,
    amount: Decimal,
    method: PaymentMethod,
    idempotency_key: str,
    now: datetime,
    on_outbox_committed: Callable[[], None] | None = None,
) -> StoredPayment | None:
    """Write a payment the gateway makes itself (an autopay draft) as `pay_bill` writes
    a member's: PROCESSING, with the outbox entry that charges and posts it. None (and
    nothing written) when `user_id` already used `idempotency_key`."""
    payment = _new_payment(
        user_id=user_id,
        account_number=account_number,
        amount=amount,
        # No convenience fee on a draft: co-ops waive it for autopay, which saves
        # them the reminders and the late payments.
        fee=Decimal("0.00"),
        method=method,
        idempotency_key=idempotency_key,
        now=now,
        scheduled_for=None,
    )
    written = await _write(store, payment, on_outbox_committed=on_outbox_committed)
    return payment if written else None

"""The CIS stand-in's payment ledger: ProcessPaymentTransaction and CommitPaymentTransaction.

The account rules are the ones `adapters.cis.fake_payments` documents; tenders are
read, checked and answered by `simulators.cis.tenders`. In short:

- Postings are recorded in the database (`payment_postings`), one row per
  financialTransactionID. A repeated id is answered with the first result, marked
  `alreadyPosted`, and changes nothing.
- A payment lowers the past-due figure first, then the current one (below zero is a
  credit), becomes the last payment (dated the UTC day it was posted), and is a
  change of the account's service locations and customer in the change feed. A
  reversal (tender verb "Delete") puts back exactly what its payment took off.
- With `needs_commit`, a CIS that wants two steps: ProcessPaymentTransaction checks
  and holds a payment ("pending": no posting date in the answer), and
  CommitPaymentTransaction posts it, if it is for the account and amount processed.
  Without, ProcessPaymentTransaction posts, and so does CommitPaymentTransaction
  (payments the processor already authorized). Reversals are posted at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.cis import payment_wire as pw
from simulators.cis import feed
from simulators.cis.store import balances, payment_postings, service_locations
from simulators.cis.tenders import (
    REVERSAL_VERB,
    Tender,
    TenderRefused,
    answered,
    read_tenders,
    refused,
)
from simulators.soap import Handler

PAYMENT = "payment"
REVERSAL = "reversal"
PENDING = "pending"
POSTED = "posted"


def now_to_the_second() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def receipt(sequence: int) -> str:
    return f"R{sequence:08d}"


def _answered(tender: Tender, row: Row[Any], **extensions: str) -> dict[str, Any]:
    return answered(tender, receipt(row.sequence), row.posted_at, **extensions)


class PaymentHandlers:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        needs_commit: bool = False,
        clock: Callable[[], datetime] = now_to_the_second,
    ) -> None:
        self._engine = engine
        self._needs_commit = needs_commit
        self._clock = clock

    def mapping(self) -> Mapping[str, Handler]:
        return {
            "ProcessPaymentTransaction": self.process_payment_transaction,
            "CommitPaymentTransaction": self.commit_payment_transaction,
        }

    async def process_payment_transaction(self, request: Any) -> Any:
        return await self._run(read_tenders(request), hold=self._needs_commit)

    async def commit_payment_transaction(self, request: Any) -> Any:
        return await self._run(read_tenders(request), hold=False)

    async def _run(self, tenders: list[Tender], *, hold: bool) -> Any:
        answers = []
        async with self._engine.begin() as conn:
            for tender in tenders:
                try:
                    if tender.verb == REVERSAL_VERB:
                        answers.append(await self._reverse(conn, tender))
                    else:
                        answers.append(await self._post(conn, tender, hold=hold))
                except TenderRefused as refusal:
                    answers.append(refused(tender, refusal))
        return {"paymentTransaction": answers}

    async def _post(self, conn: AsyncConnection, tender: Tender, *, hold: bool) -> Any:
        row = await _posting(conn, tender.financial_transaction_id)
        if row is not None and row.kind != PAYMENT:
            raise TenderRefused(
                pw.AMOUNT_MISMATCH,
                f"financialTransactionID {tender.financial_transaction_id} is a reversal",
            )
        if row is not None and (row.status == POSTED or hold):
            # Seen before: the first result again (a pending one stays pending).
            extensions = {pw.ALREADY_DONE: "true"} if row.status == POSTED else {}
            return _answered(tender, row, **extensions)
        balance = (
            await conn.execute(
                select(balances).where(balances.c.account_number == tender.account_number)
            )
        ).one_or_none()
        if balance is None:
            raise TenderRefused(pw.UNKNOWN_ACCOUNT, f"unknown account {tender.account_number}")
        if row is None:
            await conn.execute(payment_postings.insert().values(**_payment_row(tender)))
        elif (row.account_number, row.amount_cents) != (tender.account_number, tender.amount_cents):
            raise TenderRefused(
                pw.AMOUNT_MISMATCH,
                f"{tender.financial_transaction_id} was processed for another account or amount",
            )
        if not hold:
            await self._apply(conn, tender, balance)
        return _answered(tender, await _recorded(conn, tender.financial_transaction_id))

    async def _apply(self, conn: AsyncConnection, tender: Tender, balance: Row[Any]) -> None:
        posted_at = self._clock()
        to_past_due = min(tender.amount_cents, balance.past_due_cents)
        past_due = balance.past_due_cents - to_past_due
        await conn.execute(
            update(balances)
            .where(balances.c.account_number == tender.account_number)
            .values(
                past_due_cents=past_due,
                current_cents=balance.current_cents - (tender.amount_cents - to_past_due),
                last_payment_cents=tender.amount_cents,
                last_payment_date=posted_at.date(),
                disconnect_date=balance.disconnect_date if past_due > 0 else None,
            )
        )
        await conn.execute(
            update(payment_postings)
            .where(payment_postings.c.financial_transaction_id == tender.financial_transaction_id)
            .values(
                status=POSTED,
                posted_at=posted_at.isoformat(),
                applied_past_due_cents=to_past_due,
                applied_current_cents=tender.amount_cents - to_past_due,
                previous_last_payment_cents=balance.last_payment_cents,
                previous_last_payment_date=balance.last_payment_date,
                previous_disconnect_date=balance.disconnect_date,
            )
        )
        await _note_balance_change(conn, tender.account_number)

    async def _reverse(self, conn: AsyncConnection, tender: Tender) -> Any:
        row = await _posting(conn, tender.financial_transaction_id)
        if row is not None:
            if row.kind != REVERSAL:
                raise TenderRefused(
                    pw.AMOUNT_MISMATCH,
                    f"financialTransactionID {tender.financial_transaction_id} is a payment",
                )
            return _answered(tender, row, **{pw.ALREADY_DONE: "true"})
        original = await _posting(conn, tender.reverses or "")
        if original is None or original.kind != PAYMENT or original.status != POSTED:
            raise TenderRefused(
                pw.UNKNOWN_TRANSACTION, f"unknown financialTransactionID {tender.reverses}"
            )
        if (original.account_number, original.amount_cents) != (
            tender.account_number,
            tender.amount_cents,
        ):
            raise TenderRefused(
                pw.AMOUNT_MISMATCH,
                f"the reversal does not match the account and amount of {tender.reverses}",
            )
        if original.reversed_by is not None:
            raise TenderRefused(pw.ALREADY_REVERSED, f"{tender.reverses} is already reversed")
        await self._restore(conn, original)
        values = _payment_row(tender)
        values.update(status=POSTED, posted_at=self._clock().isoformat())
        await conn.execute(payment_postings.insert().values(**values))
        await conn.execute(
            update(payment_postings)
            .where(payment_postings.c.sequence == original.sequence)
            .values(reversed_by=tender.financial_transaction_id)
        )
        await _note_balance_change(conn, tender.account_number)
        return _answered(tender, await _recorded(conn, tender.financial_transaction_id))

    @staticmethod
    async def _restore(conn: AsyncConnection, original: Row[Any]) -> None:
        """Put back what `original` took off; its last payment too, if it is the latest."""
        latest = (
            await conn.execute(
                select(func.max(payment_postings.c.sequence)).where(
                    (payment_postings.c.account_number == original.account_number)
                    & (payment_postings.c.kind == PAYMENT)
                    & (payment_postings.c.status == POSTED)
                )
            )
        ).scalar_one()
        values: dict[str, Any] = {
            "past_due_cents": balances.c.past_due_cents + original.applied_past_due_cents,
            "current_cents": balances.c.current_cents + original.applied_current_cents,
        }
        if latest == original.sequence:
            values.update(
                last_payment_cents=original.previous_last_payment_cents,
                last_payment_date=original.previous_last_payment_date,
                disconnect_date=original.previous_disconnect_date,
            )
        await conn.execute(
            update(balances)
            .where(balances.c.account_number == original.account_number)
            .values(**values)
        )


def _payment_row(tender: Tender) -> dict[str, Any]:
    return {
        "financial_transaction_id": tender.financial_transaction_id,
        "kind": REVERSAL if tender.verb == REVERSAL_VERB else PAYMENT,
        "status": PENDING,
        "account_number": tender.account_number,
        "amount_cents": tender.amount_cents,
        "fee_cents": tender.fee_cents,
        "authorization_code": tender.authorization_code,
        "payment_element": tender.element,
        "payment_mode": tender.payment_mode,
        "masked_number": tender.masked_number,
        "paid_items": json.dumps(tender.paid_items) if tender.paid_items else None,
        "reverses": tender.reverses,
        "reason_code": tender.reason_code,
    }


async def _posting(conn: AsyncConnection, financial_transaction_id: str) -> Row[Any] | None:
    return (
        await conn.execute(
            select(payment_postings).where(
                payment_postings.c.financial_transaction_id == financial_transaction_id
            )
        )
    ).one_or_none()


async def _recorded(conn: AsyncConnection, financial_transaction_id: str) -> Row[Any]:
    """The row this request has just written."""
    return (
        await conn.execute(
            select(payment_postings).where(
                payment_postings.c.financial_transaction_id == financial_transaction_id
            )
        )
    ).one()


async def _note_balance_change(conn: AsyncConnection, account_number: str) -> None:
    """A balance belongs to the account's service locations (and so their customer):
    the change feed lists them, and the gateway drops what it cached of them."""
    located = (
        await conn.execute(
            select(service_locations.c.location_id, service_locations.c.customer_id).where(
                service_locations.c.account_number == account_number
            )
        )
    ).all()
    for customer_id in sorted({row.customer_id for row in located}):
        await feed.record_change(conn, feed.CUSTOMER, customer_id)
    for row in located:
        await feed.record_change(conn, feed.SERVICE_LOCATION, row.location_id)

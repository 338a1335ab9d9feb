"""The CIS stand-in's payment operations: ProcessPaymentTransaction, CommitPaymentTransaction,
RequestPaymentExtension, ExtendPayment and GetPPMCustomer.

The wire conventions (what MultiSpeak 3.0 leaves open: reversals, posting dates,
duplicates, failure reasons) are the ones `adapters.cis.payment_wire` documents; the
account rules are the ones `adapters.cis.fake_payments` documents. In short:

- Postings are recorded in the database (`payment_postings`), one row per
  financialTransactionID. A repeated id is answered with the first result, marked
  `alreadyPosted`, and changes nothing.
- A payment lowers the past-due figure first, then the current one (below zero is a
  credit), becomes the last payment, and is a change of the account's service
  locations and customer in the change feed. A reversal (tender verb "Delete") puts
  back exactly what its payment took off.
- With `needs_commit`, a CIS that wants two steps: ProcessPaymentTransaction checks
  and holds a payment ("pending": no posting date in the answer), and
  CommitPaymentTransaction posts it. Without, ProcessPaymentTransaction posts, and
  CommitPaymentTransaction posts as well (payments the processor already authorized).
  Reversals are posted at once either way.
- Malformed tenders are SOAP Faults, before anything is written: no
  financialTransactionID, an amount that is not a positive number of whole cents, a
  total that is not amount plus fees, a cash payment, and any card or bank account
  number with more than its last four digits showing, or a card's expiry date or
  verification value. This CIS takes masked numbers only: a full number in a
  request is refused, never stored.
- Payment extensions: offered to an account that is past due, not prepay, and has not
  taken one up yet, until `EXTENSION_DAYS` after its due date.
- GetPPMCustomer answers for prepay accounts only (an empty answer otherwise); the
  totalBalance is the credit, minus what the account owes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.cis import payment_wire as pw
from simulators.cis import feed
from simulators.cis.store import (
    accounts,
    balances,
    from_cents,
    payment_extensions,
    payment_postings,
    service_locations,
    to_cents,
)
from simulators.soap import Handler, SoapFault

EXTENSION_DAYS: Final = 14
VISIBLE_DIGITS: Final = 4
PAYMENT = "payment"
REVERSAL = "reversal"
PENDING = "pending"
POSTED = "posted"
# Payment elements this CIS takes, and the element of each holding the masked number.
ACCEPTED_ELEMENTS: Final = {
    "creditCardPayment": ("creditCardInfo", "creditCardNumber"),
    "eCheckPayment": ("checkInfo", "checkingAccountNumber"),
    "achPayment": ("checkInfo", "checkingAccountNumber"),
}
# Card details a CIS that takes processor payments must never be sent.
FORBIDDEN_CARD_FIELDS: Final = ("creditCardExpDate", "cardVerificationValue")


def now_to_the_second() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Refused(Exception):
    """A tender the CIS refuses (responseCode Failure), with its failureReason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class _Offer:
    """A payment extension the CIS offers: until `extended_to`; None: not eligible."""

    extended_to: date | None


@dataclass(frozen=True, slots=True)
class _Tender:
    """One tender of a request, checked."""

    account_number: str
    element: str
    financial_transaction_id: str
    verb: str
    amount_cents: int
    fee_cents: int
    authorization_code: str | None
    payment_mode: str | None
    masked_number: str | None
    paid_items: tuple[tuple[str, int], ...]
    reverses: str | None
    reason_code: str | None


def _cents(value: Any, what: str, *, required: bool) -> int:
    if value is None:
        if required:
            raise SoapFault(f"a tender needs its {what}")
        return 0
    try:
        exact = Decimal(repr(float(value)))
        cents = to_cents(exact)
    except (InvalidOperation, ValueError, TypeError):
        raise SoapFault(f"the tender's {what} must be a whole number of cents") from None
    if cents < 0:
        raise SoapFault(f"the tender's {what} must not be negative")
    return cents


def _masked(info: Any, element: str) -> str | None:
    """The masked number of a payment's card or check info; a Fault for a full one."""
    if info is None:
        return None
    _, number_field = ACCEPTED_ELEMENTS[element]
    for name in FORBIDDEN_CARD_FIELDS:
        if getattr(info, name, None):
            raise SoapFault(f"{name} must not be sent: this CIS takes processor payments only")
    number = getattr(info, number_field, None) or ""
    visible = sum(ch.isdigit() for ch in number)
    if visible > VISIBLE_DIGITS:
        # The message must not repeat the number it refuses.
        raise SoapFault(
            f"{number_field} shows {visible} digits: this CIS takes masked numbers only, "
            f"at most the last {VISIBLE_DIGITS} digits"
        )
    return number or None


def _extension_values(tender: Any) -> dict[str, str]:
    listed = tender.extensionsList.extensionsItem if tender.extensionsList is not None else []
    return {item.extName: item.extValue or "" for item in listed if item.extName}


def _paid_items(tender: Any) -> tuple[tuple[str, int], ...]:
    listed = tender.payableItemList.payableItem if tender.payableItemList is not None else []
    items = []
    for item in listed:
        if not item.objectID:
            raise SoapFault("a paid payableItem needs its objectID")
        items.append((item.objectID, _cents(item.currentAmount, "paid amount", required=True)))
    return tuple(items)


def _tender(account_number: str, element: str, payment: Any) -> _Tender:
    info_field, _ = ACCEPTED_ELEMENTS[element]
    masked = _masked(getattr(payment, info_field, None), element)
    tender = payment.tender
    if tender is None:
        raise SoapFault(f"a {element} needs its tender")
    transaction_id = (tender.financialTransactionID or "").strip()
    if not transaction_id:
        raise SoapFault("a tender needs its financialTransactionID")
    verb = tender.verb or "New"
    if verb not in ("New", "Change", "Delete"):
        raise SoapFault(f"tender verb {verb} is not supported; New posts, Delete reverses")
    amount = _cents(tender.amount, "amount", required=True)
    if amount == 0:
        raise SoapFault("the tender's amount must be more than zero")
    fee = _cents(tender.convenienceFee, "convenienceFee", required=False)
    utility_fee = _cents(tender.utilityFee, "utilityFee", required=False)
    if tender.total is not None and _cents(tender.total, "total", required=True) != (
        amount + fee + utility_fee
    ):
        raise SoapFault("the tender's total is not its amount plus its fees")
    paid_items = _paid_items(tender)
    if paid_items and sum(cents for _, cents in paid_items) != amount:
        raise SoapFault("the paid payable items do not add up to the tender's amount")
    extensions = _extension_values(tender)
    reverses = extensions.get(pw.REVERSES) or None
    if verb == "Delete" and reverses is None:
        raise SoapFault(f"a reversal (verb Delete) names the payment it reverses: {pw.REVERSES}")
    return _Tender(
        account_number=account_number,
        element=element,
        financial_transaction_id=transaction_id,
        verb=verb,
        amount_cents=amount,
        fee_cents=fee,
        authorization_code=tender.authorizationCode,
        payment_mode=tender.paymentMode,
        masked_number=masked,
        paid_items=paid_items,
        reverses=reverses,
        reason_code=extensions.get(pw.REASON_CODE) or None,
    )


def read_tenders(request: Any) -> list[_Tender]:
    """Every tender of a ProcessPaymentTransaction / CommitPaymentTransaction, checked;
    a SoapFault for the first malformed one (and then nothing is written)."""
    transactions = request.transactions
    listed = transactions.paymentTransaction if transactions is not None else []
    if not listed:
        raise SoapFault("no paymentTransaction to process")
    tenders = []
    for transaction in listed:
        account_number = (transaction.accountNumber or "").strip()
        if not account_number:
            raise SoapFault("a paymentTransaction needs its accountNumber")
        if transaction.cashPayment:
            raise SoapFault("cashPayment is not taken here: cash is posted at the office")
        for element in ACCEPTED_ELEMENTS:
            for payment in getattr(transaction, element) or []:
                tenders.append(_tender(account_number, element, payment))
    if not tenders:
        raise SoapFault("a paymentTransaction needs a payment with a tender")
    return tenders


def _items(**values: str) -> dict[str, Any]:
    return {
        "extensionsItem": [
            {"extName": name, "extValue": value, "extType": "string"}
            for name, value in values.items()
        ]
    }


def _answer(tender: _Tender, tender_answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountNumber": tender.account_number,
        "typeService": pw.SERVICE_TYPE,
        tender.element: [{"tender": tender_answer}],
    }


def _answered(tender: _Tender, row: Row[Any] | None, **extensions: str) -> dict[str, Any]:
    """The tender answered Success from its row (None: not yet posted)."""
    values = dict(extensions)
    if row is not None and row.posted_at is not None:
        values[pw.POSTED_AT] = row.posted_at
    answer: dict[str, Any] = {
        "objectID": None if row is None else receipt(row.sequence),
        "verb": tender.verb,
        "extensionsList": _items(**values) if values else None,
        "amount": from_cents(tender.amount_cents),
        "convenienceFee": from_cents(tender.fee_cents),
        "authorizationCode": tender.authorization_code,
        "paymentMode": tender.payment_mode,
        "responseCode": pw.SUCCESS,
        "financialTransactionID": tender.financial_transaction_id,
    }
    return _answer(tender, answer)


def _refused(tender: _Tender, refusal: _Refused) -> dict[str, Any]:
    answer = {
        "verb": tender.verb,
        "errorString": refusal.message,
        "extensionsList": _items(**{pw.FAILURE_REASON: refusal.reason}),
        "amount": from_cents(tender.amount_cents),
        "responseCode": "Failure",
        "financialTransactionID": tender.financial_transaction_id,
    }
    return _answer(tender, answer)


def receipt(sequence: int) -> str:
    return f"R{sequence:08d}"


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
            "RequestPaymentExtension": self.request_payment_extension,
            "ExtendPayment": self.extend_payment,
            "GetPPMCustomer": self.get_ppm_customer,
        }

    async def process_payment_transaction(self, request: Any) -> Any:
        return await self._run(read_tenders(request), hold=self._needs_commit)

    async def commit_payment_transaction(self, request: Any) -> Any:
        return await self._run(read_tenders(request), hold=False)

    async def _run(self, tenders: list[_Tender], *, hold: bool) -> Any:
        answers = []
        async with self._engine.begin() as conn:
            for tender in tenders:
                try:
                    if tender.verb == "Delete":
                        answers.append(await self._reverse(conn, tender))
                    else:
                        answers.append(await self._post(conn, tender, hold=hold))
                except _Refused as refusal:
                    answers.append(_refused(tender, refusal))
        return {"paymentTransaction": answers}

    async def _post(self, conn: AsyncConnection, tender: _Tender, *, hold: bool) -> Any:
        row = await _posting(conn, tender.financial_transaction_id)
        if row is not None and row.kind != PAYMENT:
            raise _Refused(
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
            raise _Refused(pw.UNKNOWN_ACCOUNT, f"unknown account {tender.account_number}")
        if row is None:
            await conn.execute(payment_postings.insert().values(**_payment_row(tender)))
        elif (row.account_number, row.amount_cents) != (tender.account_number, tender.amount_cents):
            raise _Refused(
                pw.AMOUNT_MISMATCH,
                f"{tender.financial_transaction_id} was processed for another account or amount",
            )
        if not hold:
            await self._apply(conn, tender, balance)
        return _answered(tender, await _posting(conn, tender.financial_transaction_id))

    async def _apply(self, conn: AsyncConnection, tender: _Tender, balance: Row[Any]) -> None:
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

    async def _reverse(self, conn: AsyncConnection, tender: _Tender) -> Any:
        row = await _posting(conn, tender.financial_transaction_id)
        if row is not None:
            if row.kind != REVERSAL:
                raise _Refused(
                    pw.AMOUNT_MISMATCH,
                    f"financialTransactionID {tender.financial_transaction_id} is a payment",
                )
            return _answered(tender, row, **{pw.ALREADY_DONE: "true"})
        original = await _posting(conn, tender.reverses or "")
        if original is None or original.kind != PAYMENT or original.status != POSTED:
            raise _Refused(
                pw.UNKNOWN_TRANSACTION, f"unknown financialTransactionID {tender.reverses}"
            )
        if (original.account_number, original.amount_cents) != (
            tender.account_number,
            tender.amount_cents,
        ):
            raise _Refused(
                pw.AMOUNT_MISMATCH,
                f"the reversal does not match the account and amount of {tender.reverses}",
            )
        if original.reversed_by is not None:
            raise _Refused(pw.ALREADY_REVERSED, f"{tender.reverses} is already reversed")
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
        return _answered(tender, await _posting(conn, tender.financial_transaction_id))

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

    # --- payment extensions -----------------------------------------------------------

    async def _offer(self, conn: AsyncConnection, account_number: str) -> _Offer | None:
        """What the CIS offers the account; None for an account it does not know."""
        account = (
            await conn.execute(
                select(accounts.c.is_prepay, balances, payment_extensions.c.extended_to)
                .join(balances, balances.c.account_number == accounts.c.account_number)
                .outerjoin(
                    payment_extensions,
                    payment_extensions.c.account_number == accounts.c.account_number,
                )
                .where(accounts.c.account_number == account_number)
            )
        ).one_or_none()
        if account is None:
            return None
        if (
            account.is_prepay
            or account.past_due_cents <= 0
            or account.due_date is None
            or account.extended_to is not None
        ):
            return _Offer(extended_to=None)
        return _Offer(extended_to=account.due_date + timedelta(days=EXTENSION_DAYS))

    async def request_payment_extension(self, request: Any) -> Any:
        asked = request.extensionList.paymentExtension if request.extensionList else []
        answers = []
        async with self._engine.connect() as conn:
            for extension in asked:
                offer = await self._offer(conn, extension.accountNumber or "")
                if offer is None:
                    continue  # an unknown account: MultiSpeak answers nothing for it
                answers.append(
                    {
                        "accountNumber": extension.accountNumber,
                        "typeService": pw.SERVICE_TYPE,
                        "extendedTo": offer.extended_to,
                        "responseCode": pw.SUCCESS if offer.extended_to else "Failure",
                    }
                )
        return {"paymentExtension": answers}

    async def extend_payment(self, request: Any) -> Any:
        asked = request.extensionList.paymentExtension if request.extensionList else []
        errors = []
        async with self._engine.begin() as conn:
            for extension in asked:
                account_number = extension.accountNumber or ""
                offer = await self._offer(conn, account_number)
                extended_to = None if offer is None else offer.extended_to
                if extended_to is None or extended_to != extension.extendedTo:
                    errors.append(
                        {
                            "objectID": account_number,
                            "errorString": f"no extension to {extension.extendedTo} "
                            f"is offered to account {account_number}",
                            "nounType": "paymentExtension",
                            "eventTime": self._clock(),
                        }
                    )
                    continue
                await conn.execute(
                    payment_extensions.insert().values(
                        account_number=account_number, extended_to=extended_to
                    )
                )
        return {"errorObject": errors}

    # --- prepay ----------------------------------------------------------------------

    async def get_ppm_customer(self, request: Any) -> Any:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(accounts.c.is_prepay, balances)
                    .join(balances, balances.c.account_number == accounts.c.account_number)
                    .where(accounts.c.account_number == request.accountNumber)
                )
            ).one_or_none()
        if row is None or not row.is_prepay:
            return None
        return {
            "objectID": row.account_number,
            "serviceType": pw.SERVICE_TYPE,
            "totalBalance": from_cents(-(row.current_cents + row.past_due_cents)),
            # The credit is worked out when asked, so it is as of now.
            "lastReadingDate": self._clock(),
        }


def _payment_row(tender: _Tender) -> dict[str, Any]:
    return {
        "financial_transaction_id": tender.financial_transaction_id,
        "kind": REVERSAL if tender.verb == "Delete" else PAYMENT,
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

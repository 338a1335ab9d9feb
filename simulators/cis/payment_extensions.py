"""The CIS stand-in's payment extensions: RequestPaymentExtension and ExtendPayment.

This CIS's rule: an extension is offered to an account that is past due, not prepay,
and has not taken one up yet (`payment_extensions`), until `EXTENSION_DAYS` after its
due date. RequestPaymentExtension only asks; ExtendPayment takes the offer up, and
is refused (an errorObject) unless it names the date the CIS offers. An unknown
account gets no answer at all, as MultiSpeak servers answer unknown keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.cis import payment_wire as pw
from simulators.cis.payments import now_to_the_second
from simulators.cis.store import accounts, balances, payment_extensions
from simulators.soap import Handler

EXTENSION_DAYS: Final = 14


@dataclass(frozen=True, slots=True)
class _Offer:
    """A payment extension the CIS offers: until `extended_to`; None: not eligible."""

    extended_to: date | None


class PaymentExtensionHandlers:
    def __init__(
        self, engine: AsyncEngine, *, clock: Callable[[], datetime] = now_to_the_second
    ) -> None:
        self._engine = engine
        self._clock = clock

    def mapping(self) -> Mapping[str, Handler]:
        return {
            "RequestPaymentExtension": self.request_payment_extension,
            "ExtendPayment": self.extend_payment,
        }

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

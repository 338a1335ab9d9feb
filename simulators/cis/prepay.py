"""The CIS stand-in's prepay accounts: GetPPMCustomer.

It answers for prepay accounts only (an empty answer for any other account, known or
not, as MultiSpeak servers answer keys they have nothing for). The `totalBalance` is
the account's credit: minus what it owes, so a payment raises it. The credit is
worked out when asked, so `lastReadingDate` (the nearest ppmLocation has to an
"as of") is the moment of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.cis import payment_wire as pw
from simulators.cis.payments import now_to_the_second
from simulators.cis.store import accounts, balances, from_cents
from simulators.soap import Handler

# Built once: building a statement costs more than SQLite takes to run this one.
_PREPAY_BALANCE = (
    select(accounts.c.is_prepay, balances)
    .join(balances, balances.c.account_number == accounts.c.account_number)
    .where(accounts.c.account_number == bindparam("account_number"))
)


class PrepayHandlers:
    def __init__(
        self, engine: AsyncEngine, *, clock: Callable[[], datetime] = now_to_the_second
    ) -> None:
        self._engine = engine
        self._clock = clock

    def mapping(self) -> Mapping[str, Handler]:
        return {"GetPPMCustomer": self.get_ppm_customer}

    async def get_ppm_customer(self, request: Any) -> Any:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(_PREPAY_BALANCE, {"account_number": request.accountNumber})
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

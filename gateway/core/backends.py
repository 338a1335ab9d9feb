"""The co-op systems the gateway reads from and writes to, bundled so they are wired in
one place."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from adapters.cis.payments import CisPayments
from adapters.cis.port import CisPort
from adapters.meters.port import MeterDataPort
from adapters.oms.port import OmsPort
from adapters.payments.port import PaymentProcessor
from adapters.sms.port import SmsSender


@dataclass(frozen=True, slots=True)
class Adapters:
    cis: CisPort
    oms: OmsPort
    meters: MeterDataPort
    # The payment half of the CIS and the processor: None where payments are not set
    # up (no processor URL), and then no payment is accepted. They are used by the
    # payment worker unguarded by the read policies: each of their writes is idempotent
    # by the payment's id, and a retry is the outbox's to make, not a generic policy's.
    cis_payments: CisPayments | None = None
    payments: PaymentProcessor | None = None
    # The SMS provider: None where texts are not set up. Only the worker texts, from the
    # outbox, which retries; each send carries its idempotency key, so no read policy.
    sms: SmsSender | None = None

    async def aclose(self) -> None:
        closing = [self.cis.aclose(), self.oms.aclose(), self.meters.aclose()]
        if self.payments is not None:
            closing.append(self.payments.aclose())
        if self.sms is not None:
            closing.append(self.sms.aclose())
        await asyncio.gather(*closing, return_exceptions=True)

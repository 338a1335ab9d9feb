"""The consent log in GraphQL: `Account.smsConsentLog`, for staff.

A field of `Account`, so that staff reading it are written to the audit log like any
other read of an account (`gateway.audit.reads`).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.scalars import local
from gateway.identity.roles import require_staff
from gateway.notifications.consent import ConsentEntry, account_consent_log


@strawberry.enum
class SmsConsentChange(Enum):
    GRANTED = "granted"
    REVOKED = "revoked"


@strawberry.enum
class SmsConsentMethod(Enum):
    CONTACT_ACTIVATION = "contact_activation"
    CONTACT_REMOVED = "contact_removed"
    TEXT_KEYWORD = "text_keyword"
    CARRIER_OPT_OUT = "carrier_opt_out"


@strawberry.type(description="One change of a number's consent to texts.")
class SmsConsentEntry:
    phone: str = strawberry.field(description="E.164.")
    change: SmsConsentChange
    method: SmsConsentMethod = strawberry.field(
        description="How: the member entered the texted code, removed the number, the"
        " phone texted a keyword (STOP, START), or the carrier refused a text."
    )
    source: str = strawberry.field(
        description="Where from: the gateway request (request:<id>) or the text (sms:<id>)."
    )
    actor: str = strawberry.field(
        description="Who: the login (user:<id>), the phone, or the carrier."
    )
    wording: str = strawberry.field(
        description="The words the member was shown, or the text the phone sent."
    )
    recorded_at: datetime

    @classmethod
    def of(cls, entry: ConsentEntry, info: GatewayInfo) -> SmsConsentEntry:
        return cls(
            phone=entry.phone,
            change=SmsConsentChange(entry.change.value),
            method=SmsConsentMethod(entry.method.value),
            source=entry.source,
            actor=entry.actor,
            wording=entry.wording,
            recorded_at=local(entry.recorded_at, info.context.zone),
        )


async def account_sms_consent_log(info: GatewayInfo, account_number: str) -> list[SmsConsentEntry]:
    """For `Account.smsConsentLog`: staff only."""
    await require_staff(info.context.access)
    entries = await account_consent_log(info.context.store, account_number)
    return [SmsConsentEntry.of(entry, info) for entry in entries]

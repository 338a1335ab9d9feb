"""Preferences in GraphQL: `Account.notificationPreferences` and `setNotificationPreference`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.api.scalars import Money, money
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.identity.users import StoredUser
from gateway.notifications import contacts, preferences
from gateway.notifications import types as domain
from gateway.notifications.contacts_schema import NotificationContact


@strawberry.enum
class NotificationType(Enum):
    BILL_AVAILABLE = "bill_available"
    PAYMENT_DUE = "payment_due"
    PAYMENT_CONFIRMATION = "payment_confirmation"
    PAYMENT_FAILED = "payment_failed"
    AUTOPAY_UPCOMING = "autopay_upcoming"
    DELINQUENT = "delinquent"
    CARD_EXPIRING = "card_expiring"
    PREPAY_LOW_BALANCE = "prepay_low_balance"
    OUTAGE = "outage"
    HIGH_USAGE = "high_usage"


@strawberry.enum
class OutageNewsPhase(Enum):
    STARTED = "started"
    ESTIMATE_CHANGED = "estimate_changed"
    RESTORED = "restored"


@strawberry.type(
    description="What the viewer is told of one kind of news about the account, and where."
    " Settings other than its type's are null."
)
class NotificationPreference:
    type: NotificationType
    enabled: bool
    contacts: list[NotificationContact] = strawberry.field(
        description="The activated contacts it goes to."
    )
    is_default: bool = strawberry.field(
        description="Never chosen: the defaults, to the login's email address."
    )
    days_before: int | None = strawberry.field(
        description="PAYMENT_DUE, AUTOPAY_UPCOMING: days before the date, 1 to 10."
    )
    low_balance_amount: Money | None = strawberry.field(
        description="PREPAY_LOW_BALANCE: when the credit falls below this."
    )
    low_balance_days: int | None = strawberry.field(
        description="PREPAY_LOW_BALANCE: or when fewer days of credit are left."
    )
    outage_phases: list[OutageNewsPhase] | None = strawberry.field(
        description="OUTAGE: which news of an outage: started, estimate changed, restored."
    )
    high_usage_kwh_per_day: int | None = strawberry.field(
        description="HIGH_USAGE: when a day's use is over this many kWh."
    )
    high_usage_amount: Money | None = strawberry.field(
        description="HIGH_USAGE: or when a day costs over this."
    )

    @classmethod
    def of(cls, preference: preferences.Preference, info: GatewayInfo) -> NotificationPreference:
        s = preference.settings
        phases = s.outage_phases
        return cls(
            type=NotificationType(preference.type.value),
            enabled=preference.enabled,
            contacts=[NotificationContact.of(c, info.context) for c in preference.contacts],
            is_default=preference.is_default,
            days_before=s.days_before,
            low_balance_amount=None
            if s.low_balance_amount is None
            else money(s.low_balance_amount),
            low_balance_days=s.low_balance_days,
            outage_phases=None
            if phases is None
            else [OutageNewsPhase(p.value) for p in domain.OutagePhase if p in phases],
            high_usage_kwh_per_day=s.high_usage_kwh_per_day,
            high_usage_amount=None if s.high_usage_amount is None else money(s.high_usage_amount),
        )


def _login_address(user: StoredUser) -> str | None:
    return contacts.login_email(user.email, confirmed=user.email_confirmed)


async def account_notification_preferences(
    info: GatewayInfo, account_number: str
) -> list[NotificationPreference] | None:
    """For `Account.notificationPreferences`: null for a viewer not linked to the account."""
    context = info.context
    user = await context.access.require_user()
    found = await preferences.account_preferences(
        access=context.access,
        store=context.store,
        loaders=context.loaders,
        user_id=user.id,
        login_address=_login_address(user),
        account_number=account_number,
    )
    if isinstance(found, AccountHidden):
        return None
    return [NotificationPreference.of(p, info) for p in found]


@strawberry.input(description="Fields left out stay as they are.")
class SetNotificationPreferenceInput:
    account_number: str
    type: NotificationType
    enabled: bool | None = None
    contact_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Activated contacts of the viewer's; replaces the list."
    )
    days_before: int | None = None
    low_balance_amount: Money | None = None
    low_balance_days: int | None = None
    outage_phases: list[OutageNewsPhase] | None = None
    high_usage_kwh_per_day: int | None = None
    high_usage_amount: Money | None = None


@strawberry.type
class NotificationPreferenceSet:
    account_number: str
    preference: NotificationPreference


SetNotificationPreferenceResult = Annotated[
    NotificationPreferenceSet | ValidationError | AccountNotFound,
    strawberry.union("SetNotificationPreferenceResult"),
]


@strawberry.type
class NotificationPreferenceMutations:
    @described_mutation(
        "Choose, for one account and one kind of notification, whether it is sent, to which"
        " activated contacts, and the kind's own settings."
    )
    async def set_notification_preference(
        self, info: GatewayInfo, input: SetNotificationPreferenceInput
    ) -> SetNotificationPreferenceResult:
        context = info.context
        user = await context.access.require_user()
        number = input.account_number.strip()
        phases = input.outage_phases
        outcome = await preferences.set_preference(
            access=context.access,
            store=context.store,
            loaders=context.loaders,
            user_id=user.id,
            login_address=_login_address(user),
            account_number=number,
            change=preferences.PreferenceChange(
                type=domain.NotificationType(input.type.value),
                enabled=input.enabled,
                contact_ids=None
                if input.contact_ids is None
                else [str(i) for i in input.contact_ids],
                settings=domain.TypeSettings(
                    days_before=input.days_before,
                    low_balance_amount=input.low_balance_amount,
                    low_balance_days=input.low_balance_days,
                    outage_phases=None
                    if phases is None
                    else frozenset(domain.OutagePhase(p.value) for p in phases),
                    high_usage_kwh_per_day=input.high_usage_kwh_per_day,
                    high_usage_amount=input.high_usage_amount,
                ),
            ),
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=number)
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        return NotificationPreferenceSet(
            account_number=number, preference=NotificationPreference.of(outcome, info)
        )

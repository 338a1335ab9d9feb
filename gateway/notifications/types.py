"""The notifications a member may ask for, whom each is for, and each one's settings.

The rules follow SmartHub's: every notification goes to the login's email address
unless the member chooses otherwise; a prepay account's low-credit warning is offered
only for prepay accounts, and the delinquency notice only for accounts billed the
usual way. Each type takes only its own settings, and each setting has a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Final


class NotificationType(StrEnum):
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


class OutagePhase(StrEnum):
    STARTED = "started"
    ESTIMATE_CHANGED = "estimate_changed"
    RESTORED = "restored"


class Billing(StrEnum):
    ANY = "any"
    PREPAY = "prepay"
    POSTPAID = "postpaid"


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeSettings:
    """A type's own settings; only the ones its type takes are ever set."""

    days_before: int | None = None  # PAYMENT_DUE, AUTOPAY_UPCOMING
    low_balance_amount: Decimal | None = None  # PREPAY_LOW_BALANCE: below this credit,
    low_balance_days: int | None = None  # or fewer days of it left
    outage_phases: frozenset[OutagePhase] | None = None  # OUTAGE
    high_usage_kwh_per_day: int | None = None  # HIGH_USAGE: over this a day,
    high_usage_amount: Decimal | None = None  # or over this much a day


@dataclass(frozen=True, slots=True)
class TypeRule:
    billing: Billing
    enabled_by_default: bool
    defaults: TypeSettings = field(default_factory=TypeSettings)


DAYS_BEFORE_RANGE: Final = range(1, 11)
LOW_BALANCE_DAYS_RANGE: Final = range(1, 31)
HIGH_USAGE_KWH_RANGE: Final = range(1, 10_001)
MAX_AMOUNT: Final = Decimal("10000.00")

RULES: Final[dict[NotificationType, TypeRule]] = {
    NotificationType.BILL_AVAILABLE: TypeRule(Billing.ANY, True),
    NotificationType.PAYMENT_DUE: TypeRule(Billing.ANY, True, TypeSettings(days_before=3)),
    NotificationType.PAYMENT_CONFIRMATION: TypeRule(Billing.ANY, True),
    NotificationType.PAYMENT_FAILED: TypeRule(Billing.ANY, True),
    NotificationType.AUTOPAY_UPCOMING: TypeRule(Billing.ANY, True, TypeSettings(days_before=3)),
    NotificationType.DELINQUENT: TypeRule(Billing.POSTPAID, True),
    NotificationType.CARD_EXPIRING: TypeRule(Billing.ANY, True),
    NotificationType.PREPAY_LOW_BALANCE: TypeRule(
        Billing.PREPAY, True, TypeSettings(low_balance_amount=Decimal("20.00"))
    ),
    NotificationType.OUTAGE: TypeRule(
        Billing.ANY, True, TypeSettings(outage_phases=frozenset(OutagePhase))
    ),
    # Off until the member says what "high" is for their home.
    NotificationType.HIGH_USAGE: TypeRule(
        Billing.ANY, False, TypeSettings(high_usage_kwh_per_day=50)
    ),
}


def offered_types(*, prepay: bool) -> list[NotificationType]:
    """The types an account may have, in the order the portal lists them."""
    billing = Billing.PREPAY if prepay else Billing.POSTPAID
    return [t for t, rule in RULES.items() if rule.billing in (Billing.ANY, billing)]


def settings_problem(kind: NotificationType, settings: TypeSettings) -> tuple[str, str] | None:
    """(input field, message) for settings `kind` does not take or takes otherwise."""
    allowed = _SETTINGS_OF.get(kind, frozenset())
    for name in _ALL_SETTINGS - allowed:
        if getattr(settings, name) is not None:
            return _camel(name), "This notification has no such setting."
    s = settings
    if s.days_before is not None and s.days_before not in DAYS_BEFORE_RANGE:
        return "daysBefore", "Choose 1 to 10 days."
    if s.low_balance_days is not None and s.low_balance_days not in LOW_BALANCE_DAYS_RANGE:
        return "lowBalanceDays", "Choose 1 to 30 days."
    if (
        s.high_usage_kwh_per_day is not None
        and s.high_usage_kwh_per_day not in HIGH_USAGE_KWH_RANGE
    ):
        return "highUsageKwhPerDay", "Choose 1 to 10,000 kWh a day."
    for name in ("low_balance_amount", "high_usage_amount"):
        amount = getattr(s, name)
        if amount is not None and not Decimal("0") < amount <= MAX_AMOUNT:
            return _camel(name), "Choose an amount above $0.00, up to $10,000.00."
    if s.low_balance_amount is not None and s.low_balance_days is not None:
        return "lowBalanceDays", "Choose an amount or a number of days, not both."
    if s.high_usage_kwh_per_day is not None and s.high_usage_amount is not None:
        return "highUsageAmount", "Choose kWh a day or dollars a day, not both."
    if s.outage_phases is not None and not s.outage_phases:
        return "outagePhases", "Choose at least one phase, or turn outage notifications off."
    return None


def merged(kind: NotificationType, current: TypeSettings, given: TypeSettings) -> TypeSettings:
    """`current` with what `given` sets; choosing one of an either-or pair drops the other."""
    result = current
    for name in _ALL_SETTINGS:
        value = getattr(given, name)
        if value is not None:
            result = replace(result, **{name: value})
    for chosen, other in _EITHER_OR:
        if getattr(given, chosen) is not None and getattr(given, other) is None:
            result = replace(result, **{other: None})
    return result


_SETTINGS_OF: Final = {
    NotificationType.PAYMENT_DUE: frozenset({"days_before"}),
    NotificationType.AUTOPAY_UPCOMING: frozenset({"days_before"}),
    NotificationType.PREPAY_LOW_BALANCE: frozenset({"low_balance_amount", "low_balance_days"}),
    NotificationType.OUTAGE: frozenset({"outage_phases"}),
    NotificationType.HIGH_USAGE: frozenset({"high_usage_kwh_per_day", "high_usage_amount"}),
}
_ALL_SETTINGS: Final = frozenset(TypeSettings.__dataclass_fields__)
_EITHER_OR: Final = (
    ("low_balance_amount", "low_balance_days"),
    ("low_balance_days", "low_balance_amount"),
    ("high_usage_kwh_per_day", "high_usage_amount"),
    ("high_usage_amount", "high_usage_kwh_per_day"),
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)

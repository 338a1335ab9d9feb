"""What a member is told about an account's bills: a new bill, a payment coming due,
a balance past due. Each names the account by its last four digits, with the amounts
and dates, in the co-op's time zone; a text says the same in fewer words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.cis.port import Balance, Bill
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.payment_messages import Message, account_ending, dollars


def _day(day: date) -> str:
    return day.strftime("%B %-d, %Y")


def bill_available(bill: Bill, channel: ContactKind) -> Message:
    account = account_ending(bill.account_number)
    due = _day(bill.due_date)
    amount = dollars(bill.balance_after_billing)
    if channel is ContactKind.SMS:
        body = f"Your new bill for {account} is ready: {amount}, due {due}."
    else:
        body = (
            f"Your bill for {account}, for {_day(bill.period_start)} to"
            f" {_day(bill.period_end)}, is ready: {dollars(bill.amount)} of new charges for"
            f" {bill.kwh.normalize():f} kWh, and {amount} due by {due}."
        )
    return Message(f"Your bill for {account} is ready", body)


def payment_due(balance: Balance, due: date, channel: ContactKind) -> Message:
    account = account_ending(balance.account_number)
    amount = dollars(balance.amount_due)
    if channel is ContactKind.SMS:
        body = f"Reminder: {amount} for {account} is due {_day(due)}."
    else:
        body = (
            f"A reminder that {amount} for {account} is due on {_day(due)}. If you have"
            " paid it already, thank you: there is nothing more to do."
        )
    return Message(f"Your payment for {account} is due {_day(due)}", body)


def delinquent(balance: Balance, channel: ContactKind) -> Message:
    account = account_ending(balance.account_number)
    past_due = dollars(balance.past_due_amount)
    disconnect = (
        f" Service may be disconnected on {_day(balance.disconnect_date)} unless it is paid."
        if balance.disconnect_date is not None
        else ""
    )
    if channel is ContactKind.SMS:
        body = f"{account.capitalize()} is past due: {past_due}.{disconnect}"
    else:
        body = (
            f"{account.capitalize()} is past due: {past_due} was not paid by its due date."
            f"{disconnect} If you cannot pay it all now, ask us for a payment extension."
        )
    return Message(f"{account.capitalize()} is past due", body)


def has_debt(amount: Decimal) -> bool:
    return amount > Decimal("0.00")


def autopay_upcoming(
    balance: Balance, draft: date, max_amount: Decimal | None, channel: ContactKind
) -> Message:
    account = account_ending(balance.account_number)
    amount = dollars(balance.amount_due)
    if max_amount is not None and balance.amount_due > max_amount:
        body = (
            f"Autopay will not pay {amount} for {account} on {_day(draft)}: it is more than"
            f" your autopay limit of {dollars(max_amount)}. Please pay it another way."
        )
        return Message(f"Autopay will not pay {account} this month", body)
    body = f"Autopay will pay {amount} for {account} on {_day(draft)}."
    if channel is ContactKind.EMAIL:
        body += " There is nothing you need to do."
    return Message(f"Autopay will pay {account} on {_day(draft)}", body)


def prepay_low(
    account_number: str, credit: Decimal, days_left: int | None, channel: ContactKind
) -> Message:
    account = account_ending(account_number)
    lasts = f", about {days_left} days of your usual use" if days_left is not None else ""
    body = f"The prepaid credit on {account} is down to {dollars(credit)}{lasts}."
    if channel is ContactKind.EMAIL:
        body += " Add credit before it runs out to keep the power on."
    return Message(f"Low prepaid credit on {account}", body)


def high_usage(
    account_number: str, day: date, kwh: Decimal, cost: Decimal | None, channel: ContactKind
) -> Message:
    account = account_ending(account_number)
    costing = f", about {dollars(cost)}" if cost is not None else ""
    body = f"{account.capitalize()} used {kwh:,.0f} kWh on {_day(day)}{costing}."
    if channel is ContactKind.EMAIL:
        body += (
            " That is over the level you set. The usage page shows which hours it was,"
            " with the temperature."
        )
    return Message(f"High use on {account}", body)

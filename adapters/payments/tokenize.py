"""What a processor checks before it gives the browser a token for a card or an account.

The stand-in's `POST /v1/tokens` and the fake's test-only tokenize helpers share
these checks, so both refuse a mistyped number the same way. Messages name the field
and never repeat the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adapters.payments.port import BankAccountType, PaymentInvalid
from adapters.rules.cards import card_brand, card_digits, passes_luhn
from adapters.rules.numbers import is_ascii_digits
from adapters.rules.postal import normalize_zip
from adapters.rules.routing import is_routing_number

MAX_EXPIRY_YEARS = 20


@dataclass(frozen=True, slots=True)
class CardDetails:
    number: str  # digits only
    brand: str
    exp_month: int
    exp_year: int

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True, slots=True)
class BankAccountDetails:
    routing_number: str
    account_number: str
    account_type: BankAccountType
    holder_name: str

    @property
    def last4(self) -> str:
        return self.account_number[-4:]


def check_card(
    *, number: str, exp_month: int, exp_year: int, cvc: str, postal_code: str, today: date
) -> CardDetails:
    """The card, if it could be a real one that has not expired; else `PaymentInvalid`."""
    digits = card_digits(number)
    if digits is None or not passes_luhn(digits):
        raise PaymentInvalid("number: not a valid card number")
    if not 1 <= exp_month <= 12:
        raise PaymentInvalid("exp_month: must be 1 to 12")
    if (exp_year, exp_month) < (today.year, today.month):
        raise PaymentInvalid("exp_year: the card has expired")
    if exp_year > today.year + MAX_EXPIRY_YEARS:
        raise PaymentInvalid("exp_year: too far in the future")
    if not (3 <= len(cvc) <= 4 and is_ascii_digits(cvc)):
        raise PaymentInvalid("cvc: must be 3 or 4 digits")
    if normalize_zip(postal_code) is None:
        raise PaymentInvalid("postal_code: not a ZIP code")
    return CardDetails(digits, card_brand(digits), exp_month, exp_year)


def check_bank_account(
    *, routing_number: str, account_number: str, account_type: str, holder_name: str
) -> BankAccountDetails:
    """The account, if its numbers are well formed; else `PaymentInvalid`."""
    if not is_routing_number(routing_number):
        raise PaymentInvalid("routing_number: not a valid ABA routing number")
    if not (4 <= len(account_number) <= 17 and is_ascii_digits(account_number)):
        raise PaymentInvalid("account_number: must be 4 to 17 digits")
    try:
        kind = BankAccountType(account_type)
    except ValueError:
        raise PaymentInvalid("account_type: must be checking or savings") from None
    if not holder_name.strip():
        raise PaymentInvalid("holder_name: must not be blank")
    return BankAccountDetails(routing_number, account_number, kind, holder_name.strip())


def bank_name(routing_number: str) -> str:
    """A display name for the bank; the test routing number is the processor's test bank."""
    return "TEST BANK" if routing_number == "110000000" else f"Bank {routing_number[:4]}"

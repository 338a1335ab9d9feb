"""The published test cards and bank accounts, and what each one does.

A processor's test mode answers these as members' real cards and banks would; the
stand-in and the fake both follow this table, and the README publishes it.
Any other Luhn-valid card approves; any other account with a valid routing number
validates and settles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from adapters.payments.port import DeclineCode

APPROVED_CARD: Final = "4242424242424242"
DECLINED_CARD: Final = "4000000000000002"
INSUFFICIENT_FUNDS_CARD: Final = "4000000000009995"
EXPIRED_CARD: Final = "4000000000000069"
PROCESSING_ERROR_CARD: Final = "4000000000000119"

TEST_ROUTING_NUMBER: Final = "110000000"
SETTLING_ACCOUNT: Final = "000123456789"
RETURNED_R01_ACCOUNT: Final = "000111111113"  # settles, then returned: insufficient funds
RETURNED_R02_ACCOUNT: Final = "000111111116"  # settles, then returned: account closed
INVALID_ACCOUNT: Final = "000222222227"  # fails validation on its first use

DECLINE_MESSAGES: Final = {
    DeclineCode.CARD_DECLINED: "Your card was declined. Please use another card or call your bank.",
    DeclineCode.INSUFFICIENT_FUNDS: "Your card has insufficient funds.",
    DeclineCode.EXPIRED_CARD: "Your card has expired. Please use another card.",
    DeclineCode.PROCESSING_ERROR: (
        "Your card could not be processed just now. Please try again in a few minutes."
    ),
    DeclineCode.ACCOUNT_INVALID: (
        "Your bank could not confirm this account. Please check the routing and account numbers."
    ),
}

_CARD_DECLINES: Final = {
    DECLINED_CARD: DeclineCode.CARD_DECLINED,
    INSUFFICIENT_FUNDS_CARD: DeclineCode.INSUFFICIENT_FUNDS,
    EXPIRED_CARD: DeclineCode.EXPIRED_CARD,
    PROCESSING_ERROR_CARD: DeclineCode.PROCESSING_ERROR,
}


@dataclass(frozen=True, slots=True)
class BankReturn:
    code: str
    member_message: str


RETURNS: Final = {
    RETURNED_R01_ACCOUNT: BankReturn(
        "R01", "Your bank returned the payment: insufficient funds in the account."
    ),
    RETURNED_R02_ACCOUNT: BankReturn(
        "R02", "Your bank returned the payment: the account is closed."
    ),
}


def card_decline(number: str) -> DeclineCode | None:
    """How a charge to card `number` (digits only) fails, or None when it approves."""
    return _CARD_DECLINES.get(number)


def account_validates(account_number: str) -> bool:
    """Whether the bank confirms the account on its first use (NACHA WEB validation)."""
    return account_number != INVALID_ACCOUNT


def bank_return(account_number: str) -> BankReturn | None:
    """The return a settled debit from this account will get, or None."""
    return RETURNS.get(account_number)

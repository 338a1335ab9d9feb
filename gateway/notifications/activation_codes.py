"""Activation codes: six digits, stored only as a hash, good for 15 minutes.

The hash is keyed by the contact and the code's serial, so that one code's hash says
nothing about another's. Six digits are a small space: what keeps them from being
guessed is the throttle on activation attempts (`contacts.activate_contact`) and the
short life, not the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Final

from adapters.email.port import OutgoingEmail
from adapters.rules.numbers import is_ascii_digits

CODE_DIGITS: Final = 6
CODE_TTL: Final = timedelta(minutes=15)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(*, contact_id: int, serial: int, code: str) -> str:
    return hashlib.sha256(f"contact-code:{contact_id}:{serial}:{code}".encode()).hexdigest()


def code_matches(*, contact_id: int, serial: int, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(
        code_hash(contact_id=contact_id, serial=serial, code=code), stored_hash
    )


def plausible_code(code: str) -> bool:
    """Six ASCII digits: anything else is refused without spending an attempt on it."""
    return len(code) == CODE_DIGITS and is_ascii_digits(code)


def message_key(contact_id: int, serial: int) -> str:
    """Names the message carrying one code, for the mail system and the SMS provider."""
    return f"contact-code-{contact_id}-{serial}"


def code_email(*, to: str, code: str, contact_id: int, serial: int) -> OutgoingEmail:
    minutes = int(CODE_TTL.total_seconds() // 60)
    return OutgoingEmail(
        to=to,
        subject="Your code to receive co-op notifications here",
        text=(
            f"Your activation code is {code}.\n\n"
            "Enter it in the member portal within "
            f"{minutes} minutes to get account notifications at this address.\n\n"
            "If you did not ask for this, you can ignore this email: nothing is sent here"
            " unless the code is entered.\n"
        ),
        idempotency_key=message_key(contact_id, serial),
    )


def code_text(code: str) -> str:
    minutes = int(CODE_TTL.total_seconds() // 60)
    return (
        f"Your co-op activation code is {code}. It expires in {minutes} minutes."
        " Didn't ask? Ignore this text."
    )

"""What a new password must be: long enough, not common, not guessable from the login.

The rules follow NIST SP 800-63B (5.1.1.2): a minimum length and a check against
passwords known from breaches, repetitive or sequential characters and words from the
context (here the email address), and no composition rules ("one digit, one symbol").
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from itertools import pairwise

from adapters.rules.numbers import decimal_digit
from gateway.identity.login import MAX_PASSWORD_LENGTH

MIN_PASSWORD_LENGTH = 12
# Fewer distinct characters than this in 12 or more is a pattern, not a password.
MIN_DISTINCT_CHARACTERS = 4
COMMON_PASSWORDS_FILE = "common_passwords.txt"


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """What is wrong with `password` as a new password, for the member to read; None if fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    folded = password.strip().casefold()
    if folded in common_passwords():
        return "This password is one of the most common ones; choose another."
    if email is not None and folded in _email_words(email):
        return "Do not use your email address as the password."
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS or _is_sequence(folded):
        return "This password is a simple pattern; choose another."
    return None


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (see the header of the file), lower-cased."""
    text = files("gateway.identity").joinpath(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    lines = text.splitlines()
    header = 0
    while header < len(lines) and (lines[header] == "#" or lines[header].startswith("# ")):
        header += 1
    return frozenset(line.casefold() for line in lines[header:] if line)


def _email_words(email: str) -> set[str]:
    address = email.strip().casefold()
    local_part = address.partition("@")[0]
    return {address, local_part}


def _is_sequence(text: str) -> bool:
    """Each character one step after (or before) the last: "abcdefghijkl", "098765432109"."""
    steps = {_step(a, b) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


def _step(a: str, b: str) -> int:
    # Decimal digits only, through the one rule for digits: `str.isdigit()` also takes
    # "²", which `int()` refuses, so a password with "²³" in it was an internal error.
    # Superscripts step by code point like any other character.
    digit_a, digit_b = decimal_digit(a), decimal_digit(b)
    if digit_a is not None and digit_b is not None:
        # Digits wrap on a keyboard row and a keypad: "7890123456..." is still a run.
        return (int(digit_b) - int(digit_a) + 5) % 10 - 5
    return ord(b) - ord(a)

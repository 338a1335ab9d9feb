"""The email address rule: what a member may save is what the mail adapter sends to."""

from __future__ import annotations

import pytest

from adapters.email.port import EmailInvalid, OutgoingEmail
from adapters.rules.email import (
    MAX_ADDRESS_LENGTH,
    is_email_address,
    mailbox_address,
    normalize_email_address,
)


@pytest.mark.parametrize(
    "address",
    [
        "pat@example.com",
        "first.last@sub.example.coop",
        "Pat.Member@Example.COM",
        "pat+bills@example.com",
        "o'brien@example.ie",
        "a!#$%&'*+/=?^_`{|}~-z@example.com",
        "x@a-b.example.com",
        "1@2.example",
    ],
)
def test_sendable_addresses(address: str) -> None:
    assert is_email_address(address)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("josé@example.com", "non-ASCII local part"),
        ("pat@exämple.com", "non-ASCII domain"),
        ("ｐａｔ@example.com", "full-width letters"),
        ("a..b@example.com", "consecutive dots"),
        (".a@example.com", "leading dot"),
        ("a.@example.com", "trailing dot"),
        ("a b@example.com", "space"),
        ("pat@example.com\n", "trailing newline"),
        (" pat@example.com", "not trimmed"),
        ('"a b"@example.com', "quoted local part"),
        ("a@b", "no dot in the domain"),
        ("@example.com", "no local part"),
        ("a@@example.com", "two @"),
        ("a@example..com", "empty domain label"),
        ("a@-example.com", "label starting with a hyphen"),
        ("a@example-.com", "label ending with a hyphen"),
        ("a@" + "c" * 64 + ".com", "label over 63 characters"),
        ("Pat <pat@example.com>", "display name"),
        ("", "empty"),
    ],
)
def test_unsendable_addresses(address: str, why: str) -> None:
    assert not is_email_address(address), why


def test_the_longest_address_is_254_characters() -> None:
    domain = ".".join(["d" * 63] * 3) + ".com"

    def address(length: int) -> str:
        return "a" * (length - len(domain) - 1) + "@" + domain

    assert is_email_address(address(MAX_ADDRESS_LENGTH))
    assert not is_email_address(address(MAX_ADDRESS_LENGTH + 1))


@pytest.mark.parametrize(
    "address", ["josé@example.com", "a..b@example.com", "pat@example.com", "Pat@Example.com"]
)
def test_the_mail_adapter_takes_exactly_the_addresses_the_rule_takes(address: str) -> None:
    def build() -> OutgoingEmail:
        return OutgoingEmail(to=address, subject="Hi", text="Hello", idempotency_key="k-1")

    if is_email_address(address):
        assert build().to == address
    else:
        with pytest.raises(EmailInvalid):
            build()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("pat@example.com", "pat@example.com"),
        ("  Pat.Member@Example.COM\t", "pat.member@example.com"),
        ("PAT+Bills@EXAMPLE.coop", "pat+bills@example.coop"),
    ],
)
def test_logins_are_stored_trimmed_and_in_lower_case(typed: str, stored: str) -> None:
    assert normalize_email_address(typed) == stored


@pytest.mark.parametrize(
    ("mailbox", "address"),
    [
        ("Demo Electric Cooperative <no-reply@example.coop>", "no-reply@example.coop"),
        ("no-reply@example.coop", "no-reply@example.coop"),
        ('"Co-op, Billing" <billing@example.coop>', "billing@example.coop"),
    ],
)
def test_the_address_of_a_from_value(mailbox: str, address: str) -> None:
    assert mailbox_address(mailbox) == address


@pytest.mark.parametrize("mailbox", ["not an address", "Co-op <>", "Co-op <a..b@example.coop>"])
def test_a_from_value_without_a_sendable_address_is_refused(mailbox: str) -> None:
    assert not is_email_address(mailbox_address(mailbox))

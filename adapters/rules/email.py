"""Email addresses: the one rule for what may be saved, and what may be sent to.

Strict on purpose: a plain ASCII ``local@domain.tld``, the local part an RFC 5322
dot-atom (no leading, trailing or doubled dots), the domain made of DNS labels. The
mail adapter refuses to send to anything else, so the gateway refuses to save
anything else: a member could otherwise keep an address no message ever reaches.
Quoted local parts and internationalised addresses (SMTPUTF8) are legal elsewhere,
but this gateway's sender does not speak them, and nobody registers with one.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Final

# RFC 5322 atext: what a local part may be written with, without quoting.
_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL_PART: Final = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_DOMAIN_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS: Final = re.compile(rf"{_LOCAL_PART}@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+")
MAX_ADDRESS_LENGTH: Final = 254  # RFC 5321 forward-path limit, less the angle brackets


def is_email_address(value: str) -> bool:
    """True for a plain ASCII ``local@domain.tld`` address (no display name, no spaces)."""
    return len(value) <= MAX_ADDRESS_LENGTH and _ADDRESS.fullmatch(value) is not None


def normalize_email_address(value: str) -> str:
    """The form a login's address is stored and looked up in: trimmed, lower case.

    Mailbox providers treat local parts without regard to case, so "Pat@Example.com"
    and "pat@example.com" are one member's login.
    """
    return value.strip().lower()


def mailbox_address(mailbox: str) -> str:
    """The bare address of a From value: ``Co-op <no-reply@example.coop>`` gives the
    part in angle brackets; a bare address gives itself.

    Check the result with `is_email_address`: for text that is no From value it is ""
    or a fragment of the text.
    """
    return parseaddr(mailbox)[1]

"""The contract every `EmailSender` keeps when its mail system refuses a recipient.

A pytest suite for any implementation whose mail system can refuse one. It needs one
fixture, `email_harness`: a `RefusingEmailHarness`, one of its own for each test.
Run it by importing it into a test module that has it:

    from adapters.email.contract_refusals import *  # noqa: F403
"""

from __future__ import annotations

from typing import Protocol

import pytest

from adapters.email.contract import MEMBER, EmailHarness, an_email
from adapters.email.port import EmailRejected

__all__ = [
    "RefusingEmailHarness",
    "test_refused_recipient_raises_rejected_and_others_still_get_mail",
]

REFUSED = "nobody@example.net"


class RefusingEmailHarness(EmailHarness, Protocol):
    def refuse_recipient(self, address: str) -> None:
        """From now on, the mail system refuses `address` for good (an SMTP 550)."""
        ...


async def test_refused_recipient_raises_rejected_and_others_still_get_mail(
    email_harness: RefusingEmailHarness,
) -> None:
    email_harness.refuse_recipient(REFUSED)

    with pytest.raises(EmailRejected) as refused:
        await email_harness.sender.send(an_email(to=REFUSED))
    await email_harness.sender.send(an_email())

    assert refused.value.refused == "recipient"
    assert refused.value.smtp_code == 550
    assert REFUSED not in str(refused.value)
    assert [delivered.to for delivered in email_harness.delivered()] == [MEMBER]

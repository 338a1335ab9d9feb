"""The email settings, and the sender the app builds from them."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from adapters.email.directory import DirectoryEmailSender
from adapters.email.smtp import SmtpEmailSender
from gateway.bootstrap import open_email_sender
from gateway.settings import GatewaySettings

SECRET = SecretStr("email-settings-test-secret-" + "e" * 10)


def settings(**values: object) -> GatewaySettings:
    return GatewaySettings(jwt_secret=SECRET, **values)  # type: ignore[arg-type]


async def test_without_an_smtp_host_mail_goes_to_the_outbox_directory(tmp_path: Path) -> None:
    chosen = settings(smtp_host="  ", outbox_dir=tmp_path / "outbox")

    async with AsyncExitStack() as stack:
        sender = open_email_sender(chosen, stack)

    assert chosen.smtp_host is None
    assert isinstance(sender, DirectoryEmailSender)
    assert sender.directory == tmp_path / "outbox"


async def test_with_an_smtp_host_mail_goes_over_smtp() -> None:
    chosen = settings(smtp_host="smtp.example.coop", smtp_user="gw", smtp_password="pw-1")

    async with AsyncExitStack() as stack:
        sender = open_email_sender(chosen, stack)

    assert isinstance(sender, SmtpEmailSender)
    assert "pw-1" not in repr(chosen)


def test_the_public_base_url_loses_its_trailing_slash() -> None:
    assert settings(public_base_url="https://portal.example.coop/").public_base_url == (
        "https://portal.example.coop"
    )


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"public_base_url": "portal.example.coop"}, "public_base_url"),
        ({"public_base_url": "https://portal.example.coop/?a=1"}, "public_base_url"),
        ({"mail_from": "The Co-op"}, "mail_from"),
        ({"smtp_user": "gateway"}, "smtp_user and smtp_password"),
        ({"smtp_port": 0}, "smtp_port"),
    ],
)
def test_nonsense_is_refused(values: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings(**values)

"""The SMS provider is opened from settings: off unless set, its token never shown."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from pydantic import SecretStr, ValidationError

from adapters.sms import sandbox
from gateway.bootstrap import open_sms_sender
from gateway.settings import GatewaySettings
from gateway.worker import coop_of, sending_rules
from tests.fixtures.sms import ACCOUNT_SID, AUTH_TOKEN, SmsStandIn

SECRET = "sms-settings-secret-" + "q" * 20
TOKEN = "sms-token-never-shown-42"


def test_sms_is_read_from_coop_variables_and_the_token_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_SMS_URL", "https://api.sms.example")
    monkeypatch.setenv("COOP_SMS_ACCOUNT_SID", "AC42")
    monkeypatch.setenv("COOP_SMS_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("COOP_SMS_FROM_NUMBER", "+15055550100")
    monkeypatch.setenv("COOP_SMS_TIMEOUT_S", "4.5")

    settings = GatewaySettings()  # type: ignore[call-arg]

    assert settings.sms_url == "https://api.sms.example"
    assert settings.sms_account_sid == "AC42"
    assert settings.sms_from_number == "+15055550100"
    assert settings.sms_timeout_s == 4.5
    assert settings.sms_signing_secret is not None
    assert settings.sms_signing_secret.get_secret_value() == TOKEN  # none of its own
    assert TOKEN not in repr(settings) + str(settings)


def test_a_callback_secret_of_its_own_signs_instead_of_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_SMS_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("COOP_SMS_CALLBACK_SECRET", "callback-secret-never-shown")

    settings = GatewaySettings()  # type: ignore[call-arg]

    assert settings.sms_signing_secret is not None
    assert settings.sms_signing_secret.get_secret_value() == "callback-secret-never-shown"
    assert "callback-secret-never-shown" not in repr(settings)


def test_sms_is_off_unless_a_url_is_set_and_a_url_needs_the_rest() -> None:
    assert GatewaySettings(jwt_secret=SECRET, sms_url=" ").sms_url is None  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="sms_account_sid") as refused:
        GatewaySettings(
            jwt_secret=SECRET,  # type: ignore[arg-type]
            sms_url="https://api.sms.example",
            sms_auth_token=SecretStr(TOKEN),
        )
    assert TOKEN not in str(refused.value)


@pytest.mark.parametrize("number", ["505-555-0100", "+44 20 7946 0958", "+1505555010"])
def test_the_from_number_is_north_american_e164(number: str) -> None:
    with pytest.raises(ValidationError, match=r"E\.164"):
        GatewaySettings(jwt_secret=SECRET, sms_from_number=number)  # type: ignore[arg-type]


async def test_no_sms_url_opens_no_sender() -> None:
    async with AsyncExitStack() as stack:
        assert open_sms_sender(GatewaySettings(jwt_secret=SECRET), stack) is None  # type: ignore[arg-type]


async def test_the_opened_sender_texts_through_the_provider(sms_stand_in: SmsStandIn) -> None:
    settings = GatewaySettings(
        jwt_secret=SECRET,  # type: ignore[arg-type]
        sms_url=sms_stand_in.url,
        sms_account_sid=ACCOUNT_SID,
        sms_auth_token=SecretStr(AUTH_TOKEN),
        sms_from_number=sandbox.FROM_NUMBER,
    )
    async with AsyncExitStack() as stack:
        sender = open_sms_sender(settings, stack)
        assert sender is not None
        sent = await sender.send(to="+15055550142", body="Wired.", idempotency_key="wiring-1")

    assert sent.from_ == sandbox.FROM_NUMBER
    async with sms_stand_in.client() as client:
        outbox = (await client.get("/outbox")).json()
    assert [(m["to"], m["body"]) for m in outbox["messages"]] == [("+15055550142", "Wired.")]


def test_the_coop_is_named_in_texts_and_mail_as_the_settings_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_NAME", "Mesa Verde Electric")
    monkeypatch.setenv("COOP_PHONE", "(505) 555-0199")
    monkeypatch.setenv("COOP_ADDRESS", '["7 Mesa Road", "Belen, NM 87002"]')
    monkeypatch.setenv("COOP_QUIET_HOURS_START", "22:00")

    settings = GatewaySettings()  # type: ignore[call-arg]
    rules = sending_rules(settings)

    assert rules.coop == coop_of(settings)
    assert (rules.coop.name, rules.coop.address, rules.coop.phone) == (
        "Mesa Verde Electric",
        ("7 Mesa Road", "Belen, NM 87002"),
        "(505) 555-0199",
    )
    assert (rules.quiet_hours.start.hour, rules.quiet_hours.end.hour) == (22, 8)

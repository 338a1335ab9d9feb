"""The SOAP adapter's payment calls on the wire: what its envelopes hold, the two-step
commit setting, and a retry after a lost answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from adapters.cis.payments import PaymentMode, PaymentPosting, Reversal
from adapters.cis.port import CisFault, CisUnavailable
from adapters.cis.soap import SoapCis
from adapters.rules.masked_numbers import card_number_runs
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario, cis_endpoint_for, load_cis_database


class Envelopes(httpx.AsyncHTTPTransport):
    """An HTTP transport keeping every request body it sends, for inspection."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.lose_next_answer = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((await request.aread()).decode())
        response = await super().handle_async_request(request)
        if self.lose_next_answer:
            # The CIS did the work; the answer never arrives (a dropped connection).
            self.lose_next_answer = False
            await response.aread()
            raise httpx.ReadError("connection reset", request=request)
        return response


async def stand_in_url(
    world: World, credentials: MultiSpeakCredentials, database: Path, *, needs_commit: bool
) -> AsyncIterator[str]:
    database_url = await load_cis_database(world, database)
    app = create_cis_app(
        database_url=database_url, credentials=credentials, payments_need_commit=needs_commit
    )
    async with serve_asgi(app) as base_url:
        yield base_url + SERVICE_PATH


@pytest_asyncio.fixture
async def one_step_url(
    world: World, cis_credentials: MultiSpeakCredentials, tmp_path: Path
) -> AsyncIterator[str]:
    async for url in stand_in_url(world, cis_credentials, tmp_path / "one.db", needs_commit=False):
        yield url


@pytest_asyncio.fixture
async def two_step_url(
    world: World, cis_credentials: MultiSpeakCredentials, tmp_path: Path
) -> AsyncIterator[str]:
    async for url in stand_in_url(world, cis_credentials, tmp_path / "two.db", needs_commit=True):
        yield url


@pytest_asyncio.fixture
async def envelopes() -> Envelopes:
    return Envelopes()


async def opened(
    url: str, credentials: MultiSpeakCredentials, envelopes: Envelopes, *, commit: bool
) -> AsyncIterator[SoapCis]:
    async with envelopes:
        adapter = await SoapCis.create(
            endpoint=cis_endpoint_for(url, credentials), http=envelopes, commit_payments=commit
        )
        try:
            yield adapter
        finally:
            await adapter.aclose()


@pytest_asyncio.fixture
async def cis(
    one_step_url: str, cis_credentials: MultiSpeakCredentials, envelopes: Envelopes
) -> AsyncIterator[SoapCis]:
    async for adapter in opened(one_step_url, cis_credentials, envelopes, commit=False):
        yield adapter


def posting(account_number: str, payment_id: str, mode: PaymentMode) -> PaymentPosting:
    return PaymentPosting(
        financial_transaction_id=payment_id,
        account_number=account_number,
        amount=Decimal("61.20"),
        convenience_fee=Decimal("2.50"),
        authorization_code="OK4821",
        payment_mode=mode,
        masked_method="************4242" if mode is PaymentMode.CARD else "******6789",
    )


async def test_no_envelope_holds_a_card_number_only_the_masked_one(
    cis: SoapCis, envelopes: Envelopes, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account.account_number
    card = posting(account, "pay-81", PaymentMode.CARD)

    await cis.post_payment(card)
    await cis.post_payment(posting(account, "pay-82", PaymentMode.ACH))
    await cis.reverse_payment(
        Reversal("rev-82", "pay-82", account, Decimal("61.20"), PaymentMode.ACH, "R01")
    )

    payments = [e for e in envelopes.sent if "ProcessPaymentTransaction" in e]
    assert len(payments) == 3
    assert [card_number_runs(e) for e in envelopes.sent] == [[] for _ in envelopes.sent]
    assert "<ns0:creditCardNumber>************4242</ns0:creditCardNumber>" in payments[0]
    assert "<ns0:checkingAccountNumber>******6789</ns0:checkingAccountNumber>" in payments[1]
    assert "<ns0:financialTransactionID>pay-81</ns0:financialTransactionID>" in payments[0]
    assert "<ns0:total>63.70</ns0:total>" in payments[0]


async def test_the_scan_would_see_a_card_number_in_an_envelope(envelopes: Envelopes) -> None:
    """The check above can fail: a real test card number is found in the same XML."""
    leaked = "<ns0:creditCardNumber>4111 1111 1111 1111</ns0:creditCardNumber>"

    assert card_number_runs(leaked) == ["4111111111111111"]


async def test_a_retry_after_a_lost_answer_posts_once(
    cis: SoapCis, envelopes: Envelopes, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account.account_number
    payment = posting(account, "pay-83", PaymentMode.CARD)
    before = await cis.get_balance(account)

    envelopes.lose_next_answer = True
    with pytest.raises(CisUnavailable):
        await cis.post_payment(payment)
    result = await cis.post_payment(payment)
    after = await cis.get_balance(account)

    assert result.already_posted is True
    assert after.amount_due == before.amount_due - Decimal("61.20")


async def test_two_steps_process_then_commit_and_a_retry_is_already_posted(
    two_step_url: str,
    cis_credentials: MultiSpeakCredentials,
    envelopes: Envelopes,
    cis_scenario: CisScenario,
) -> None:
    account = cis_scenario.two_location_account.account_number
    payment = posting(account, "pay-84", PaymentMode.CARD)
    async for cis in opened(two_step_url, cis_credentials, envelopes, commit=True):
        before = await cis.get_balance(account)

        first = await cis.post_payment(payment)
        again = await cis.post_payment(payment)
        after = await cis.get_balance(account)

    operations = [
        name
        for e in envelopes.sent
        for name in ("ProcessPaymentTransaction", "CommitPaymentTransaction")
        if f"<ns0:{name}" in e
    ]
    assert operations == [
        "ProcessPaymentTransaction",
        "CommitPaymentTransaction",
        "ProcessPaymentTransaction",
    ]
    assert again == replace(first, already_posted=True)
    assert after.amount_due == before.amount_due - Decimal("61.20")


async def test_a_one_step_adapter_against_a_two_step_cis_says_so_and_posts_nothing(
    two_step_url: str,
    cis_credentials: MultiSpeakCredentials,
    envelopes: Envelopes,
    cis_scenario: CisScenario,
) -> None:
    account = cis_scenario.two_location_account.account_number
    payment = posting(account, "pay-85", PaymentMode.CARD)
    async for cis in opened(two_step_url, cis_credentials, envelopes, commit=False):
        before = await cis.get_balance(account)
        with pytest.raises(CisFault, match="commit_payments"):
            await cis.post_payment(payment)
        assert await cis.get_balance(account) == before
    # Retried with the setting on, the held payment is committed, once.
    async for cis in opened(two_step_url, cis_credentials, envelopes, commit=True):
        result = await cis.post_payment(payment)
        assert result.already_posted is False
        after = await cis.get_balance(account)
    assert after.amount_due == before.amount_due - Decimal("61.20")

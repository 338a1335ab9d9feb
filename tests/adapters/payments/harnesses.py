"""A `PaymentsHarness` for the fake and for the HTTP adapter against the stand-in.

The stand-in's harness does the browser's part over HTTP (`POST /v1/tokens` with the
publishable key) and the test clock's and faults' through the stand-in's test-mode
endpoints, so it would drive a stand-in in another process just the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from adapters.payments.port import PaymentProcessor
from adapters.payments.webhook import SignedWebhook
from tests.fixtures.payments import PUBLISHABLE_KEY, SECRET_KEY, PaymentsStandIn


class FakeHarness:
    webhook_secret = "whsec_fake_contract"

    def __init__(self) -> None:
        self.fake = FakePaymentProcessor(webhook_secret=self.webhook_secret)
        self.processor: PaymentProcessor = self.fake
        self.settle_after = self.fake.settle_after
        self.return_after = self.fake.return_after

    async def card_token(self, number: str) -> str:
        return self.fake.tokenize_card(number)

    async def bank_token(self, account_number: str) -> str:
        return self.fake.tokenize_bank_account(account_number)

    async def advance(self, by: timedelta) -> None:
        await self.fake.advance(by)

    async def webhooks(self, at_least: int) -> list[SignedWebhook]:
        if len(self.fake.webhooks) < at_least:
            pytest.fail(f"{len(self.fake.webhooks)} webhooks, expected at least {at_least}")
        return list(self.fake.webhooks)

    async def drop_next_answer(self) -> None:
        self.fake.drop_next_answers += 1

    async def set_down(self, down: bool) -> None:
        self.fake.down = down


class StandInHarness:
    def __init__(self, stand_in: PaymentsStandIn) -> None:
        self.stand_in = stand_in
        self.processor: PaymentProcessor = HttpPaymentProcessor(
            PaymentsEndpoint(base_url=stand_in.url, secret_key=SECRET_KEY, timeout_s=10.0)
        )
        self.webhook_secret = stand_in.config.webhook_secret
        self.settle_after = timedelta(seconds=stand_in.config.settle_after_s)
        self.return_after = timedelta(seconds=stand_in.config.return_after_s)

    async def card_token(self, number: str) -> str:
        card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
        return await self._token({"card": {**card, "postal_code": "87544"}})

    async def bank_token(self, account_number: str) -> str:
        account = {
            "routing_number": sandbox.TEST_ROUTING_NUMBER,
            "account_number": account_number,
            "account_type": "checking",
            "holder_name": "Dana Member",
        }
        return await self._token({"bank_account": account})

    async def advance(self, by: timedelta) -> None:
        await self.stand_in.test_control("/v1/_clock", {"advance_s": by.total_seconds()})

    async def webhooks(self, at_least: int) -> list[SignedWebhook]:
        return await self.stand_in.webhooks.wait_for(at_least)

    async def drop_next_answer(self) -> None:
        await self.stand_in.test_control("/v1/_faults", {"drop_next": 1})

    async def set_down(self, down: bool) -> None:
        await self.stand_in.test_control("/v1/_faults", {"down": down})

    async def _token(self, body: dict[str, object]) -> str:
        async with self.stand_in.client(PUBLISHABLE_KEY) as browser:
            response = await browser.post("/v1/tokens", json=body)
        response.raise_for_status()
        token: str = response.json()["id"]
        return token

"""An `SmsHarness` for the fake and for the HTTP adapter against the stand-in.

The stand-in's harness injects inbound texts and switches faults through the stand-in's
test-mode endpoints, so it would drive a stand-in in another process just the same.
"""

from __future__ import annotations

import pytest

from adapters.sms import sandbox
from adapters.sms.fake import FakeSmsSender
from adapters.sms.http import HttpSmsSender, SmsEndpoint
from adapters.sms.port import SmsSender
from adapters.sms.signature import SignedCallback
from tests.fixtures.sms import ACCOUNT_SID, AUTH_TOKEN, SmsStandIn


class FakeHarness:
    auth_token = "fake-contract-token"
    callback_url = "https://gateway.example.coop/callbacks/sms/status"

    def __init__(self) -> None:
        self.fake = FakeSmsSender(auth_token=self.auth_token)
        self.sender: SmsSender = self.fake

    async def callbacks(self, at_least: int) -> list[SignedCallback]:
        found = [c.callback for c in self.fake.callbacks if c.url == self.callback_url]
        if len(found) < at_least:
            pytest.fail(f"{len(found)} callbacks, expected at least {at_least}")
        return found

    async def inject_inbound(self, *, from_: str, body: str) -> SignedCallback:
        return self.fake.inject_inbound(from_=from_, body=body)

    async def drop_next_answer(self) -> None:
        self.fake.drop_next_answers += 1

    async def set_down(self, down: bool) -> None:
        self.fake.down = down


class StandInHarness:
    auth_token = AUTH_TOKEN

    def __init__(self, stand_in: SmsStandIn) -> None:
        self.stand_in = stand_in
        self.callback_url = stand_in.status_callback_url
        self.sender: SmsSender = HttpSmsSender(
            SmsEndpoint(
                base_url=stand_in.url,
                account_sid=ACCOUNT_SID,
                auth_token=AUTH_TOKEN,
                from_number=sandbox.FROM_NUMBER,
            )
        )

    async def callbacks(self, at_least: int) -> list[SignedCallback]:
        receiver = self.stand_in.receiver
        return await receiver.wait_for(receiver.status, at_least)

    async def inject_inbound(self, *, from_: str, body: str) -> SignedCallback:
        await self.stand_in.test_control("/v1/_inbound", {"from": from_, "body": body})
        receiver = self.stand_in.receiver
        [inbound] = await receiver.wait_for(receiver.inbound, 1)
        return inbound

    async def drop_next_answer(self) -> None:
        await self.stand_in.test_control("/v1/_faults", {"drop_next": 1})

    async def set_down(self, down: bool) -> None:
        await self.stand_in.test_control("/v1/_faults", {"down": down})

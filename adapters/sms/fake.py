"""In-memory `SmsSender` for unit tests and the contract suite.

It refuses and fails the sandbox's test numbers as the stand-in does, keeps
idempotency keys, and records what a provider would do: `outbox` holds every message
accepted (newest last), `callbacks` every status callback it would POST, signed with
`auth_token`, with the URL it would go to. A message is answered QUEUED and then goes
its whole way at once (sent, delivered), each step a callback when the send named a
callback URL (or the fake has a default one). `inject_inbound` is a member's text,
returned signed as the inbound webhook would carry it.

Switches: `down` (every call raises `SmsUnavailable`) and `drop_next_answers` (the next
sends are carried out, then raise `SmsOutcomeUnknown`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from adapters.sms import sandbox
from adapters.sms.port import (
    InboundMessage,
    MessageStatus,
    SentMessage,
    SmsNotFound,
    SmsOutcomeUnknown,
    SmsRejected,
    SmsUnavailable,
    StatusUpdate,
)
from adapters.sms.segments import segment_count
from adapters.sms.signature import (
    SignedCallback,
    encode,
    inbound_json,
    signature_header,
    status_callback_json,
)


@dataclass(frozen=True, slots=True)
class RecordedCallback:
    url: str
    callback: SignedCallback


class FakeSmsSender:
    def __init__(
        self,
        *,
        auth_token: str = "fake-auth-token",  # noqa: S107 (the fake signs with it)
        from_number: str = sandbox.FROM_NUMBER,
        status_callback_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth_token = auth_token
        self.from_number = from_number
        self.status_callback_url = status_callback_url
        self.outbox: list[SentMessage] = []
        self.callbacks: list[RecordedCallback] = []
        self.down = False
        self.drop_next_answers = 0
        self._clock = clock
        self._by_id: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._ids = itertools.count(1)

    async def send(
        self,
        *,
        to: str,
        body: str,
        idempotency_key: str,
        status_callback_url: str | None = None,
    ) -> SentMessage:
        self._check_up()
        if (index := self._by_key.get(idempotency_key)) is not None:
            return self._answer(self.outbox[index], idempotency_key)
        reason = sandbox.refusal(to, body)
        if reason is not None:
            raise SmsRejected(f"{to}: {reason.value}", reason=reason)
        queued = SentMessage(
            id=f"SM{next(self._ids):032x}",
            to=to,
            from_=self.from_number,
            body=body,
            status=MessageStatus.QUEUED,
            segments=segment_count(body),
            idempotency_key=idempotency_key,
        )
        index = len(self.outbox)
        self.outbox.append(queued)
        self._by_id[queued.id] = self._by_key[idempotency_key] = index
        statuses, error_code = sandbox.journey(to)
        url = status_callback_url or self.status_callback_url
        for status in statuses:
            final = status.is_final
            self.outbox[index] = replace(
                self.outbox[index], status=status, error_code=error_code if final else None
            )
            if url is not None:
                update = StatusUpdate(
                    message_id=queued.id, status=status, error_code=error_code if final else None
                )
                self.callbacks.append(
                    RecordedCallback(url, self._sign(status_callback_json(update)))
                )
        return self._answer(queued, idempotency_key)

    async def get_message(self, message_id: str) -> SentMessage:
        self._check_up()
        index = self._by_id.get(message_id)
        if index is None:
            raise SmsNotFound(f"no message {message_id}")
        return self.outbox[index]

    async def find_by_key(self, idempotency_key: str) -> SentMessage | None:
        self._check_up()
        index = self._by_key.get(idempotency_key)
        return None if index is None else self.outbox[index]

    async def aclose(self) -> None:
        return None

    def inject_inbound(self, *, from_: str, body: str) -> SignedCallback:
        """A member's text to the co-op's number, as the inbound webhook carries it."""
        message = InboundMessage(
            id=f"SM{next(self._ids):032x}", from_=from_, to=self.from_number, body=body
        )
        return self._sign(inbound_json(message))

    def _answer(self, message: SentMessage, idempotency_key: str) -> SentMessage:
        if self.drop_next_answers > 0:
            self.drop_next_answers -= 1
            raise SmsOutcomeUnknown("the answer was lost", idempotency_key=idempotency_key)
        return message

    def _sign(self, payload: dict[str, object]) -> SignedCallback:
        body = encode(payload)
        return SignedCallback(signature_header(self.auth_token, int(self._clock()), body), body)

    def _check_up(self) -> None:
        if self.down:
            raise SmsUnavailable("SMS provider is down")

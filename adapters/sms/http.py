"""`SmsSender` over a provider's Messages API, with httpx.

Requests are JSON (the common Messages API takes a form; this one takes the same
fields as a JSON object, so that a body is never mangled by form encoding), sent to
`/v1/Accounts/{account_sid}/Messages` with HTTP basic auth, the account SID and auth
token, which come in `SmsEndpoint` from the gateway's settings and never appear in an
error message. A send carries an `Idempotency-Key` header. A connection never made is
`SmsUnavailable`; a request that went out and got no complete answer is
`SmsOutcomeUnknown`, for the caller to settle with `find_by_key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from adapters.json_http import error_object, json_answer, own_transport, post_once
from adapters.sms.port import (
    RejectReason,
    SentMessage,
    SmsNotFound,
    SmsOutcomeUnknown,
    SmsRejected,
    SmsUnavailable,
)
from adapters.sms.wire import Json, message_from_json

SYSTEM: Final = "SMS provider"


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsEndpoint:
    base_url: str  # e.g. https://api.sms.example (without /v1)
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str  # E.164: the co-op's number
    timeout_s: float = 10.0


class HttpSmsSender:
    def __init__(
        self, endpoint: SmsEndpoint, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._from = endpoint.from_number
        self._client = httpx.AsyncClient(
            base_url=f"{endpoint.base_url.rstrip('/')}/v1/Accounts/{endpoint.account_sid}",
            auth=httpx.BasicAuth(endpoint.account_sid, endpoint.auth_token),
            timeout=endpoint.timeout_s,
            transport=transport if transport is not None else own_transport(),
        )

    async def send(
        self,
        *,
        to: str,
        body: str,
        idempotency_key: str,
        status_callback_url: str | None = None,
    ) -> SentMessage:
        request: Json = {"to": to, "from": self._from, "body": body}
        if status_callback_url is not None:
            request["status_callback"] = status_callback_url

        def outcome_unknown(message: str) -> SmsOutcomeUnknown:
            return SmsOutcomeUnknown(
                f"{message}; look it up by key", idempotency_key=idempotency_key
            )

        response = await post_once(
            self._client,
            "/Messages",
            body=request,
            idempotency_key=idempotency_key,
            system=SYSTEM,
            not_sent=SmsUnavailable,
            outcome_unknown=outcome_unknown,
        )
        return message_from_json(_answer(response))

    async def get_message(self, message_id: str) -> SentMessage:
        return message_from_json(await self._read(f"/Messages/{message_id}"))

    async def find_by_key(self, idempotency_key: str) -> SentMessage | None:
        data = await self._read("/Messages", params={"idempotency_key": idempotency_key})
        found = data.get("messages", [])
        return message_from_json(found[0]) if found else None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _read(self, path: str, **options: Any) -> Json:
        """A call that sends nothing: without an answer it may simply be asked again."""
        try:
            response = await self._client.get(path, **options)
        except httpx.TransportError as error:
            raise SmsUnavailable(f"SMS provider: {type(error).__name__}") from None
        return _answer(response)


def _answer(response: httpx.Response) -> Json:
    status = response.status_code
    if status < 300:
        return json_answer(response, system=SYSTEM, unavailable=SmsUnavailable)
    error = error_object(response)
    message = str(error.get("message", f"HTTP {status}"))
    if status == 404:
        raise SmsNotFound(message)
    if status in (400, 422):
        try:
            reason = RejectReason(str(error.get("code")))
        except ValueError:
            raise SmsUnavailable(f"SMS provider refused the request: {message}") from None
        raise SmsRejected(message, reason=reason)
    if status in (401, 403):
        raise SmsUnavailable(f"SMS provider refused the credentials (HTTP {status})")
    raise SmsUnavailable(f"SMS provider: HTTP {status}")

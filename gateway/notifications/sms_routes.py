"""POST /webhooks/sms/inbound and /webhooks/sms/status: the SMS provider calls back.

Both check the `Sms-Signature` (HMAC-SHA256 over the timestamp and the raw body,
`adapters.sms.signature`) before reading the body, and answer 400 for a bad signature,
a timestamp more than five minutes off, or a body that is not what the route takes,
writing nothing. A member's text is kept by its id with what it changes and the
reply it asks for (`inbound`), and answered 200 at once; one seen before answers 200
too (the provider must stop redelivering it) and changes nothing. Without a secret
both routes answer 503: a callback that cannot be checked is never acted on. A store
that cannot be written answers 500, and the provider delivers the text again later.

A delivery status moves the text's row in the delivery log on (`deliveries`): to
DELIVERED or FAILED, once; a status arriving late or twice changes nothing.

Bodies are read up to `MAX_BODY_BYTES`: a callback is under two kilobytes, and a
caller without the secret must not make the gateway buffer megabytes to refuse them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from pydantic import SecretStr
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.sms.port import InboundMessage, StatusUpdate
from adapters.sms.signature import (
    DEFAULT_TOLERANCE_S,
    SIGNATURE_HEADER,
    CallbackRejected,
    verify,
)
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.deliveries import record_status
from gateway.notifications.inbound import InboundNotUsable, accept_inbound

logger = logging.getLogger("gateway.notifications.sms_callbacks")

INBOUND_PATH: Final = "/webhooks/sms/inbound"
STATUS_PATH: Final = "/webhooks/sms/status"
MAX_BODY_BYTES: Final = 16 * 1024


class _BodyTooLarge(ValueError):
    pass


def sms_callback_routes(
    *,
    secret: SecretStr | None,
    store: Callable[[], GatewayStore],
    clock: Clock = utc_now,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    on_outbox_committed: Callable[[], None] | None = None,
) -> list[Route]:
    """The two routes; `store()` is the running gateway's store."""

    async def checked(request: Request) -> StatusUpdate | InboundMessage | Response:
        if secret is None:
            return _answer(503, "SMS callbacks are not set up")
        try:
            body = await _bounded_body(request)
        except _BodyTooLarge:
            return _answer(413, "the body is too large")
        except ClientDisconnect:
            return _answer(400, "the body was cut short")
        try:
            return verify(
                secret.get_secret_value(),
                request.headers.get(SIGNATURE_HEADER),
                body,
                now=clock(),
                tolerance_s=tolerance_s,
            )
        except CallbackRejected as rejected:
            # A warning: a stream of these is someone guessing, or a rotated secret.
            logger.warning("SMS callback refused: %s", rejected)
            return _answer(400, "the signature does not check")

    async def inbound(request: Request) -> Response:
        callback = await checked(request)
        if isinstance(callback, Response):
            return callback
        if not isinstance(callback, InboundMessage):
            return _answer(400, "not a text from a member")
        try:
            taken = await accept_inbound(
                store=store(),
                message=callback,
                now=clock(),
                on_outbox_committed=on_outbox_committed,
            )
        except InboundNotUsable as unusable:
            logger.warning("SMS inbound %r refused: %s", callback.id[:80], unusable)
            return _answer(400, "the text cannot be kept")
        return _answer(200, "seen before" if taken.seen_before else "accepted")

    async def status(request: Request) -> Response:
        callback = await checked(request)
        if isinstance(callback, Response):
            return callback
        if not isinstance(callback, StatusUpdate):
            return _answer(400, "not a delivery status")
        logger.info(
            "SMS %s is %s%s",
            callback.message_id[:80],
            callback.status.value,
            f" (error {callback.error_code[:16]})" if callback.error_code else "",
        )
        await record_status(store(), callback, now=clock())
        return _answer(200, "accepted")

    return [
        Route(INBOUND_PATH, inbound, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["POST"]),
    ]


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise _BodyTooLarge
    return bytes(body)


def _answer(status: int, message: str) -> Response:
    return JSONResponse({"status": message}, status_code=status)


__all__ = ["INBOUND_PATH", "MAX_BODY_BYTES", "STATUS_PATH", "sms_callback_routes"]

"""POST /webhooks/payments: the processor tells the gateway what became of a payment.

The route checks the `Payment-Signature` (HMAC-SHA256 over the timestamp and the raw
body, `adapters.payments.webhook`) before it reads the event, and answers 400 for a
bad signature, a timestamp more than five minutes off, or a body that is no event,
writing nothing. A genuine event is kept by its id with the outbox entry that acts on
it (`webhook_intake`), and answered 200 at once: the worker does the work, so a slow
CIS never makes the processor time out and redeliver. An event seen before answers
200 too (the processor must stop redelivering it) and changes nothing.

A store that cannot be written answers 500 (the error is logged): the processor
redelivers the event later, so an event is never acknowledged without being kept.

The body is read up to `MAX_BODY_BYTES` only: an event is a few kilobytes, and a
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

from adapters.payments.webhook import (
    DEFAULT_TOLERANCE_S,
    SIGNATURE_HEADER,
    WebhookRejected,
    verify,
)
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.webhook_intake import EventNotUsable, accept_event

logger = logging.getLogger("gateway.payments.webhooks")

WEBHOOK_PATH: Final = "/webhooks/payments"
MAX_BODY_BYTES: Final = 64 * 1024


class BodyTooLarge(ValueError):
    pass


def payments_webhook_route(
    *,
    secret: SecretStr | None,
    store: Callable[[], GatewayStore],
    clock: Clock = utc_now,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> Route:
    """The route; `store()` is the running gateway's store. Without `secret` every
    event is refused (503): an event that cannot be checked is never acted on."""

    async def receive(request: Request) -> Response:
        if secret is None:
            return _answer(503, "payment webhooks are not set up")
        try:
            body = await _bounded_body(request)
        except BodyTooLarge:
            return _answer(413, "the body is too large")
        except ClientDisconnect:
            return _answer(400, "the body was cut short")
        try:
            event = verify(
                secret.get_secret_value(),
                request.headers.get(SIGNATURE_HEADER),
                body,
                now=clock(),
                tolerance_s=tolerance_s,
            )
        except WebhookRejected as rejected:
            # A warning: a stream of these is someone guessing, or a rotated secret.
            logger.warning("payment webhook refused: %s", rejected)
            return _answer(400, "the signature does not check")
        try:
            accepted = await accept_event(store=store(), event=event, now=clock())
        except EventNotUsable as unusable:
            logger.warning("payment webhook %r refused: %s", event.id[:80], unusable)
            return _answer(400, "the event cannot be kept")
        if accepted:
            logger.info("payment webhook %s (%s) accepted", event.id, event.type)
        else:
            logger.info("payment webhook %s seen before: nothing to do", event.id)
        return _answer(200, "accepted" if accepted else "seen before")

    return Route(WEBHOOK_PATH, receive, methods=["POST"])


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge
    return bytes(body)


def _answer(status: int, message: str) -> Response:
    return JSONResponse({"status": message}, status_code=status)


__all__ = ["MAX_BODY_BYTES", "WEBHOOK_PATH", "payments_webhook_route"]

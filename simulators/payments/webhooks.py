"""Delivering events to the gateway: signed, and retried with backoff until it says 2xx.

Each delivery attempt is signed afresh (`adapters.payments.webhook`), so a retry an
hour later still carries a current timestamp; the event id stays the same, which is
how the receiver knows a retry or a replay from a new event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.payments.webhook import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    url: str
    secret: str = field(repr=False)
    retry_base_s: float = 1.0  # waits 1, 2, 4, ... seconds between attempts
    max_attempts: int = 8
    timeout_s: float = 5.0


class WebhookSender:
    def __init__(self, delivery: Delivery | None) -> None:
        self._delivery = delivery
        self._tasks: set[asyncio.Task[None]] = set()
        self._client = httpx.AsyncClient(timeout=None if delivery is None else delivery.timeout_s)
        self.attempts = 0

    def send(self, event: dict[str, Any]) -> None:
        """Deliver `event` in the background (nothing, without a webhook URL)."""
        if self._delivery is None:
            return
        task = asyncio.create_task(self._deliver(self._delivery, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def _deliver(self, delivery: Delivery, event: dict[str, Any]) -> None:
        body = json.dumps(event, separators=(",", ":")).encode()
        for attempt in range(delivery.max_attempts):
            if attempt:
                await asyncio.sleep(delivery.retry_base_s * 2 ** (attempt - 1))
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(delivery.secret, int(time.time()), body),
            }
            self.attempts += 1
            try:
                response = await self._client.post(delivery.url, content=body, headers=headers)
            except httpx.HTTPError as error:
                logger.info("webhook %s: attempt %d failed: %s", event["id"], attempt + 1, error)
                continue
            if response.is_success:
                return
            logger.info(
                "webhook %s: attempt %d answered %d", event["id"], attempt + 1, response.status_code
            )
        logger.warning("webhook %s: gave up after %d attempts", event["id"], delivery.max_attempts)

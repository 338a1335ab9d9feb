"""Delivering callbacks to the gateway: signed, and retried with backoff until it says 2xx.

Status callbacks and inbound texts alike are signed with the account's auth token
(`adapters.sms.signature`), afresh for each attempt, so a retry later still carries a
current timestamp; its body is unchanged, which is how the receiver knows a repeat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.sms.signature import SIGNATURE_HEADER, encode, signature_header

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retries:
    secret: str = field(repr=False)
    retry_base_s: float = 1.0  # waits 1, 2, 4, ... seconds between attempts
    max_attempts: int = 8
    timeout_s: float = 5.0


class CallbackSender:
    def __init__(self, retries: Retries) -> None:
        self._retries = retries
        self._tasks: set[asyncio.Task[None]] = set()
        self._client = httpx.AsyncClient(timeout=retries.timeout_s)
        self.attempts = 0

    def send(self, url: str, payload: dict[str, Any]) -> None:
        """POST `payload` to `url` in the background until it is taken."""
        task = asyncio.create_task(self._deliver(url, encode(payload)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def _deliver(self, url: str, body: bytes) -> None:
        retries = self._retries
        for attempt in range(retries.max_attempts):
            if attempt:
                await asyncio.sleep(retries.retry_base_s * 2 ** (attempt - 1))
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(retries.secret, int(time.time()), body),
            }
            self.attempts += 1
            try:
                response = await self._client.post(url, content=body, headers=headers)
            except httpx.HTTPError as error:
                logger.info("callback to %s: attempt %d failed: %s", url, attempt + 1, error)
                continue
            if response.is_success:
                return
            logger.info(
                "callback to %s: attempt %d answered %d", url, attempt + 1, response.status_code
            )
        logger.warning("callback to %s: gave up after %d attempts", url, retries.max_attempts)

"""A gateway whose database connections are all in use answers 503, not 500.

Every request reads its session from the gateway's database. Under a storm of requests
the connection pool can stay full for longer than a request may wait for a connection
(SQLAlchemy's pool timeout): that is load, not a bug, and the client is told so with a
typed error and a `Retry-After` (portals and HTTP clients back off on it), while the log
gets one line per busy spell instead of a traceback per request.
"""

from __future__ import annotations

import logging
import time
from typing import Final

import orjson
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import Response

from gateway.core.errors import OVERLOADED

logger = logging.getLogger(__name__)

RETRY_AFTER_S: Final = 5
# One warning per spell: a storm would otherwise log a line per refused request.
LOG_EVERY_S: Final = 60.0

_BODY: Final = orjson.dumps(
    {
        "errors": [
            {
                "message": "The service is busy. Please try again in a few seconds.",
                "extensions": {"code": OVERLOADED},
            }
        ]
    }
)


class StoreBusy:
    """The handler for a request that found no free database connection in time."""

    def __init__(self) -> None:
        self._logged_at: float | None = None
        self._refused = 0

    @property
    def exception(self) -> type[Exception]:
        return PoolTimeout

    async def __call__(self, request: Request, error: Exception) -> Response:
        self._refused += 1
        now = time.monotonic()
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY_S:
            logger.warning(
                "database connections all in use: %d request(s) refused with 503 (%s)",
                self._refused,
                type(error).__name__,
            )
            self._logged_at, self._refused = now, 0
        return Response(
            _BODY,
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

"""Readiness changes in the log, not readiness polls.

A load balancer asks `/readyz` every few seconds; while a system is down, a line per poll
would bury the one line that matters. Each system's state is logged when it changes (and
the first time it is down), so an outage reads as "down ... up" with the reason once.
"""

from __future__ import annotations

import logging


class ReadinessLog:
    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._up: dict[str, bool] = {}

    def record(self, name: str, *, up: bool, reason: str | None = None) -> None:
        before = self._up.get(name, True)
        self._up[name] = up
        if before and not up:
            self._logger.warning("readiness: %s is down: %s", name, reason or "no answer")
        elif up and not before:
            self._logger.info("readiness: %s is up again", name)

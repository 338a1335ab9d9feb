"""Readiness is logged when it changes, not on every poll."""

from __future__ import annotations

import logging

import pytest

from gateway.core.resilience.readiness_log import ReadinessLog


def test_a_system_down_for_many_polls_is_logged_once_then_once_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = ReadinessLog(logging.getLogger("test.readiness"))
    with caplog.at_level(logging.INFO, logger="test.readiness"):
        log.record("oms", up=True)
        for _ in range(20):
            log.record("cis", up=False, reason="timed out")
            log.record("oms", up=True)
        log.record("cis", up=True)
        log.record("cis", up=True)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "readiness: cis is down: timed out"),
        ("INFO", "readiness: cis is up again"),
    ]


def test_each_outage_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = ReadinessLog(logging.getLogger("test.readiness"))
    with caplog.at_level(logging.INFO, logger="test.readiness"):
        for up in (False, True, False, False, True):
            log.record("cache", up=up, reason="refused")
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO", "WARNING", "INFO"]

"""The app runs the CIS change-feed refresher while the cache is on, and only then."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.backends import Adapters
from simulators.world import World
from tests.gateway.cache.feed_doubles import FlakyCis
from tests.gateway.served import served, served_settings


@pytest.fixture
def cis(world: World) -> FlakyCis:
    return FlakyCis.of_world(world)


@pytest.fixture
def with_cis(adapters: Adapters, cis: FlakyCis) -> Adapters:
    return dataclasses.replace(adapters, cis=cis)


async def test_the_refresher_takes_the_feeds_position_at_startup_and_is_counted(
    with_cis: Adapters, cis: FlakyCis, gateway_database_path: Path
) -> None:
    settings = served_settings(gateway_database_path)
    async with served(settings, with_cis) as gateway:
        await cis.wait_for_feed_calls(1)
        metrics = (await gateway.client.get("/metrics")).text

    assert 'gateway_change_feed_polls_total{outcome="ok",system="cis"} 1.0' in metrics
    assert 'gateway_backend_calls_total{operation="changes_since",system="cis"} 1.0' in metrics
    await asyncio.sleep(0.02)
    assert cis.feed_calls == 1  # stopped with the app; the next poll was 30 s away


@pytest.mark.parametrize("switched_off", [{"cis_change_poll_s": 0}, {"cache_enabled": False}])
async def test_no_refresher_runs_when_polling_or_the_cache_is_off(
    with_cis: Adapters, cis: FlakyCis, gateway_database_path: Path, switched_off: dict[str, object]
) -> None:
    settings = served_settings(gateway_database_path, **switched_off)
    async with served(settings, with_cis) as gateway:
        assert (await gateway.client.get("/healthz")).status_code == 200
        await asyncio.sleep(0.02)

    assert cis.feed_calls == 0


def test_a_negative_polling_interval_is_refused(gateway_database_path: Path) -> None:
    with pytest.raises(ValidationError, match="cis_change_poll_s"):
        served_settings(gateway_database_path, cis_change_poll_s=-1)

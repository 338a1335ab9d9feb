"""The cache's settings: where Redis is, the two switches, and the metrics directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings

SECRET = "cache-settings-test-secret-" + "c" * 20
PASSWORD = "redis-pass-951"


@pytest.fixture(autouse=True)
def no_cache_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    for name in (
        "REDIS_URL",
        "COOP_REDIS_URL",
        "COOP_CACHE_ENABLED",
        "COOP_BATCHING_ENABLED",
        "PROMETHEUS_MULTIPROC_DIR",
    ):
        monkeypatch.delenv(name, raising=False)


def test_by_default_the_cache_is_in_process_and_both_switches_are_on() -> None:
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.redis_url is None
    assert settings.cache_enabled is True
    assert settings.batching_enabled is True
    assert settings.prometheus_multiproc_dir is None


def test_redis_url_is_read_from_the_plain_variable_and_keeps_its_password_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:{PASSWORD}@cache.internal:6379/2")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == f"redis://:{PASSWORD}@cache.internal:6379/2"
    assert PASSWORD not in repr(settings) + str(settings)


def test_the_coop_variable_wins_over_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://generic:6379/0")
    monkeypatch.setenv("COOP_REDIS_URL", "redis://gateway-only:6379/0")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == "redis://gateway-only:6379/0"


def test_the_redis_url_can_be_given_by_name() -> None:
    settings = GatewaySettings(redis_url="rediss://cache:6380/0")  # type: ignore[call-arg, arg-type]
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == "rediss://cache:6380/0"


def test_an_empty_redis_url_means_no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "")
    assert GatewaySettings().redis_url is None  # type: ignore[call-arg]


def test_a_url_that_is_not_redis_is_refused_without_echoing_it() -> None:
    url = f"http://admin:{PASSWORD}@cache:6379"
    with pytest.raises(ValidationError, match="redis://") as refused:
        GatewaySettings(redis_url=url)  # type: ignore[call-arg, arg-type]
    assert PASSWORD not in str(refused.value)


def test_the_switches_and_the_metrics_directory_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COOP_CACHE_ENABLED", "false")
    monkeypatch.setenv("COOP_BATCHING_ENABLED", "0")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.cache_enabled is False
    assert settings.batching_enabled is False
    assert settings.prometheus_multiproc_dir == tmp_path

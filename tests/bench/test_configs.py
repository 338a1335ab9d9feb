"""What each gateway configuration sets."""

from __future__ import annotations

from bench.configs import CONFIGS


def test_cached_configurations_use_redis_with_cache_and_batching_on() -> None:
    environment = CONFIGS["cached-2"].environment("redis://127.0.0.1:1234/0")
    assert environment == {
        "COOP_REDIS_URL": "redis://127.0.0.1:1234/0",
        "COOP_CACHE_ENABLED": "true",
        "COOP_BATCHING_ENABLED": "true",
        "COOP_RESPONSE_CACHE_ENABLED": "true",
        "COOP_RATE_LIMIT_ENABLED": "false",
    }
    assert CONFIGS["cached-2"].workers == 2


def test_the_comparison_configuration_differs_only_by_the_response_cache() -> None:
    without = CONFIGS["entities-2"].environment("redis://x")
    with_answers = CONFIGS["cached-2"].environment("redis://x")
    assert without == with_answers | {"COOP_RESPONSE_CACHE_ENABLED": "false"}
    assert CONFIGS["entities-2"].workers == CONFIGS["cached-2"].workers


def test_naive_configurations_switch_both_off_and_have_no_redis() -> None:
    environment = CONFIGS["naive-1"].environment("redis://127.0.0.1:1234/0")
    assert environment == {
        "COOP_CACHE_ENABLED": "false",
        "COOP_BATCHING_ENABLED": "false",
        "COOP_RATE_LIMIT_ENABLED": "false",
    }
    assert CONFIGS["naive-1"].workers == 1


def test_the_cold_gateway_keeps_nothing_in_its_processes() -> None:
    environment = CONFIGS["cached-1"].environment("redis://127.0.0.1:1234/0", cold=True)
    assert environment["COOP_CACHE_NEAR_TTL_S"] == "0"
    assert environment["COOP_CACHE_ENABLED"] == "true"
    assert "COOP_CACHE_NEAR_TTL_S" not in CONFIGS["cached-1"].environment("redis://x", cold=False)


def test_every_configuration_but_the_metered_one_switches_the_rate_limit_off() -> None:
    # One address, one login, hundreds of requests a second: what the limit is for.
    for config in CONFIGS.values():
        for cold in (False, True):
            environment = config.environment("redis://x", cold=cold)
            expected = "true" if config.metered else "false"
            assert environment["COOP_RATE_LIMIT_ENABLED"] == expected


def test_the_metered_configuration_charges_every_request_and_refuses_none() -> None:
    metered = CONFIGS["metered-1"].environment("redis://x")
    unlimited = CONFIGS["cached-1"].environment("redis://x")
    # The same gateway as cached-1 but for the limiter, whose budgets no client reaches.
    assert {k: v for k, v in metered.items() if "RATE_LIMIT" not in k} == {
        k: v for k, v in unlimited.items() if "RATE_LIMIT" not in k
    }
    budgets = [float(v) for k, v in metered.items() if k.endswith(("CAPACITY", "REFILL_PER_S"))]
    assert len(budgets) == 4
    assert min(budgets) >= 1e9

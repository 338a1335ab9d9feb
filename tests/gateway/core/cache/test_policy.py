"""TTLs: long for what cannot change, short for what members watch change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gateway.core.cache import policy


def test_reference_data_and_bills_live_long_and_volatile_data_briefly() -> None:
    assert policy.BILL_TTL_S >= policy.REFERENCE_TTL_S >= 3600
    short = (policy.BALANCE_TTL_S, policy.OUTAGE_TTL_S, policy.NOT_FOUND_TTL_S)
    assert max(short) <= 60
    assert policy.TODAY_USAGE_TTL_S <= 60


def test_daily_usage_of_finished_days_lives_long_and_today_briefly() -> None:
    today = date(2026, 11, 15)
    finished = policy.daily_usage_ttl_s(today, today=today, has_estimates=False)
    with_today = policy.daily_usage_ttl_s(
        today + timedelta(days=1), today=today, has_estimates=False
    )
    estimated = policy.daily_usage_ttl_s(today, today=today, has_estimates=True)
    assert finished == policy.FINISHED_USAGE_TTL_S
    assert with_today == policy.TODAY_USAGE_TTL_S
    assert with_today < estimated < finished


def test_hourly_usage_that_reaches_into_today_is_short_lived() -> None:
    midnight = datetime(2026, 11, 15, 7, tzinfo=UTC)  # local midnight in Denver
    ttl = policy.hourly_usage_ttl_s
    assert ttl(midnight, today_starts_at=midnight, has_estimates=False) == (
        policy.FINISHED_USAGE_TTL_S
    )
    later = midnight + timedelta(hours=1)
    assert ttl(later, today_starts_at=midnight, has_estimates=False) == policy.TODAY_USAGE_TTL_S
    assert ttl(midnight, today_starts_at=midnight, has_estimates=True) == (
        policy.ESTIMATED_USAGE_TTL_S
    )

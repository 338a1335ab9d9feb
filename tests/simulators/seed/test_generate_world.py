"""The demo co-op is deterministic, internally consistent and has what the demo shows."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from adapters.rules.email import is_email_address
from adapters.rules.money import whole_cents
from adapters.rules.phone import normalize_phone
from adapters.rules.postal import normalize_zip
from simulators.seed import DEMO_EMAIL, generate_world
from simulators.world import RateClass, World


def test_same_arguments_give_the_same_world(world: World) -> None:
    again = generate_world(accounts=len(world.accounts), seed=world.seed, as_of=world.as_of)
    assert again == world
    other = generate_world(accounts=len(world.accounts), seed=world.seed + 1, as_of=world.as_of)
    assert other.bills != world.bills


def test_default_size_has_the_variety_the_issue_names() -> None:
    big = generate_world(accounts=500, seed=1, as_of=date(2026, 11, 15))
    assert len(big.accounts) == 500
    owners = Counter(account.customer_id for account in big.accounts)
    assert any(count >= 2 for count in owners.values())
    assert any(len(account.location_ids) == 2 for account in big.accounts)
    assert any(len(account.location_ids) == 3 for account in big.accounts)
    assert any(account.is_prepay for account in big.accounts)
    assert sum(1 for b in big.balances if b.past_due_amount > 0) >= 10
    assert {loc.rate_class for loc in big.locations} == set(RateClass)
    active = [e for e in big.outage_events if e.restored_at is None]
    assert active
    assert all(e.location_ids for e in active)


def test_demo_member_owns_two_accounts_one_with_two_locations_one_out(world: World) -> None:
    demo = next(login for login in world.logins if login.email == DEMO_EMAIL)
    accounts = [a for a in world.accounts if a.customer_id in demo.customer_ids]
    assert len(accounts) >= 2
    assert any(len(a.location_ids) == 2 for a in accounts)
    out_now = {loc for e in world.outage_events if e.restored_at is None for loc in e.location_ids}
    assert any(loc in out_now for a in accounts for loc in a.location_ids)


def test_history_is_long_enough(world: World) -> None:
    assert (world.as_of - world.usage_start).days >= 25 * 31
    per_account = Counter(bill.account_number for bill in world.bills)
    assert min(per_account.values()) >= 25
    for series in world.daily_kwh.values():
        assert len(series) == (world.as_of - world.usage_start).days


def test_bill_kwh_is_the_metered_usage_of_its_period(world: World) -> None:
    for bill in world.bills[:60]:
        first = (bill.period_start - world.usage_start).days
        last = (bill.period_end - world.usage_start).days
        metered = sum(sum(world.daily_kwh[u.meter_no][first : last + 1]) for u in bill.usage)
        assert abs(float(bill.kwh) - metered) <= len(bill.usage), bill
        assert bill.due_date > bill.bill_date > bill.period_end


def test_ledger_adds_up(world: World) -> None:
    for account in world.accounts:
        bills = sorted(
            (b for b in world.bills if b.account_number == account.account_number),
            key=lambda b: b.bill_date,
        )
        for previous, bill in itertools.pairwise(bills):
            assert bill.prior_balance == previous.balance_after_billing
            assert (
                bill.balance_after_billing
                == bill.prior_balance - bill.payments_received + bill.amount
            )
            assert bill.period_start == previous.period_end + timedelta(days=1)
        balance = next(b for b in world.balances if b.account_number == account.account_number)
        paid_after_last_bill = sum(
            (
                p.amount
                for p in world.payments
                if p.account_number == account.account_number and p.paid_on > bills[-1].bill_date
            ),
            Decimal("0.00"),
        )
        owed = bills[-1].balance_after_billing - paid_after_last_bill
        assert balance.current_amount + balance.past_due_amount == owed


def test_members_details_obey_the_gateways_rules(world: World) -> None:
    """What the demo CIS holds is what the gateway would let a member save."""
    for customer in world.customers:
        assert customer.email is None or is_email_address(customer.email), customer
        for phone in (customer.home_phone, customer.mobile_phone):
            assert phone is None or normalize_phone(phone) == phone, customer
        address = customer.billing_address
        assert normalize_zip(address.zip_code) == address.zip_code, customer
    for location in world.locations:
        assert normalize_zip(location.address.zip_code) == location.address.zip_code
    for line in (line for bill in world.bills for line in bill.charges):
        whole_cents(line.amount)  # raises for a fraction of a cent


def test_usage_follows_temperature(world: World) -> None:
    """Homes use more on the coldest and hottest days than on mild ones."""
    location = next(loc for loc in world.locations if loc.rate_class is RateClass.RESIDENTIAL)
    means = [day[2] for day in world.daily_weather[location.weather_station]]
    kwh = world.daily_kwh[location.meter_nos[0]]
    mild = [k for k, t in zip(kwh, means, strict=True) if 58 <= t <= 68]
    hot = [k for k, t in zip(kwh, means, strict=True) if t >= 75]
    assert sum(hot) / len(hot) > sum(mild) / len(mild)


def test_weather_has_central_new_mexico_seasons(world: World) -> None:
    series = world.daily_weather["KMRT"]
    by_month: dict[int, list[float]] = {}
    for offset, (_high, _low, mean) in enumerate(series):
        by_month.setdefault((world.usage_start + timedelta(days=offset)).month, []).append(mean)
    january = sum(by_month[1]) / len(by_month[1])
    july = sum(by_month[7]) / len(by_month[7])
    assert 20 < january < 40
    assert 62 < july < 78

"""One suite for every `CisPort`: the fake, and the SOAP adapter against the CIS stand-in.

Both are held to what the shared world says, so they answer alike; the last tests
compare them directly, account by account.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from adapters.cis.port import (
    Balance,
    CisFault,
    CisNotFound,
    CisPort,
    Customer,
    PostalAddress,
)
from adapters.cis.soap import SoapCis
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World, WorldCustomer
from tests.fixtures.cis import CisScenario

CENTS = Decimal("0.01").as_tuple().exponent


def expected_customer(c: WorldCustomer) -> Customer:
    address = c.billing_address
    return Customer(
        customer_id=c.customer_id,
        first_name=c.first_name,
        last_name=c.last_name,
        billing_address=PostalAddress(
            address.line1, address.city, address.state, address.zip_code, address.line2
        ),
        middle_name=c.middle_name,
        business_name=c.business_name,
        home_phone=c.home_phone,
        mobile_phone=c.mobile_phone,
        email=c.email,
    )


def is_cents(amount: Decimal | None) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == CENTS


async def test_methods_include_every_read_the_port_needs(cis: CisPort) -> None:
    methods = set(await cis.get_methods())

    assert {
        "GetCustomerByCustId",
        "GetCustomerByName",
        "GetServiceLocationByAccountNumber",
        "GetServiceLocationByCustId",
        "GetMeterByAccountNumber",
        "GetBillingDetail",
        "GetBilledUsage",
        "GetPayableItemsList",
    } <= methods


async def test_a_customer_is_as_the_world_has_them(
    cis: CisPort, world: World, cis_scenario: CisScenario
) -> None:
    for member in (cis_scenario.demo, cis_scenario.business, cis_scenario.without_mobile):
        assert await cis.get_customer(member.customer_id) == expected_customer(member)


async def test_an_unknown_customer_is_not_found(cis: CisPort, cis_scenario: CisScenario) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_customer(cis_scenario.unknown_customer)


async def test_customers_are_found_by_name_prefix_in_name_order(cis: CisPort, world: World) -> None:
    expected = sorted(
        (c for c in world.customers if c.last_name.lower().startswith("l")),
        key=lambda c: (c.last_name, c.first_name, c.customer_id),
    )

    found = await cis.find_customers_by_name(first_name=None, last_name="L")

    assert [c.customer_id for c in found] == [c.customer_id for c in expected]
    assert found[0] == expected_customer(expected[0])


async def test_a_first_and_last_name_narrow_the_search(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo

    found = await cis.find_customers_by_name(
        first_name=demo.first_name.upper(), last_name=demo.last_name.lower()
    )

    assert demo.customer_id in [c.customer_id for c in found]
    assert all(c.first_name == demo.first_name for c in found)


async def test_a_search_matching_nobody_is_empty(cis: CisPort) -> None:
    assert await cis.find_customers_by_name(first_name="Zebulon", last_name="Quixote") == ()


async def test_a_search_without_names_is_a_fault(cis: CisPort) -> None:
    with pytest.raises(CisFault, match="needs a firstName or a lastName"):
        await cis.find_customers_by_name(first_name=None, last_name=" ")


async def test_service_locations_of_an_account(
    cis: CisPort, world: World, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account
    in_world = {loc.location_id: loc for loc in world.locations}
    last_bill = cis_scenario.bills_of(world, account.account_number)[-1]

    found = await cis.get_service_locations_by_account(account.account_number)

    assert [loc.location_id for loc in found] == list(account.location_ids)
    for location in found:
        source = in_world[location.location_id]
        assert location.account_number == account.account_number
        assert location.customer_id == account.customer_id
        assert location.address == PostalAddress(
            source.address.line1,
            source.address.city,
            source.address.state,
            source.address.zip_code,
            source.address.line2,
        )
        assert location.rate_class == source.rate_class.value
        assert location.service_status == "active"
        assert location.is_prepay is account.is_prepay
        assert location.billing_cycle == f"{account.cycle_day:02d}"
        assert location.last_bill_date == last_bill.bill_date
        assert (location.substation, location.feeder) == (source.substation, source.feeder)


async def test_service_locations_of_a_customer_cover_all_their_accounts(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    found = await cis.get_service_locations_by_customer(cis_scenario.demo.customer_id)

    assert [loc.location_id for loc in found] == [
        location_id for a in cis_scenario.demo_accounts for location_id in a.location_ids
    ]


async def test_unknown_keys_are_not_found(cis: CisPort, cis_scenario: CisScenario) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_service_locations_by_account(cis_scenario.unknown_account)
    with pytest.raises(CisNotFound):
        await cis.get_service_locations_by_customer(cis_scenario.unknown_customer)
    with pytest.raises(CisNotFound):
        await cis.get_meters_by_account(cis_scenario.unknown_account)
    with pytest.raises(CisNotFound):
        await cis.get_balance(cis_scenario.unknown_account)


async def test_meters_of_an_account_know_their_location(
    cis: CisPort, world: World, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account
    expected = [m for m in world.meters if m.location_id in account.location_ids]

    found = await cis.get_meters_by_account(account.account_number)

    assert [(m.meter_no, m.location_id) for m in found] == [
        (m.meter_no, m.location_id) for m in expected
    ]
    assert [(m.serial_number, m.manufacturer, m.meter_type) for m in found] == [
        (m.serial_number, m.manufacturer, m.meter_type) for m in expected
    ]


async def test_a_bill_adds_up_in_cents(cis: CisPort, cis_scenario: CisScenario) -> None:
    source = cis_scenario.two_location_bill

    bill = await cis.get_bill(source.account_number, source.bill_date)

    assert (bill.period_start, bill.period_end) == (source.period_start, source.period_end)
    assert bill.due_date == source.bill_date + timedelta(days=20)
    assert bill.amount == source.amount
    assert bill.kwh == source.kwh
    assert bill.prior_balance == source.prior_balance
    assert bill.payments_received == source.payments_received
    assert bill.balance_after_billing == source.balance_after_billing
    assert bill.prior_balance - bill.payments_received + bill.amount == bill.balance_after_billing
    money = [bill.prior_balance, bill.payments_received, bill.balance_after_billing]
    assert all(is_cents(amount) for amount in money + [c.amount for c in bill.charges])
    assert [(c.description, c.amount) for c in bill.charges] == [
        (c.description, c.amount) for c in source.charges
    ]
    assert [(u.meter_no, u.location_id, u.kwh) for u in bill.usage] == [
        (u.meter_no, u.location_id, u.kwh) for u in source.usage
    ]


async def test_a_date_without_a_bill_is_not_found(cis: CisPort, cis_scenario: CisScenario) -> None:
    source = cis_scenario.two_location_bill

    with pytest.raises(CisNotFound):
        await cis.get_bill(source.account_number, source.bill_date + timedelta(days=1))


async def test_a_balance_is_the_accounts_payable_figures_in_cents(
    cis: CisPort, cis_scenario: CisScenario
) -> None:
    source = cis_scenario.past_due

    balance = await cis.get_balance(source.account_number)

    assert balance == Balance(
        account_number=source.account_number,
        current_amount=source.current_amount,
        past_due_amount=source.past_due_amount,
        due_date=source.due_date,
        last_payment_amount=source.last_payment_amount,
        last_payment_date=source.last_payment_date,
        disconnect_date=source.disconnect_date,
    )
    assert is_cents(balance.current_amount)
    assert is_cents(balance.past_due_amount)
    assert is_cents(balance.last_payment_amount)
    assert balance.amount_due == source.current_amount + source.past_due_amount


async def answers(cis: CisPort, world: World) -> list[object]:
    """Everything `cis` says about every account and member, asked concurrently."""

    async def about_account(number: str) -> object:
        return (
            await cis.get_service_locations_by_account(number),
            await cis.get_meters_by_account(number),
            await cis.get_balance(number),
        )

    async def about_customer(customer_id: str) -> object:
        return (
            await cis.get_customer(customer_id),
            await cis.get_service_locations_by_customer(customer_id),
        )

    return list(
        await asyncio.gather(
            *(about_account(a.account_number) for a in world.accounts),
            *(about_customer(c.customer_id) for c in world.customers),
        )
    )


async def test_fake_and_soap_answer_alike_for_every_account_and_member(
    soap_cis: SoapCis, world: World
) -> None:
    fake_answers = await answers(fake_cis_from_world(world), world)

    soap_answers = await answers(soap_cis, world)

    assert len(soap_answers) == len(world.accounts) + len(world.customers)
    assert soap_answers == fake_answers


async def test_fake_and_soap_give_the_same_bills(soap_cis: SoapCis, world: World) -> None:
    fake = fake_cis_from_world(world)
    first_and_latest: dict[str, tuple[date, date]] = {}
    for bill in world.bills:
        first, _ = first_and_latest.get(bill.account_number, (bill.bill_date, bill.bill_date))
        first_and_latest[bill.account_number] = (first, bill.bill_date)
    keys = [(number, day) for number, days in first_and_latest.items() for day in set(days)]

    soap_bills = await asyncio.gather(*(soap_cis.get_bill(*key) for key in keys))

    assert len(keys) > len(world.accounts)
    assert list(soap_bills) == [await fake.get_bill(*key) for key in keys]
    assert await soap_cis.get_methods() == await fake.get_methods()

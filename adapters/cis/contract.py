"""The contract every `CisPort` keeps when asked to read: lookups, bills, balances, searches.

A pytest suite for any implementation, the fake or a co-op's own. It needs two
fixtures: `cis`, the implementation under test (it is only read from, so it may be
shared and may be a production system), and `cis_facts`, a `CisContractFacts` saying
what that CIS holds. Run it by importing it into a test module that has both
fixtures (or sits beside a conftest.py that has them):

    from adapters.cis.contract import *  # noqa: F403

The tests are coroutines: run them with pytest-asyncio (`asyncio_mode = "auto"`).
For failures that show the values compared, have pytest rewrite the suite's asserts
before it is imported, in conftest.py:

    pytest.register_assert_rewrite("adapters.cis.contract")

Changes (contact details, the change feed) have a suite of their own,
`adapters.cis.contract_writes`, for a CIS that may be written to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest

from adapters.cis.listing import all_service_locations
from adapters.cis.port import (
    Balance,
    Bill,
    CisFault,
    CisNotFound,
    CisPort,
    Customer,
    Meter,
    MeterMatch,
    ServiceLocation,
)

__all__ = [
    "CisContractFacts",
    "CisFaultWording",
    "MeterSearch",
    "NameSearch",
    "test_a_balance_is_the_accounts_payable_figures_in_cents",
    "test_a_bill_adds_up_in_cents",
    "test_a_customer_is_as_the_cis_has_them",
    "test_a_customer_is_found_by_home_phone",
    "test_a_date_without_a_bill_is_not_found",
    "test_a_first_and_last_name_narrow_the_search",
    "test_a_home_phone_nobody_has_is_not_found",
    "test_a_meter_leads_to_its_service_location",
    "test_a_search_matching_nobody_is_empty",
    "test_a_search_matching_nothing_is_empty_and_a_blank_one_is_a_fault",
    "test_a_search_without_names_is_a_fault",
    "test_an_unknown_customer_is_not_found",
    "test_an_unknown_meter_is_not_found",
    "test_customers_are_found_by_name_prefix_in_name_order",
    "test_each_charge_line_names_the_service_location_it_bills",
    "test_every_service_location_is_listed_once",
    "test_meters_of_an_account_know_their_location",
    "test_methods_include_every_read_the_port_needs",
    "test_service_locations_of_a_customer_cover_all_their_accounts",
    "test_service_locations_of_an_account",
    "test_the_cis_says_it_has_the_search_operations",
    "test_the_search_string_finds_a_mobile_number",
    "test_the_search_string_finds_meters_by_street_address",
    "test_unknown_keys_are_not_found",
]

CENTS = Decimal("0.01").as_tuple().exponent


@dataclass(frozen=True, slots=True)
class NameSearch:
    """A search by the start of a last name, and every customer it must find."""

    last_name: str
    found: tuple[Customer, ...]  # in name order: last name, first name, customer id


@dataclass(frozen=True, slots=True)
class MeterSearch:
    """A free-text search (a street, say) and every meter it must find."""

    text: str
    # (meter number, account number, customer id) of each meter, in the CIS's order.
    found: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class CisFaultWording:
    """What the CIS's faults say, as patterns for `pytest.raises(match=...)`.

    Vendors word their SOAP faults as they like: the defaults are the demo co-op's
    CIS stand-in's; an empty pattern accepts any wording.
    """

    name_search_without_names: str = "needs a firstName or a lastName"
    blank_meter_search: str = "needs a searchString"
    phone_without_ten_digits: str = "10 digits"
    billing_address_without_city: str = "billCity must not be empty"


@dataclass(frozen=True, slots=True)
class CisContractFacts:
    """What the CIS under test holds, each record exactly as the port must return it.

    The `unknown_*` and `nobody_*` values must match nothing in that CIS.
    """

    member: Customer  # with a home and a mobile phone nobody else has
    member_account_numbers: tuple[str, ...]  # every account of `member`
    member_location_ids: tuple[str, ...]  # their service locations, account by account
    more_customers: tuple[Customer, ...]  # at least one; a business, one without a mobile
    account_number: str  # an account, ideally with several service locations
    account_locations: tuple[ServiceLocation, ...]  # that account's, in its order
    account_meters: tuple[Meter, ...]  # that account's, in the CIS's order
    bill: Bill  # a bill, ideally with several charge lines and meters
    balance: Balance  # an account's, ideally with an amount past due
    meter: MeterMatch  # a meter, its account and customer
    name_search: NameSearch
    street_search: MeterSearch
    location_count: int  # how many service locations the CIS has in all
    unknown_customer_id: str = "C999999"
    unknown_account_number: str = "9999999"
    unknown_meter_no: str = "ZZ00000000"
    nobody_first_name: str = "Zebulon"
    nobody_last_name: str = "Quixote"
    nobody_home_phone: str = "5050000000"
    nobody_search_text: str = "Nowhere Lane 99999"
    faults: CisFaultWording = field(default_factory=CisFaultWording)


def is_cents(amount: Decimal | None) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == CENTS


# --- customers ------------------------------------------------------------------------


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


async def test_a_customer_is_as_the_cis_has_them(cis: CisPort, cis_facts: CisContractFacts) -> None:
    for customer in (cis_facts.member, *cis_facts.more_customers):
        assert await cis.get_customer(customer.customer_id) == customer


async def test_an_unknown_customer_is_not_found(cis: CisPort, cis_facts: CisContractFacts) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_customer(cis_facts.unknown_customer_id)


async def test_customers_are_found_by_name_prefix_in_name_order(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    expected = cis_facts.name_search.found

    found = await cis.find_customers_by_name(
        first_name=None, last_name=cis_facts.name_search.last_name
    )

    assert [c.customer_id for c in found] == [c.customer_id for c in expected]
    assert found[0] == expected[0]


async def test_a_first_and_last_name_narrow_the_search(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member

    found = await cis.find_customers_by_name(
        first_name=member.first_name.upper(), last_name=member.last_name.lower()
    )

    assert member.customer_id in [c.customer_id for c in found]
    assert all(c.first_name == member.first_name for c in found)


async def test_a_search_matching_nobody_is_empty(cis: CisPort, cis_facts: CisContractFacts) -> None:
    found = await cis.find_customers_by_name(
        first_name=cis_facts.nobody_first_name, last_name=cis_facts.nobody_last_name
    )

    assert list(found) == []


async def test_a_search_without_names_is_a_fault(cis: CisPort, cis_facts: CisContractFacts) -> None:
    with pytest.raises(CisFault, match=cis_facts.faults.name_search_without_names):
        await cis.find_customers_by_name(first_name=None, last_name=" ")


# --- accounts: service locations, meters, bills, balances -----------------------------


async def test_service_locations_of_an_account(cis: CisPort, cis_facts: CisContractFacts) -> None:
    expected = cis_facts.account_locations

    found = await cis.get_service_locations_by_account(cis_facts.account_number)

    assert [loc.location_id for loc in found] == [loc.location_id for loc in expected]
    for location, wanted in zip(found, expected, strict=True):
        assert location == wanted


async def test_service_locations_of_a_customer_cover_all_their_accounts(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    found = await cis.get_service_locations_by_customer(cis_facts.member.customer_id)

    assert [loc.location_id for loc in found] == list(cis_facts.member_location_ids)


async def test_every_service_location_is_listed_once(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    listed = await all_service_locations(cis)

    ids = [loc.location_id for loc in listed]
    assert len(ids) == len(set(ids)) == cis_facts.location_count
    assert ids == sorted(ids)
    by_id = {loc.location_id: loc for loc in listed}
    for location in cis_facts.account_locations:
        assert by_id[location.location_id] == location
    assert "GetAllServiceLocations" in await cis.get_methods()


async def test_unknown_keys_are_not_found(cis: CisPort, cis_facts: CisContractFacts) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_service_locations_by_account(cis_facts.unknown_account_number)
    with pytest.raises(CisNotFound):
        await cis.get_service_locations_by_customer(cis_facts.unknown_customer_id)
    with pytest.raises(CisNotFound):
        await cis.get_meters_by_account(cis_facts.unknown_account_number)
    with pytest.raises(CisNotFound):
        await cis.get_balance(cis_facts.unknown_account_number)


async def test_meters_of_an_account_know_their_location(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    expected = cis_facts.account_meters

    found = await cis.get_meters_by_account(cis_facts.account_number)

    assert [(m.meter_no, m.location_id) for m in found] == [
        (m.meter_no, m.location_id) for m in expected
    ]
    assert [(m.serial_number, m.manufacturer, m.meter_type) for m in found] == [
        (m.serial_number, m.manufacturer, m.meter_type) for m in expected
    ]


async def test_a_bill_adds_up_in_cents(cis: CisPort, cis_facts: CisContractFacts) -> None:
    expected = cis_facts.bill

    bill = await cis.get_bill(expected.account_number, expected.bill_date)

    assert (bill.period_start, bill.period_end) == (expected.period_start, expected.period_end)
    assert bill.due_date == expected.due_date
    assert bill.amount == expected.amount
    assert bill.kwh == expected.kwh
    assert bill.prior_balance == expected.prior_balance
    assert bill.payments_received == expected.payments_received
    assert bill.balance_after_billing == expected.balance_after_billing
    assert bill.prior_balance - bill.payments_received + bill.amount == bill.balance_after_billing
    money = [bill.prior_balance, bill.payments_received, bill.balance_after_billing]
    assert all(is_cents(amount) for amount in money + [c.amount for c in bill.charges])
    assert [(c.description, c.amount) for c in bill.charges] == [
        (c.description, c.amount) for c in expected.charges
    ]
    assert [(u.meter_no, u.location_id, u.kwh) for u in bill.usage] == [
        (u.meter_no, u.location_id, u.kwh) for u in expected.usage
    ]


async def test_each_charge_line_names_the_service_location_it_bills(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    expected = cis_facts.bill

    bill = await cis.get_bill(expected.account_number, expected.bill_date)

    assert [(c.description, c.location_id) for c in bill.charges] == [
        (c.description, c.location_id) for c in expected.charges
    ]
    groups = bill.charges_by_location()
    billed = [u.location_id for u in bill.usage]
    assert [g.location_id for g in groups] == [*dict.fromkeys(billed), None]
    assert sum(g.amount for g in groups) == bill.amount


async def test_a_date_without_a_bill_is_not_found(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    billed = cis_facts.bill

    with pytest.raises(CisNotFound):
        await cis.get_bill(billed.account_number, billed.bill_date + timedelta(days=1))


async def test_a_balance_is_the_accounts_payable_figures_in_cents(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    expected = cis_facts.balance

    balance = await cis.get_balance(expected.account_number)

    assert balance == expected
    assert is_cents(balance.current_amount)
    assert is_cents(balance.past_due_amount)
    assert is_cents(balance.last_payment_amount)
    assert balance.amount_due == expected.current_amount + expected.past_due_amount


# --- lookups by phone and meter, free-text search -------------------------------------


async def test_the_cis_says_it_has_the_search_operations(cis: CisPort) -> None:
    assert {
        "GetCustomerByHomePhone",
        "GetServiceLocationByMeterNo",
        "GetMetersBySearchString",
    } <= set(await cis.get_methods())


async def test_a_customer_is_found_by_home_phone(cis: CisPort, cis_facts: CisContractFacts) -> None:
    member = cis_facts.member
    assert member.home_phone is not None
    phone = f"({member.home_phone[:3]}) {member.home_phone[3:6]}-{member.home_phone[6:]}"

    found = await cis.get_customer_by_home_phone(phone)

    assert found == await cis.get_customer(member.customer_id)


async def test_a_home_phone_nobody_has_is_not_found(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_customer_by_home_phone(cis_facts.nobody_home_phone)


async def test_a_meter_leads_to_its_service_location(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    meter = cis_facts.meter

    found = await cis.get_service_location_by_meter(meter.meter.meter_no)

    assert found.location_id == meter.meter.location_id
    assert found.account_number == meter.account_number
    assert found in await cis.get_service_locations_by_account(meter.account_number)


async def test_an_unknown_meter_is_not_found(cis: CisPort, cis_facts: CisContractFacts) -> None:
    with pytest.raises(CisNotFound):
        await cis.get_service_location_by_meter(cis_facts.unknown_meter_no)


async def test_the_search_string_finds_meters_by_street_address(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    search = cis_facts.street_search

    found = await cis.search_meters(search.text)

    assert search.found
    assert [(f.meter.meter_no, f.account_number, f.customer_id) for f in found] == list(
        search.found
    )
    assert all(f.meter.location_id for f in found)


async def test_the_search_string_finds_a_mobile_number(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member
    assert member.mobile_phone is not None
    written = f"{member.mobile_phone[:3]}-{member.mobile_phone[3:6]}-{member.mobile_phone[6:]}"

    found = await cis.search_meters(written)

    assert {f.account_number for f in found} == set(cis_facts.member_account_numbers)
    assert {f.customer_id for f in found} == {member.customer_id}


async def test_a_search_matching_nothing_is_empty_and_a_blank_one_is_a_fault(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    assert list(await cis.search_meters(cis_facts.nobody_search_text)) == []
    with pytest.raises(CisFault, match=cis_facts.faults.blank_meter_search):
        await cis.search_meters("  ")

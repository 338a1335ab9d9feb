"""What the CIS contract suite should find in a CIS loaded from the shared world.

Worked out from the world here, independently of the fake and of the stand-in: the
suite holds both to these records.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from adapters.cis.contract import CisContractFacts, MeterSearch, NameSearch
from adapters.cis.port import (
    Balance,
    Bill,
    BilledUsage,
    ChargeLine,
    Customer,
    Meter,
    MeterMatch,
    PostalAddress,
    ServiceLocation,
)
from simulators.world import (
    Address,
    World,
    WorldAccount,
    WorldBalance,
    WorldBill,
    WorldCustomer,
    WorldMeter,
)
from tests.fixtures.cis import find_cis_scenario

PAYMENT_TERMS = timedelta(days=20)  # the stand-in's, and the fake's, by default


def cis_facts_from_world(world: World) -> CisContractFacts:
    scenario = find_cis_scenario(world)
    account = scenario.two_location_account
    with_second_line = next(loc for loc in world.locations if loc.address.line2)
    meter_no = with_second_line.meter_nos[-1]
    return CisContractFacts(
        member=expected_customer(scenario.demo),
        member_account_numbers=tuple(a.account_number for a in scenario.demo_accounts),
        member_location_ids=tuple(
            location_id for a in scenario.demo_accounts for location_id in a.location_ids
        ),
        more_customers=(
            expected_customer(scenario.business),
            expected_customer(scenario.without_mobile),
        ),
        account_number=account.account_number,
        account_locations=expected_locations(world, account),
        account_meters=tuple(
            expected_meter(m) for m in world.meters if m.location_id in account.location_ids
        ),
        bill=expected_bill(scenario.two_location_bill),
        balance=expected_balance(scenario.past_due),
        meter=MeterMatch(
            meter=expected_meter(next(m for m in world.meters if m.meter_no == meter_no)),
            account_number=with_second_line.account_number,
            customer_id=with_second_line.customer_id,
        ),
        name_search=NameSearch(
            last_name="L",
            found=tuple(
                expected_customer(c)
                for c in sorted(
                    (c for c in world.customers if c.last_name.lower().startswith("l")),
                    key=lambda c: (c.last_name, c.first_name, c.customer_id),
                )
            ),
        ),
        street_search=street_search(world),
        location_count=len(world.locations),
        unknown_customer_id=scenario.unknown_customer,
        unknown_account_number=scenario.unknown_account,
    )


def street_search(world: World) -> MeterSearch:
    street = world.locations[3].address.line1.split(" ", 1)[1]  # "Mesa Verde Dr"
    return MeterSearch(
        text=street.upper(),
        found=tuple(
            (m, loc.account_number, loc.customer_id)
            for account in sorted(world.accounts, key=lambda a: a.account_number)
            for loc in world.locations
            if loc.location_id in account.location_ids and street in loc.address.line1
            for m in loc.meter_nos
        ),
    )


def postal(address: Address) -> PostalAddress:
    return PostalAddress(
        address.line1, address.city, address.state, address.zip_code, address.line2
    )


def expected_customer(c: WorldCustomer) -> Customer:
    return Customer(
        customer_id=c.customer_id,
        first_name=c.first_name,
        last_name=c.last_name,
        billing_address=postal(c.billing_address),
        middle_name=c.middle_name,
        business_name=c.business_name,
        home_phone=c.home_phone,
        mobile_phone=c.mobile_phone,
        email=c.email,
    )


def expected_locations(world: World, account: WorldAccount) -> tuple[ServiceLocation, ...]:
    in_world = {loc.location_id: loc for loc in world.locations}
    last_bill: date = max(
        b.bill_date for b in world.bills if b.account_number == account.account_number
    )
    return tuple(
        ServiceLocation(
            location_id=location_id,
            account_number=account.account_number,
            customer_id=account.customer_id,
            address=postal(in_world[location_id].address),
            rate_class=in_world[location_id].rate_class.value,
            service_status="active",
            is_prepay=account.is_prepay,
            billing_cycle=f"{account.cycle_day:02d}",
            last_bill_date=last_bill,
            substation=in_world[location_id].substation,
            feeder=in_world[location_id].feeder,
        )
        for location_id in account.location_ids
    )


def expected_meter(m: WorldMeter) -> Meter:
    return Meter(
        meter_no=m.meter_no,
        serial_number=m.serial_number,
        manufacturer=m.manufacturer,
        meter_type=m.meter_type,
        location_id=m.location_id,
    )


def expected_bill(source: WorldBill) -> Bill:
    """The bill as the suite checks it: charge lines in the world's order."""
    # The port works kWh out from the register reads; the world must agree with itself.
    assert all(u.kwh == u.present_reading - u.previous_reading for u in source.usage)
    return Bill(
        account_number=source.account_number,
        bill_date=source.bill_date,
        period_start=source.period_start,
        period_end=source.period_end,
        due_date=source.bill_date + PAYMENT_TERMS,
        prior_balance=source.prior_balance,
        payments_received=source.payments_received,
        charges=tuple(ChargeLine(c.description, c.amount, c.location_id) for c in source.charges),
        usage=tuple(
            BilledUsage(
                meter_no=u.meter_no,
                location_id=u.location_id,
                previous_reading=u.previous_reading,
                present_reading=u.present_reading,
                multiplier=Decimal(1),
                period_start=source.period_start,
                period_end=source.period_end,
            )
            for u in source.usage
        ),
        balance_after_billing=source.balance_after_billing,
    )


def expected_balance(source: WorldBalance) -> Balance:
    return Balance(
        account_number=source.account_number,
        current_amount=source.current_amount,
        past_due_amount=source.past_due_amount,
        due_date=source.due_date,
        last_payment_amount=source.last_payment_amount,
        last_payment_date=source.last_payment_date,
        disconnect_date=source.disconnect_date,
    )

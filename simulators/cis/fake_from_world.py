"""The fake CIS holding the demo co-op, answering as the CIS stand-in loaded from it does.

The stand-in turns a `World` into MultiSpeak on the wire and `SoapCis` turns that
back into port records; this module makes the same records directly: bills' lines
grouped by billed meter, due dates from the payment terms, every location active.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from adapters.cis.fake import FakeCis, FakeCisData
from adapters.cis.port import (
    Balance,
    Bill,
    BilledUsage,
    ChargeLine,
    Customer,
    Meter,
    PostalAddress,
    ServiceLocation,
)
from simulators.world import Address, World, WorldBalance, WorldBill, WorldCustomer

# The stand-in's default payment terms: a bill is due this many days after it is cut.
PAYMENT_TERMS_DAYS = 20


def fake_cis_from_world(world: World, *, payment_terms_days: int = PAYMENT_TERMS_DAYS) -> FakeCis:
    return FakeCis.from_data(cis_data_from_world(world, payment_terms_days=payment_terms_days))


def cis_data_from_world(
    world: World, *, payment_terms_days: int = PAYMENT_TERMS_DAYS
) -> FakeCisData:
    """What the CIS stand-in loaded from `world` holds, as port records.

    For fakes of a class of their own (`SomeFake.from_data(cis_data_from_world(w))`).
    """
    terms = timedelta(days=payment_terms_days)
    locations_by_id = {loc.location_id: loc for loc in world.locations}
    meters_by_no = {m.meter_no: m for m in world.meters}
    last_bill: dict[str, date] = {}
    for bill in world.bills:
        last = last_bill.get(bill.account_number)
        last_bill[bill.account_number] = max(last or bill.bill_date, bill.bill_date)
    locations: list[ServiceLocation] = []
    meters: list[Meter] = []
    for account in world.accounts:
        located = [locations_by_id[i] for i in account.location_ids if i in locations_by_id]
        locations.extend(
            ServiceLocation(
                location_id=loc.location_id,
                account_number=loc.account_number,
                customer_id=loc.customer_id,
                address=_postal(loc.address),
                rate_class=loc.rate_class.value,
                service_status="active",
                is_prepay=account.is_prepay,
                billing_cycle=f"{account.cycle_day:02d}",
                last_bill_date=last_bill.get(account.account_number),
                substation=loc.substation,
                feeder=loc.feeder,
            )
            for loc in located
        )
        meters.extend(
            Meter(
                meter_no=m.meter_no,
                serial_number=m.serial_number,
                manufacturer=m.manufacturer,
                meter_type=m.meter_type,
                location_id=m.location_id,
            )
            for loc in located
            for m in (meters_by_no[n] for n in loc.meter_nos if n in meters_by_no)
        )
    return FakeCisData(
        customers=tuple(_customer(c) for c in world.customers),
        locations=tuple(locations),
        meters=tuple(meters),
        bills=tuple(_bill(b, terms) for b in world.bills),
        balances=tuple(_balance(b) for b in world.balances),
    )


def _postal(address: Address) -> PostalAddress:
    return PostalAddress(
        line1=address.line1,
        city=address.city,
        state=address.state,
        zip_code=address.zip_code,
        line2=address.line2,
    )


def _customer(c: WorldCustomer) -> Customer:
    return Customer(
        customer_id=c.customer_id,
        first_name=c.first_name,
        last_name=c.last_name,
        billing_address=_postal(c.billing_address),
        middle_name=c.middle_name,
        business_name=c.business_name,
        home_phone=c.home_phone,
        mobile_phone=c.mobile_phone,
        email=c.email,
    )


def _ordered_charges(bill: WorldBill) -> tuple[ChargeLine, ...]:
    """The lines in the order the CIS sends them: by billed meter, naming its location,
    then the account's own (with them, naming none, a location's lines of no meter billed)."""
    first_slot_of: dict[str, int] = {}
    for index, item in enumerate(bill.usage):
        first_slot_of.setdefault(item.location_id, index)
    per_slot: list[list[ChargeLine]] = [[] for _ in bill.usage]
    account_level: list[ChargeLine] = []
    for line in bill.charges:
        slot = first_slot_of.get(line.location_id) if line.location_id else None
        if slot is None:
            account_level.append(ChargeLine(line.description, line.amount))
        else:
            per_slot[slot].append(ChargeLine(line.description, line.amount, line.location_id))
    return tuple(line for lines in (*per_slot, account_level) for line in lines)


def _bill(bill: WorldBill, payment_terms: timedelta) -> Bill:
    return Bill(
        account_number=bill.account_number,
        bill_date=bill.bill_date,
        period_start=bill.period_start if bill.usage else bill.bill_date,
        period_end=bill.period_end if bill.usage else bill.bill_date,
        due_date=bill.bill_date + payment_terms,
        prior_balance=bill.prior_balance,
        payments_received=bill.payments_received,
        charges=_ordered_charges(bill),
        usage=tuple(
            BilledUsage(
                meter_no=item.meter_no,
                location_id=item.location_id,
                previous_reading=item.previous_reading,
                present_reading=item.present_reading,
                multiplier=Decimal(1),
                period_start=bill.period_start,
                period_end=bill.period_end,
            )
            for item in bill.usage
        ),
        balance_after_billing=bill.balance_after_billing,
    )


def _balance(balance: WorldBalance) -> Balance:
    return Balance(
        account_number=balance.account_number,
        current_amount=balance.current_amount,
        past_due_amount=balance.past_due_amount,
        due_date=balance.due_date,
        last_payment_amount=balance.last_payment_amount,
        last_payment_date=balance.last_payment_date,
        disconnect_date=balance.disconnect_date,
    )

"""Example values of every dataclass the adapter ports carry, with awkward edges.

Decimals with trailing zeros and negative amounts, absent optionals next to present
ones, aware datetimes with microseconds, every enum member, empty and long tuples.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from adapters.cis import port as cis
from adapters.meters import port as meters
from adapters.oms import port as oms

PORT_MODULES = (cis, oms, meters)

ADDRESS = cis.PostalAddress("12 Ridge Rd", "Corrales", "NM", "87048-1234", line2="Unit 4")
CUSTOMER = cis.Customer(
    customer_id="C000123",
    first_name="Ana",
    last_name="Baca",
    billing_address=ADDRESS,
    middle_name="María",
    home_phone="5055550100",
    email="ana@example.org",
)
BARE_CUSTOMER = cis.Customer(
    "C9", "Li", "Wu", cis.PostalAddress("1 Main St", "Bernalillo", "NM", "87004")
)
LOCATION = cis.ServiceLocation(
    location_id="L000456",
    account_number="A000789",
    customer_id="C000123",
    address=ADDRESS,
    rate_class="residential",
    service_status="active",
    is_prepay=False,
    billing_cycle="05",
    last_bill_date=date(2026, 11, 5),
    substation="Corrales",
    feeder="CR-2",
)
NEW_LOCATION = dataclasses.replace(
    LOCATION, location_id="L000457", last_bill_date=None, substation=None, feeder=None
)
METER = cis.Meter("M1001", "SN-77", "Itron", "AMI residential", "L000456")
BARE_METER = cis.Meter("M1002", None, None, None, None)
CHARGE = cis.ChargeLine("Energy charge 812 kWh", Decimal("97.44"), "L000456")
CREDIT = cis.ChargeLine("Capital credit", Decimal("-5.10"))
BILLED_USAGE = cis.BilledUsage(
    meter_no="M1001",
    location_id="L000456",
    previous_reading=Decimal("45210"),
    present_reading=Decimal("46022.0"),
    multiplier=Decimal("1"),
    period_start=date(2026, 10, 1),
    period_end=date(2026, 10, 31),
)
BILL = cis.Bill(
    account_number="A000789",
    bill_date=date(2026, 11, 5),
    period_start=date(2026, 10, 1),
    period_end=date(2026, 10, 31),
    due_date=date(2026, 11, 25),
    prior_balance=Decimal("120.00"),
    payments_received=Decimal("120.00"),
    charges=(CHARGE, CREDIT),
    usage=(BILLED_USAGE, dataclasses.replace(BILLED_USAGE, meter_no=None, location_id=None)),
    balance_after_billing=Decimal("92.34"),
)
BALANCE = cis.Balance(
    account_number="A000789",
    current_amount=Decimal("92.34"),
    past_due_amount=Decimal("0.00"),
    due_date=date(2026, 11, 25),
    last_payment_amount=Decimal("120.00"),
    last_payment_date=date(2026, 10, 20),
    disconnect_date=None,
)
EMPTY_BALANCE = cis.Balance("A1", Decimal("0"), Decimal("-0.00"), None, None, None, None)

MOUNTAIN = timezone(timedelta(hours=-7))
OUTAGE = oms.OutageEvent(
    event_id="E-2026-0042",
    phase=oms.OutagePhase.DISPATCHED,
    cause="tree on line",
    customers_affected=37,
    started_at=datetime(2026, 11, 14, 22, 5, 7, 123456, tzinfo=UTC),
    estimated_restoration=datetime(2026, 11, 15, 2, 0, tzinfo=MOUNTAIN),
    restored_at=None,
    substation="Corrales",
    feeder="CR-2",
    crew="Line crew 3",
)
RESTORED_OUTAGES = tuple(
    dataclasses.replace(
        OUTAGE,
        event_id=f"E-{phase.value}",
        phase=phase,
        cause=None,
        restored_at=datetime(2026, 11, 15, 1, 0, tzinfo=UTC),
        crew=None,
    )
    for phase in oms.OutagePhase
)
OUT_STATUS = oms.LocationOutageStatus("L000456", is_out=True, event=OUTAGE)
ON_STATUS = oms.LocationOutageStatus("L000457", is_out=False, event=None)
CALL = oms.OutageCall(
    location_id="L000456",
    account_number="A000789",
    phone="5055550100",
    caller_name="Ana Baca",
    comment="Heard a bang; lights out",
    reported_at=datetime(2026, 11, 14, 22, 6, tzinfo=UTC),
)
RECEIPT = oms.CallReceipt("E-2026-0042", joined_existing_event=True)

HOURLY = tuple(
    meters.IntervalRead(
        datetime(2026, 11, 14, tzinfo=UTC) + timedelta(hours=hour),
        kwh=0.1 * hour + 1 / 3,
        estimated=hour % 5 == 0,
    )
    for hour in range(24)
)
DAILY = (
    meters.DailyRead(date(2026, 11, 13), 23.456, estimated=False),
    meters.DailyRead(date(2026, 11, 14), 0.0, estimated=True),
)
WEATHER = (meters.DailyWeather(date(2026, 11, 14), high_f=51.8, low_f=-3.5, mean_f=24.15),)

# Every port dataclass, with the examples that must round-trip through the cache codec.
EXAMPLES: dict[type, tuple[object, ...]] = {
    cis.PostalAddress: (ADDRESS, BARE_CUSTOMER.billing_address),
    cis.Customer: (CUSTOMER, BARE_CUSTOMER),
    cis.ServiceLocation: (LOCATION, NEW_LOCATION),
    cis.Meter: (METER, BARE_METER),
    cis.MeterMatch: (cis.MeterMatch(METER, "2000100", "C1"),),
    cis.ChargeLine: (CHARGE, CREDIT),
    cis.LocationCharges: (
        cis.LocationCharges("L000456", (CHARGE,)),
        cis.LocationCharges(None, (CREDIT,)),
    ),
    cis.BilledUsage: (BILLED_USAGE,),
    cis.Bill: (BILL, dataclasses.replace(BILL, charges=(), usage=())),
    cis.Balance: (BALANCE, EMPTY_BALANCE),
    cis.ChangePage: (
        cis.ChangePage(("C1", "C2"), ("2000100",), ("L1",), '{"feed":["7",null,null]}', True),
        cis.ChangePage((), (), (), "0", more=False),
    ),
    cis.ServiceLocationPage: (
        cis.ServiceLocationPage((LOCATION, NEW_LOCATION), "L000457"),
        cis.ServiceLocationPage((), None),
    ),
    oms.OutageEvent: (OUTAGE, *RESTORED_OUTAGES),
    oms.LocationOutageStatus: (OUT_STATUS, ON_STATUS),
    oms.OutageCall: (CALL, oms.OutageCall("L1", "A1", None, None, None, CALL.reported_at)),
    oms.CallReceipt: (RECEIPT,),
    meters.IntervalRead: HOURLY[:3],
    meters.DailyRead: DAILY,
    meters.HourlyReads: (
        meters.HourlyReads.from_rows(HOURLY),
        meters.HourlyReads(),
        # Not what a store reads, but what the codec must keep: NaN, infinity, -0.0.
        meters.HourlyReads(
            (0, 3_600_000_000, 7_200_000_000), (math.nan, -math.inf, -0.0), (True, False, True)
        ),
    ),
    meters.DailyReads: (meters.DailyReads.from_rows(DAILY), meters.DailyReads()),
    meters.DailyWeather: WEATHER,
}


def port_dataclasses() -> set[type]:
    """Every dataclass defined in the adapters' port modules."""
    return {
        cls
        for module in PORT_MODULES
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
    }

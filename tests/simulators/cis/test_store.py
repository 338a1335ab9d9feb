"""The CIS stand-in's database: loaded from the world, exact in cents, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.cis.soap import SoapCis
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.cis.store import (
    accounts,
    balances,
    bill_charges,
    bill_usage,
    bills,
    customers,
    from_cents,
    load_world,
    meters,
    payments,
    service_locations,
    to_cents,
)
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario, cis_endpoint_for


async def table_sizes(engine: AsyncEngine) -> dict[str, int]:
    tables = (
        customers,
        accounts,
        service_locations,
        meters,
        bills,
        bill_charges,
        bill_usage,
        payments,
        balances,
    )
    async with engine.connect() as conn:
        return {
            table.name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            for table in tables
        }


def world_sizes(world: World) -> dict[str, int]:
    return {
        "customers": len(world.customers),
        "accounts": len(world.accounts),
        "service_locations": len(world.locations),
        "meters": len(world.meters),
        "bills": len(world.bills),
        "bill_charges": sum(len(b.charges) for b in world.bills),
        "bill_usage": sum(len(b.usage) for b in world.bills),
        "payments": len(world.payments),
        "balances": len(world.balances),
    }


@pytest.mark.parametrize("amount", ["0.00", "123.45", "-2.14", "100000.01"])
def test_cents_round_trip_exactly(amount: str) -> None:
    assert from_cents(to_cents(Decimal(amount))) == Decimal(amount)
    assert str(from_cents(to_cents(Decimal(amount)))) == amount


def test_fractions_of_a_cent_are_refused() -> None:
    with pytest.raises(ValueError, match="whole number of cents"):
        to_cents(Decimal("1.005"))


async def test_loading_the_world_twice_replaces_it(world: World, tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'cis.db'}")
    try:
        await load_world(world, engine)
        await load_world(world, engine)
        sizes = await table_sizes(engine)
        async with engine.connect() as conn:
            charged = (await conn.execute(select(func.sum(bill_charges.c.amount_cents)))).scalar()
    finally:
        await engine.dispose()

    assert sizes == world_sizes(world)
    assert from_cents(charged or 0) == sum((b.amount for b in world.bills), Decimal("0.00"))


async def test_the_stand_in_serves_from_postgresql_alike(
    world: World,
    postgres_database_url: Callable[[], str],
    cis_credentials: MultiSpeakCredentials,
    cis_scenario: CisScenario,
) -> None:
    database_url = postgres_database_url()
    engine = create_async_engine(database_url)
    try:
        await load_world(world, engine)
        assert await table_sizes(engine) == world_sizes(world)
    finally:
        await engine.dispose()
    fake = fake_cis_from_world(world)
    bill = cis_scenario.two_location_bill
    demo = cis_scenario.demo

    app = create_cis_app(database_url=database_url, credentials=cis_credentials)
    async with serve_asgi(app) as base_url:
        cis = await SoapCis.create(
            endpoint=cis_endpoint_for(base_url + SERVICE_PATH, cis_credentials)
        )
        try:
            served_bill = await cis.get_bill(bill.account_number, bill.bill_date)
            found = await cis.find_customers_by_name(first_name=None, last_name=demo.last_name[:2])
            locations = await cis.get_service_locations_by_customer(demo.customer_id)
        finally:
            await cis.aclose()

    assert served_bill == await fake.get_bill(bill.account_number, bill.bill_date)
    assert found == await fake.find_customers_by_name(first_name=None, last_name=demo.last_name[:2])
    assert locations == await fake.get_service_locations_by_customer(demo.customer_id)

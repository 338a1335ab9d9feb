"""The CIS read contract (`adapters.cis.contract`) for the fake, and for the SOAP adapter
against the CIS stand-in.

Both hold the shared world, so they answer alike; the last tests here compare them
directly, account by account.
"""

from __future__ import annotations

import asyncio
from datetime import date

from adapters.cis.contract import *  # noqa: F403
from adapters.cis.port import CisPort
from adapters.cis.soap import SoapCis
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World


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

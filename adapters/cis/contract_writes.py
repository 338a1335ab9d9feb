"""The contract every `CisPort` keeps when changing contact details, and its change feed.

A pytest suite for any implementation. It needs two fixtures: `cis`, the
implementation under test, which these tests change (give each test a CIS of its
own, never a production one), and `cis_facts`, the `CisContractFacts` of the read
suite (`adapters.cis.contract`) for what that CIS holds before the test. Run it by
importing it into a test module that has both fixtures:

    from adapters.cis.contract_writes import *  # noqa: F403
"""

from __future__ import annotations

import pytest

from adapters.cis.contract import CisContractFacts
from adapters.cis.port import CisFault, CisNotFound, CisPort, PostalAddress

__all__ = [
    "test_a_changed_customer_is_reported_once",
    "test_a_string_that_is_no_cursor_is_a_value_error",
    "test_changes_before_the_start_are_not_reported",
    "test_new_numbers_email_and_address_are_kept_as_the_cis_keeps_them",
    "test_none_clears_a_number_or_the_email_and_keeps_the_address",
    "test_refused_changes_are_faults_and_change_nothing",
    "test_starting_from_now_reports_nothing_and_gives_a_cursor",
    "test_the_same_cursor_reads_the_same_changes_again",
]


async def change_email(cis: CisPort, customer_id: str, email: str) -> None:
    current = await cis.get_customer(customer_id)
    await cis.update_contact(
        customer_id, home_phone=current.home_phone, mobile_phone=current.mobile_phone, email=email
    )


# --- contact changes (ModifyCBDataForCustomer) ----------------------------------------


async def test_new_numbers_email_and_address_are_kept_as_the_cis_keeps_them(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member
    moved = PostalAddress(" 12 Ruta Vieja ", "Edgewood", "NM", "87015", line2="")

    updated = await cis.update_contact(
        member.customer_id,
        home_phone="(505) 555-0100",
        mobile_phone="505.555.0199",
        email="maria@example.org",
        billing_address=moved,
    )

    assert updated == await cis.get_customer(member.customer_id)
    assert (updated.home_phone, updated.mobile_phone) == ("5055550100", "5055550199")
    assert updated.email == "maria@example.org"
    assert updated.billing_address == PostalAddress("12 Ruta Vieja", "Edgewood", "NM", "87015")
    assert (updated.first_name, updated.last_name) == (member.first_name, member.last_name)


async def test_none_clears_a_number_or_the_email_and_keeps_the_address(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member
    before = await cis.get_customer(member.customer_id)

    updated = await cis.update_contact(
        member.customer_id, home_phone=member.home_phone, mobile_phone=None, email=None
    )

    assert updated.home_phone == member.home_phone
    assert updated.mobile_phone is None
    assert updated.email is None
    assert updated.billing_address == before.billing_address


async def test_refused_changes_are_faults_and_change_nothing(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member
    before = await cis.get_customer(member.customer_id)

    with pytest.raises(CisFault, match=cis_facts.faults.phone_without_ten_digits):
        await cis.update_contact(
            member.customer_id, home_phone="555-0100", mobile_phone=None, email=None
        )
    with pytest.raises(CisFault, match=cis_facts.faults.billing_address_without_city):
        await cis.update_contact(
            member.customer_id,
            home_phone=None,
            mobile_phone=None,
            email=None,
            billing_address=PostalAddress("1 Main St", " ", "NM", "87035"),
        )
    with pytest.raises(CisNotFound):
        await cis.update_contact(
            cis_facts.unknown_customer_id, home_phone=None, mobile_phone=None, email=None
        )

    assert await cis.get_customer(member.customer_id) == before


# --- the change feed (changes_since) --------------------------------------------------


async def test_starting_from_now_reports_nothing_and_gives_a_cursor(cis: CisPort) -> None:
    page = await cis.changes_since(None)

    assert page.is_empty
    assert page.more is False
    assert (await cis.changes_since(page.next_cursor)).is_empty


async def test_a_changed_customer_is_reported_once(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    member = cis_facts.member.customer_id
    start = await cis.changes_since(None)

    await change_email(cis, member, "first@example.org")
    await change_email(cis, member, "second@example.org")
    page = await cis.changes_since(start.next_cursor)
    after = await cis.changes_since(page.next_cursor)

    assert (page.customer_ids, page.account_numbers, page.location_ids) == ((member,), (), ())
    assert page.more is False
    assert after.is_empty


async def test_changes_before_the_start_are_not_reported(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    other = cis_facts.more_customers[0].customer_id
    await change_email(cis, cis_facts.member.customer_id, "before@example.org")

    start = await cis.changes_since(None)
    await change_email(cis, other, "after@example.org")
    page = await cis.changes_since(start.next_cursor)

    assert page.customer_ids == (other,)


async def test_the_same_cursor_reads_the_same_changes_again(
    cis: CisPort, cis_facts: CisContractFacts
) -> None:
    start = await cis.changes_since(None)
    await change_email(cis, cis_facts.member.customer_id, "again@example.org")

    first = await cis.changes_since(start.next_cursor)
    second = await cis.changes_since(start.next_cursor)

    assert first == second


async def test_a_string_that_is_no_cursor_is_a_value_error(cis: CisPort) -> None:
    with pytest.raises(ValueError, match="not a CIS change cursor"):
        await cis.changes_since("yesterday")

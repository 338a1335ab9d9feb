"""The CIS stand-in over HTTP: every operation, faults and credentials, in raw SOAP.

Each request and each answer is validated against the schema the CB_Server WSDL
embeds (see `CbWire`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
from lxml import etree

from adapters.cis.fake import METHODS as FAKE_METHODS
from simulators.cis.handlers import METHODS
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario
from tests.simulators.cis.cb_wire import CbWire, children, text

WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/"}


def midnight(day: object) -> datetime:
    return datetime.fromisoformat(f"{day}T00:00:00")


def wire_day(value: str | None) -> str | None:
    return None if value is None else value[:10]


async def test_the_wsdl_is_served_with_its_real_address(cis_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(cis_url + "?wsdl")

    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    assert wsdl.xpath("//wsdl:service/wsdl:port/*/@location", namespaces=WSDL_NS) == [
        cis_url,
        cis_url,
    ]
    operations = {op.get("name") for op in wsdl.findall("wsdl:portType/wsdl:operation", WSDL_NS)}
    assert set(METHODS) <= operations


async def test_get_methods_lists_what_the_stand_in_implements(cis_wire: CbWire) -> None:
    result = await cis_wire.result("GetMethods")

    assert result is not None
    assert [e.text for e in children(result, "string")] == list(METHODS)
    assert METHODS == FAKE_METHODS  # the fake CIS reports the same


async def test_a_customer_carries_names_phones_email_and_billing_address(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    demo = cis_scenario.demo

    result = await cis_wire.result("GetCustomerByCustId", custId=demo.customer_id)

    assert result is not None
    assert result.get("objectID") == demo.customer_id
    assert text(result, "firstName") == demo.first_name
    assert text(result, "lastName") == demo.last_name
    assert demo.home_phone is not None
    assert demo.mobile_phone is not None
    assert (text(result, "homeAc"), text(result, "homePhone")) == (
        demo.home_phone[:3],
        demo.home_phone[3:],
    )
    phones = {
        text(p, "phoneType"): text(p, "phone")
        for p in children(result, "contactInfo/phoneList/phoneNumber")
    }
    assert phones == {"Home": demo.home_phone, "Mobile": demo.mobile_phone}
    assert text(result, "contactInfo/eMailList/eMailAddress/eMail") == demo.email
    assert text(result, "billAddr1") == demo.billing_address.line1
    assert text(result, "billCity") == demo.billing_address.city
    assert text(result, "billState") == demo.billing_address.state
    assert text(result, "billZip") == demo.billing_address.zip_code


async def test_a_business_customer_carries_its_dba_name(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    result = await cis_wire.result("GetCustomerByCustId", custId=cis_scenario.business.customer_id)

    assert result is not None
    assert text(result, "dBAName") == cis_scenario.business.business_name


async def test_a_customer_without_a_mobile_lists_only_the_home_phone(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    customer = cis_scenario.without_mobile

    result = await cis_wire.result("GetCustomerByCustId", custId=customer.customer_id)

    assert result is not None
    kinds = [text(p, "phoneType") for p in children(result, "contactInfo/phoneList/phoneNumber")]
    assert kinds == ["Home"]


async def test_an_unknown_customer_is_an_empty_answer(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    assert (
        await cis_wire.result("GetCustomerByCustId", custId=cis_scenario.unknown_customer) is None
    )


async def test_customers_are_found_by_case_insensitive_name_prefix(
    cis_wire: CbWire, world: World
) -> None:
    expected = sorted(
        (c for c in world.customers if c.last_name.lower().startswith("ba")),
        key=lambda c: (c.last_name, c.first_name, c.customer_id),
    )

    result = await cis_wire.result("GetCustomerByName", lastName="bA")

    assert result is not None
    assert [c.get("objectID") for c in children(result, "customer")] == [
        c.customer_id for c in expected
    ]
    assert len(expected) >= 2  # "Baca" and "Baker" at least


async def test_a_name_search_matching_nobody_is_empty(cis_wire: CbWire) -> None:
    result = await cis_wire.result("GetCustomerByName", firstName="Zebulon", lastName="Q")

    assert result is None or children(result, "customer") == []


async def test_a_name_search_without_names_is_a_fault(cis_wire: CbWire) -> None:
    answer = await cis_wire.send("GetCustomerByName", firstName="  ")

    assert answer.status_code == 500
    assert answer.fault == ("soap:Client", "GetCustomerByName needs a firstName or a lastName")


async def test_service_locations_of_an_account(
    cis_wire: CbWire, world: World, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account
    locations = {loc.location_id: loc for loc in world.locations}
    last_bill = cis_scenario.bills_of(world, account.account_number)[-1]

    result = await cis_wire.result(
        "GetServiceLocationByAccountNumber", accountNumber=account.account_number
    )

    assert result is not None
    found = children(result, "serviceLocation")
    assert [e.get("objectID") for e in found] == list(account.location_ids)
    for element in found:
        location = locations[element.get("objectID") or ""]
        assert text(element, "custID") == account.customer_id
        assert text(element, "accountNumber") == account.account_number
        assert text(element, "servAddr1") == location.address.line1
        assert text(element, "servAddr2") == location.address.line2
        assert text(element, "revenueClass") == location.rate_class.value
        assert text(element, "servStatus") == "Active"
        assert text(element, "billingCycle") == f"{account.cycle_day:02d}"
        assert wire_day(text(element, "billDate")) == last_bill.bill_date.isoformat()
        assert wire_day(text(element, "paymentDueDate")) == (
            (last_bill.bill_date + timedelta(days=20)).isoformat()
        )
        assert text(element, "isPrePay") == "false"
        assert text(element, "network/substationCode") == location.substation
        assert text(element, "network/feeder") == location.feeder


async def test_service_locations_of_a_customer_span_their_accounts(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    result = await cis_wire.result(
        "GetServiceLocationByCustId", custId=cis_scenario.demo.customer_id
    )

    assert result is not None
    assert [e.get("objectID") for e in children(result, "serviceLocation")] == [
        location_id
        for account in cis_scenario.demo_accounts
        for location_id in account.location_ids
    ]


async def test_unknown_keys_give_empty_location_lists(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    by_account = await cis_wire.result(
        "GetServiceLocationByAccountNumber", accountNumber=cis_scenario.unknown_account
    )
    by_customer = await cis_wire.result(
        "GetServiceLocationByCustId", custId=cis_scenario.unknown_customer
    )

    for result in (by_account, by_customer):
        assert result is None or children(result, "serviceLocation") == []


async def test_meters_of_an_account_name_their_service_location(
    cis_wire: CbWire, world: World, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account
    expected = [m for m in world.meters if m.location_id in account.location_ids]

    result = await cis_wire.result("GetMeterByAccountNumber", accountNumber=account.account_number)

    assert result is not None
    found = children(result, "meter")
    assert [text(m, "meterNo") for m in found] == [m.meter_no for m in expected]
    for element, meter in zip(found, expected, strict=True):
        assert text(element, "serialNumber") == meter.serial_number
        assert text(element, "manufacturer") == meter.manufacturer
        assert text(element, "meterType") == meter.meter_type
        assert text(element, "utilityInfo/servLoc") == meter.location_id
        assert text(element, "utilityInfo/accountNumber") == account.account_number


async def test_a_bill_is_one_billing_detail_per_billed_meter_and_one_for_the_account(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    bill = cis_scenario.two_location_bill

    result = await cis_wire.result(
        "GetBillingDetail", accountNumber=bill.account_number, cisBillDate=midnight(bill.bill_date)
    )

    assert result is not None
    details = children(result, "billingDetail")
    assert [(text(d, "servLoc"), text(d, "meterNo")) for d in details] == [
        *((u.location_id, u.meter_no) for u in bill.usage),
        (None, None),
    ]
    for detail in details:
        assert text(detail, "accountNumber") == bill.account_number
        assert wire_day(text(detail, "cisBillDate")) == bill.bill_date.isoformat()
        assert text(detail, "billingCycle") == f"{bill.bill_date.day:02d}"
        assert text(detail, "revenueMonth") == f"{bill.bill_date.month:02d}"
        assert text(detail, "revenueYear") == str(bill.bill_date.year)
        assert Decimal(text(detail, "priorBalance") or "") == bill.prior_balance
        assert Decimal(text(detail, "payment") or "") == bill.payments_received
        assert Decimal(text(detail, "CISBalanceAfterBilling") or "") == bill.balance_after_billing
    lines = [
        (text(item, "description"), Decimal(text(item, "amount") or ""))
        for detail in details
        for item in children(detail, "chargeItemList/chargeItem")
    ]
    assert lines == [(line.description, line.amount) for line in bill.charges]
    # Each location's lines ride on its first detail, which names it; account-level
    # lines (tax) on the last detail, which names no location.
    for detail in details:
        where = text(detail, "servLoc")
        assert [
            text(item, "description") for item in children(detail, "chargeItemList/chargeItem")
        ] == [
            c.description
            for c in bill.charges
            if c.location_id == where and detail is _first_naming(details, where)
        ]
    assert any(c.location_id is None for c in bill.charges)


def _first_naming(details: list[etree._Element], where: str | None) -> etree._Element:
    return next(d for d in details if text(d, "servLoc") == where)


async def test_a_date_without_a_bill_gives_no_billing_details(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    bill = cis_scenario.two_location_bill
    the_day_after = midnight(bill.bill_date + timedelta(days=1))

    result = await cis_wire.result(
        "GetBillingDetail", accountNumber=bill.account_number, cisBillDate=the_day_after
    )

    assert result is None or children(result, "billingDetail") == []


async def test_billed_usage_has_one_item_per_meter_with_reads_and_dates(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    bill = cis_scenario.two_location_bill

    result = await cis_wire.result(
        "GetBilledUsage", accountNumber=bill.account_number, cisBillDate=midnight(bill.bill_date)
    )

    assert result is not None
    items = children(result, "usageItemList/usageItem")
    assert len(items) == len(bill.usage)
    for item, usage in zip(items, bill.usage, strict=True):
        assert text(item, "usageType") == "kWh"
        assert Decimal(text(item, "multiplier") or "") == 1
        assert Decimal(text(item, "previousReading") or "") == usage.previous_reading
        assert Decimal(text(item, "presentReading") or "") == usage.present_reading
        assert wire_day(text(item, "previousReadDate")) == bill.period_start.isoformat()
        assert wire_day(text(item, "presentReadingDate")) == bill.period_end.isoformat()


async def test_billed_usage_for_a_date_without_a_bill_is_empty(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    result = await cis_wire.result(
        "GetBilledUsage",
        accountNumber=cis_scenario.unknown_account,
        cisBillDate=midnight(cis_scenario.two_location_bill.bill_date),
    )

    assert result is None


async def test_payable_items_carry_the_accounts_balance(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    balance = cis_scenario.past_due

    result = await cis_wire.result("GetPayableItemsList", accountNumber=balance.account_number)

    assert result is not None
    (item,) = children(result, "payableItem")
    assert Decimal(text(item, "currentAmount") or "") == balance.current_amount
    assert Decimal(text(item, "pastDueAmount") or "") == balance.past_due_amount
    assert wire_day(text(item, "dueDate")) == str(balance.due_date)
    assert wire_day(text(item, "disconnectDate")) == str(balance.disconnect_date)
    assert Decimal(text(item, "lastPaymentAmount") or "") == balance.last_payment_amount
    assert wire_day(text(item, "lastPaymentDate")) == str(balance.last_payment_date)


async def test_payable_items_of_an_unknown_account_are_empty(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    result = await cis_wire.result(
        "GetPayableItemsList", accountNumber=cis_scenario.unknown_account
    )

    assert result is None or children(result, "payableItem") == []


async def test_modify_cb_data_for_customer_changes_contact_details_visibly(
    cb_wire_to: Callable[[str], CbWire], fresh_cis_url: str, cis_scenario: CisScenario
) -> None:
    wire = cb_wire_to(fresh_cis_url)
    demo = cis_scenario.demo
    change = {
        "customer": [
            {
                "objectID": demo.customer_id,
                "billAddr2": "Apt 4",
                "contactInfo": {
                    "phoneList": {
                        "phoneNumber": [
                            {"phone": "(505) 555-0100", "phoneType": "Home"},
                            {"phone": "505-555-0199", "phoneType": "Mobile"},
                        ]
                    },
                    "eMailList": {"eMailAddress": [{"eMail": "maria@example.org"}]},
                },
            },
            {"objectID": cis_scenario.unknown_customer, "firstName": "Nobody"},
        ]
    }

    errors = await wire.result("ModifyCBDataForCustomer", customerData=change)
    after = await wire.result("GetCustomerByCustId", custId=demo.customer_id)

    assert errors is not None
    assert [(e.get("objectID"), e.get("nounType")) for e in children(errors, "errorObject")] == [
        (cis_scenario.unknown_customer, "customer")
    ]
    assert after is not None
    assert (text(after, "homeAc"), text(after, "homePhone")) == ("505", "5550100")
    phones = {
        text(p, "phoneType"): text(p, "phone")
        for p in children(after, "contactInfo/phoneList/phoneNumber")
    }
    assert phones == {"Home": "5055550100", "Mobile": "5055550199"}
    assert text(after, "contactInfo/eMailList/eMailAddress/eMail") == "maria@example.org"
    assert text(after, "billAddr2") == "Apt 4"
    assert text(after, "lastName") == demo.last_name  # left alone


async def test_modify_cb_data_for_customer_refuses_a_bad_phone_number(
    cb_wire_to: Callable[[str], CbWire], fresh_cis_url: str, cis_scenario: CisScenario
) -> None:
    wire = cb_wire_to(fresh_cis_url)
    demo = cis_scenario.demo
    change = {"customer": [{"objectID": demo.customer_id, "homeAc": "505", "homePhone": "12"}]}

    errors = await wire.result("ModifyCBDataForCustomer", customerData=change)
    after = await wire.result("GetCustomerByCustId", custId=demo.customer_id)

    assert errors is not None
    (error,) = children(errors, "errorObject")
    assert "10 digits" in (error.get("errorString") or "")
    assert after is not None
    assert text(after, "homePhone") == (demo.home_phone or "")[3:]


async def test_wrong_credentials_are_a_fault_that_echoes_nothing(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    wrong = MultiSpeakCredentials(user_id="intruder-7", password="Guess-9999")

    answer = await cis_wire.send(
        "GetCustomerByCustId", custId=cis_scenario.demo.customer_id, credentials=wrong
    )

    assert answer.status_code == 500
    code, message = answer.fault
    assert code == "soap:Client"
    assert "Authentication failed" in message
    for secret in (wrong.user_id, wrong.password, cis_wire.credentials.password):
        assert secret.encode() not in answer.raw


async def test_answers_echo_the_header_without_credentials(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    answer = await cis_wire.send("GetCustomerByCustId", custId=cis_scenario.demo.customer_id)

    assert answer.status_code == 200
    assert cis_wire.credentials.password.encode() not in answer.raw
    assert cis_wire.credentials.user_id.encode() not in answer.raw
    assert b'AppName="cis-tests"' in answer.raw


async def test_requests_and_answers_were_checked_against_the_schema(
    cis_wire: CbWire, cis_scenario: CisScenario
) -> None:
    await cis_wire.result("GetPayableItemsList", accountNumber=cis_scenario.past_due.account_number)

    # request header and body, answer header and body
    assert cis_wire.validated == 4

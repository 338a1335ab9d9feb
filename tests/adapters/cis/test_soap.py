"""What only the SOAP adapter can get wrong: the network, the server's faults, secrets."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from adapters.cis.port import CisFault, CisUnavailable
from adapters.cis.soap import SoapCis
from adapters.multispeak import MultiSpeakEndpoint
from simulators.cis.app import SERVICE_PATH
from simulators.soap import MultiSpeakCredentials
from tests.fixtures.cis import CisScenario, cis_endpoint_for

IMPATIENT_TIMEOUT_S = 0.1


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{SERVICE_PATH}"


async def test_a_server_that_is_down_is_unavailable(
    cis_credentials: MultiSpeakCredentials, cis_scenario: CisScenario
) -> None:
    cis = await SoapCis.create(endpoint=cis_endpoint_for(closed_port_url(), cis_credentials))
    try:
        with pytest.raises(CisUnavailable, match="could not reach"):
            await cis.get_customer(cis_scenario.demo.customer_id)
    finally:
        await cis.aclose()


async def test_a_server_slower_than_the_timeout_is_unavailable(
    slow_cis_url: str, cis_credentials: MultiSpeakCredentials, cis_scenario: CisScenario
) -> None:
    endpoint = cis_endpoint_for(slow_cis_url, cis_credentials, timeout_s=IMPATIENT_TIMEOUT_S)
    cis = await SoapCis.create(endpoint=endpoint)
    try:
        with pytest.raises(CisUnavailable, match=r"no answer within 0\.1 s"):
            await cis.get_balance(cis_scenario.past_due.account_number)
    finally:
        await cis.aclose()


async def test_a_fault_for_wrong_credentials_is_a_cis_fault_without_them(
    cis_url: str, cis_scenario: CisScenario
) -> None:
    endpoint = MultiSpeakEndpoint(url=cis_url, user_id="gateway-cis", password="Wrong-Pass-123")
    cis = await SoapCis.create(endpoint=endpoint)
    try:
        with pytest.raises(CisFault) as raised:
            await cis.get_customer(cis_scenario.demo.customer_id)
    finally:
        await cis.aclose()

    message = str(raised.value)
    assert "Authentication failed" in message
    assert "Wrong-Pass-123" not in message
    assert "gateway-cis" not in message
    assert raised.value.__suppress_context__  # the zeep Fault is not shown with it


async def test_credentials_appear_in_no_log_line_even_at_debug(
    cis_endpoint: MultiSpeakEndpoint,
    cis_scenario: CisScenario,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cis = await SoapCis.create(endpoint=cis_endpoint)
    try:
        await cis.get_customer(cis_scenario.demo.customer_id)
        with pytest.raises(CisFault):
            await cis.find_customers_by_name(first_name=None, last_name=None)
    finally:
        await cis.aclose()

    assert caplog.records  # debug logging was on and something was logged
    assert cis_endpoint.password not in caplog.text
    assert cis_endpoint.user_id not in caplog.text


async def test_reprs_do_not_show_credentials(cis_endpoint: MultiSpeakEndpoint) -> None:
    cis = await SoapCis.create(endpoint=cis_endpoint)
    try:
        shown = repr(cis) + repr(cis_endpoint)
    finally:
        await cis.aclose()

    assert cis_endpoint.url in shown
    assert cis_endpoint.password not in shown
    assert cis_endpoint.user_id not in shown


class _Recording(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.actions: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.actions.append(request.headers.get("SOAPAction", ""))
        return await super().handle_async_request(request)


async def test_a_caller_supplied_http_transport_is_used_and_left_open(
    cis_endpoint: MultiSpeakEndpoint, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.past_due.account_number
    async with _Recording() as http:
        cis = await SoapCis.create(endpoint=cis_endpoint, http=http)
        await cis.get_balance(account)
        await cis.aclose()
        again = await SoapCis.create(endpoint=cis_endpoint, http=http)
        try:
            assert (await again.get_balance(account)).account_number == account
        finally:
            await again.aclose()
    assert http.actions == ['"http://www.multispeak.org/Version_3.0/GetPayableItemsList"'] * 2


async def test_the_due_date_follows_the_payment_terms_setting(
    cis_endpoint: MultiSpeakEndpoint, cis_scenario: CisScenario
) -> None:
    source = cis_scenario.two_location_bill
    cis = await SoapCis.create(endpoint=cis_endpoint, payment_terms_days=25)
    try:
        bill = await cis.get_bill(source.account_number, source.bill_date)
    finally:
        await cis.aclose()

    assert (bill.due_date - bill.bill_date).days == 25

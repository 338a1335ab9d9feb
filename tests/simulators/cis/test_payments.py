"""The CIS stand-in's payment operations in raw SOAP: what it refuses, and what it records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.cis import payment_wire as pw
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.cis.store import payment_postings
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import CisScenario, load_cis_database
from tests.simulators.cis.cb_wire import CbWire, children, text

# A test card number (Luhn-valid), as a careless client would send it.
FULL_CARD_NUMBER = "4242424242424242"


def card_transaction(account_number: str, payment_id: str, **card: Any) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "verb": "New",
        "amount": Decimal("40.00"),
        "convenienceFee": Decimal("1.95"),
        "total": Decimal("41.95"),
        "authorizationCode": "A1B2C3",
        "paymentMode": "CreditCard",
        "financialTransactionID": payment_id,
    }
    tender.update(card.pop("tender", {}))
    return {
        "paymentTransaction": [
            {
                "accountNumber": account_number,
                "typeService": "Electric",
                "creditCardPayment": [
                    {
                        "creditCardInfo": {"creditCardNumber": "************4242", **card},
                        "tender": tender,
                    }
                ],
            }
        ]
    }


@pytest_asyncio.fixture
async def stand_in(
    world: World, cis_credentials: MultiSpeakCredentials, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """A stand-in of this test's own: its service URL and its database's URL."""
    database_url = await load_cis_database(world, tmp_path / "cis.db")
    app = create_cis_app(database_url=database_url, credentials=cis_credentials)
    async with serve_asgi(app) as base_url:
        yield base_url + SERVICE_PATH, database_url


@pytest_asyncio.fixture
async def two_step_wire(
    world: World,
    cis_credentials: MultiSpeakCredentials,
    tmp_path: Path,
    cb_wire_to: Callable[[str], CbWire],
) -> AsyncIterator[CbWire]:
    """A stand-in that posts a payment only when it is committed."""
    database_url = await load_cis_database(world, tmp_path / "two-step.db")
    app = create_cis_app(
        database_url=database_url, credentials=cis_credentials, payments_need_commit=True
    )
    async with serve_asgi(app) as base_url:
        yield cb_wire_to(base_url + SERVICE_PATH)


def only_tender(result: Any) -> Any:
    assert result is not None
    return children(result, "paymentTransaction/creditCardPayment/tender")[0]


def extension_items(tender: Any) -> dict[str | None, str | None]:
    return {
        text(item, "extName"): text(item, "extValue")
        for item in children(tender, "extensionsList/extensionsItem")
    }


@pytest.fixture
def wire(cb_wire_to: Callable[[str], CbWire], stand_in: tuple[str, str]) -> CbWire:
    return cb_wire_to(stand_in[0])


@pytest.mark.parametrize(
    ("card", "refusal"),
    [
        ({"creditCardNumber": FULL_CARD_NUMBER}, "creditCardNumber shows 16 digits"),
        ({"creditCardNumber": "4242 42** **** 4242"}, "creditCardNumber shows 10 digits"),
        ({"cardVerificationValue": "123"}, "cardVerificationValue must not be sent"),
        ({"creditCardExpDate": "12/29"}, "creditCardExpDate must not be sent"),
        ({"tender": {"total": Decimal("40.00")}}, "total is not its amount plus its fees"),
        ({"tender": {"amount": Decimal("40.001")}}, "amount must be a whole number of cents"),
        ({"tender": {"amount": Decimal("0")}}, "amount must be more than zero"),
        ({"tender": {"financialTransactionID": " "}}, "needs its financialTransactionID"),
    ],
)
async def test_a_malformed_tender_is_a_fault_and_changes_nothing(
    wire: CbWire, cis_scenario: CisScenario, card: dict[str, Any], refusal: str
) -> None:
    account = cis_scenario.two_location_account.account_number
    before = await wire.result("GetPayableItemsList", accountNumber=account)

    answer = await wire.send(
        "ProcessPaymentTransaction", transactions=card_transaction(account, "pay-1", **card)
    )
    after = await wire.result("GetPayableItemsList", accountNumber=account)

    assert answer.status_code == 500
    code, message = answer.fault
    assert code == "soap:Client"
    assert refusal in message
    assert FULL_CARD_NUMBER not in message
    assert before is not None
    assert after is not None
    assert text(after, "payableItem/currentAmount") == text(before, "payableItem/currentAmount")
    assert text(after, "payableItem/pastDueAmount") == text(before, "payableItem/pastDueAmount")


async def test_a_posting_is_recorded_with_the_masked_number_only(
    wire: CbWire, cis_scenario: CisScenario, stand_in: tuple[str, str]
) -> None:
    account = cis_scenario.two_location_account.account_number

    result = await wire.result(
        "ProcessPaymentTransaction", transactions=card_transaction(account, "pay-2")
    )

    assert result is not None
    tender = children(result, "paymentTransaction/creditCardPayment/tender")[0]
    assert text(tender, "responseCode") == "Success"
    assert tender.get("objectID", "").startswith("R")
    names = [text(item, "extName") for item in children(tender, "extensionsList/extensionsItem")]
    assert names == [pw.POSTED_AT]
    engine = create_async_engine(stand_in[1])
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(payment_postings))).all()
    finally:
        await engine.dispose()
    assert [(r.financial_transaction_id, r.masked_number, r.amount_cents) for r in rows] == [
        ("pay-2", "************4242", 4000)
    ]
    assert rows[0].fee_cents == 195


async def test_a_repeated_financial_transaction_id_is_answered_from_the_first_posting(
    wire: CbWire, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account.account_number
    transactions = card_transaction(account, "pay-3")

    first = await wire.result("ProcessPaymentTransaction", transactions=transactions)
    again = await wire.result("ProcessPaymentTransaction", transactions=transactions)

    assert first is not None
    assert again is not None
    first_tender = children(first, "paymentTransaction/creditCardPayment/tender")[0]
    again_tender = children(again, "paymentTransaction/creditCardPayment/tender")[0]
    assert again_tender.get("objectID") == first_tender.get("objectID")
    extensions = {
        text(item, "extName"): text(item, "extValue")
        for item in children(again_tender, "extensionsList/extensionsItem")
    }
    assert extensions[pw.ALREADY_DONE] == "true"
    assert extensions[pw.POSTED_AT] == text(first_tender, "extensionsList/extensionsItem/extValue")


async def test_a_payment_to_an_unknown_account_is_a_failure_with_its_reason(
    wire: CbWire, cis_scenario: CisScenario
) -> None:
    result = await wire.result(
        "ProcessPaymentTransaction",
        transactions=card_transaction(cis_scenario.unknown_account, "pay-4"),
    )

    assert result is not None
    tender = children(result, "paymentTransaction/creditCardPayment/tender")[0]
    assert text(tender, "responseCode") == "Failure"
    assert tender.get("errorString") == f"unknown account {cis_scenario.unknown_account}"
    assert text(tender, "extensionsList/extensionsItem/extValue") == pw.UNKNOWN_ACCOUNT


async def test_a_two_step_cis_holds_a_payment_until_it_is_committed_as_processed(
    two_step_wire: CbWire, cis_scenario: CisScenario
) -> None:
    account = cis_scenario.two_location_account.account_number
    before = await two_step_wire.result("GetPayableItemsList", accountNumber=account)
    processed = card_transaction(account, "pay-5")
    changed = card_transaction(
        account,
        "pay-5",
        tender={"amount": Decimal("41.00"), "total": Decimal("42.95")},
    )

    held = only_tender(
        await two_step_wire.result("ProcessPaymentTransaction", transactions=processed)
    )
    while_held = await two_step_wire.result("GetPayableItemsList", accountNumber=account)
    refused = only_tender(
        await two_step_wire.result("CommitPaymentTransaction", transactions=changed)
    )
    committed = only_tender(
        await two_step_wire.result("CommitPaymentTransaction", transactions=processed)
    )
    after = await two_step_wire.result("GetPayableItemsList", accountNumber=account)

    assert text(held, "responseCode") == "Success"
    assert pw.POSTED_AT not in extension_items(held)
    assert before is not None
    assert while_held is not None
    assert after is not None
    assert text(while_held, "payableItem/currentAmount") == text(
        before, "payableItem/currentAmount"
    )
    assert text(refused, "responseCode") == "Failure"
    assert extension_items(refused) == {pw.FAILURE_REASON: pw.AMOUNT_MISMATCH}
    assert text(committed, "responseCode") == "Success"
    assert committed.get("objectID") == held.get("objectID")
    assert pw.POSTED_AT in extension_items(committed)
    assert text(after, "payableItem/lastPaymentAmount") == "40.00"

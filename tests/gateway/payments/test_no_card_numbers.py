"""No card number, CVC or full bank account number anywhere the gateway writes.

A whole payment story runs over the real stand-ins: the test cards and bank accounts
tokenized at the processor stand-in, as the member's browser does; card payments that
are approved, declined and refused for insufficient funds; e-checks that settle, that
will be returned and that fail validation; and a client that sends a raw card or bank
account number where a token belongs. Everything the gateway wrote meanwhile is then
scanned: each log record (any logger, any level, with its traceback), each GraphQL
response body, each SOAP envelope the CIS stand-in received, each value of each row
of each table in the gateway's database (outbox errors and payment events included).
Nothing may hold a Luhn-valid run of 13 to 19 digits (`card_number_runs`) or one of
the published test bank account numbers (`adapters.payments.sandbox`).

The processor stand-in itself is left out of the log scan: it is the processor, which
is given the numbers to tokenize them, and stands for a system outside the gateway.
Digits inside an identifier (a processor id, a hash, a uuid) are not read as a card
number: a random run of 13 or more digits passes the Luhn check one time in ten, and
the test would fail at random. The test bank account numbers are searched for
everywhere, identifiers included.

`test_the_scan_finds_a_planted_number` plants numbers in the same channels and shows
the scan reports each one, so a scan that had gone blind would fail there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.payments import sandbox
from adapters.rules.masked_numbers import card_number_runs
from gateway.bootstrap import open_gateway
from gateway.core.metrics import GatewayMetrics
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.worker import outbox_handlers, outbox_runner
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import load_cis_database
from tests.fixtures.payments import PUBLISHABLE_KEY, SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.support import tokenized_card
from tests.gateway.served import StandIns, served
from tests.gateway.support import Member

PASSWORD = "no-card-numbers-pass"
# Worker passes until no payment is still on its way: a few are needed, this is ample.
MAX_WORKER_PASSES = 40

TEST_BANK_ACCOUNTS: Final = (
    sandbox.SETTLING_ACCOUNT,
    sandbox.RETURNED_R01_ACCOUNT,
    sandbox.RETURNED_R02_ACCOUNT,
    sandbox.INVALID_ACCOUNT,
)
# The processor stand-in's loggers: see the module's docstring.
STAND_IN_LOGGERS: Final = ("simulators.payments",)
OUR_LOGGERS: Final = ("gateway", "adapters")

PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename
  ... on PaymentAccepted { payment { id status method { label } } }
  ... on PaymentDeclined { reason payment { id status } }
  ... on ValidationError { message }
} }
"""
PAYMENTS = """
query Payments($number: String!) { account(number: $number) { ... on Account {
  payments(first: 20) { edges { node { id status amount method { label } } } } } } }
"""


# A word made of letters, digits and underscores with at least one letter or underscore:
# an id ("db_00001848422919"), a hex hash or a uuid. Its digits are not a number
# written out, and a run inside one passes the Luhn check one time in ten.
IDENTIFIER: Final = re.compile(r"\b[0-9]*[A-Za-z_][0-9A-Za-z_]*\b")


def numbers_in(content: str) -> list[str]:
    """The card numbers in `content`, once identifiers are set aside."""
    return card_number_runs(IDENTIFIER.sub(" ", content))


def leaks(channels: Mapping[str, Iterable[str]]) -> list[str]:
    """Where a card number or a test bank account number shows, one line per finding
    (naming the channel and the kind of number, never the number itself)."""
    found = []
    for channel, texts in channels.items():
        for index, content in enumerate(texts):
            if numbers_in(content):
                found.append(f"{channel}[{index}]: a Luhn-valid card number")
            if any(account in content for account in TEST_BANK_ACCOUNTS):
                found.append(f"{channel}[{index}]: a test bank account number")
    return found


class LogCapture(logging.Handler):
    """Every record of the gateway's and the adapters' loggers, DEBUG included, and
    every other library's from INFO, the level a deployment logs them at (below it
    they print object ids, numbers as long as a card's), each formatted with its
    arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(STAND_IN_LOGGERS):
            return
        if record.levelno < logging.INFO and not record.name.startswith(OUR_LOGGERS):
            return
        self.lines.append(self.format(record))


@contextmanager
def capturing_logs() -> Iterator[LogCapture]:
    root = logging.getLogger()
    capture = LogCapture()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


@dataclass
class RequestRecorder:
    """An ASGI app that keeps the body of every HTTP request before passing it on."""

    app: ASGIApp
    bodies: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recorded() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.bodies.append(b"".join(chunks).decode("utf-8", "replace"))
            return message

        await self.app(scope, recorded, send)


@asynccontextmanager
async def recorded_cis(
    world: World, credentials: MultiSpeakCredentials, directory: Path
) -> AsyncIterator[tuple[str, RequestRecorder]]:
    """A CIS stand-in of the test's own that keeps every envelope sent to it."""
    database_url = await load_cis_database(world, directory / "cis-recorded.db")
    recorder = RequestRecorder(create_cis_app(database_url=database_url, credentials=credentials))
    async with serve_asgi(recorder) as base_url:
        yield base_url + SERVICE_PATH, recorder


def every_row_value(database_path: Path) -> list[str]:
    """Each value of each row of each table, as text (JSON columns included)."""
    engine = create_engine(f"sqlite:///{database_path}")
    try:
        values: list[str] = []
        with engine.connect() as connection:
            for name in inspect(connection).get_table_names():
                # Every column, whatever its type: a number in an integer or JSON
                # column is as much a leak as one in a text column.
                rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
                values.extend(
                    f"{name}: {value}" for row in rows for value in row if value is not None
                )
        return values
    finally:
        engine.dispose()


async def tokenized_bank_account(stand_in: PaymentsStandIn, account_number: str) -> str:
    """What the member's browser does for an e-check: the account goes to the processor."""
    async with stand_in.client(PUBLISHABLE_KEY) as browser:
        response = await browser.post(
            "/v1/tokens",
            json={
                "bank_account": {
                    "routing_number": sandbox.TEST_ROUTING_NUMBER,
                    "account_number": account_number,
                    "account_type": "checking",
                    "holder_name": "Dana Member",
                }
            },
        )
    response.raise_for_status()
    token: str = response.json()["id"]
    return token


def test_the_scan_finds_a_planted_number(tmp_path: Path) -> None:
    database = tmp_path / "planted.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"),
            {"body": f"paid from {sandbox.SETTLING_ACCOUNT}"},
        )
    engine.dispose()
    with capturing_logs() as logs:
        logging.getLogger("gateway.payments").warning("charging %s", "4242 4242 4242 4242")
    found = leaks(
        {
            "log": logs.lines,
            "row": every_row_value(database),
            "response": ['{"errors": [{"message": "bad card 4000-0000-0000-0002"}]}'],
            "clean": [
                "Visa ending 4242",
                "************4242",
                "2026-12-03 03:41:22",
                "db_00001848422919",  # a processor id whose digits pass the Luhn check
            ],
        }
    )
    assert found == [
        "log[0]: a Luhn-valid card number",
        "row[1]: a test bank account number",
        "response[0]: a Luhn-valid card number",
    ]
    # The findings name the channel, never the number.
    assert not leaks({"findings": found})


@pytest.mark.usefixtures("standins")
async def test_no_card_or_bank_account_number_anywhere_after_a_payment_story(
    world: World,
    standins: StandIns,
    cis_credentials: MultiSpeakCredentials,
    payments_stand_in: PaymentsStandIn,
    tmp_path: Path,
) -> None:
    database_path = tmp_path / "gateway.db"
    database_url = f"sqlite+aiosqlite:///{database_path}"
    await migrate(database_url)
    number = world.accounts[0].account_number
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email="leaks@example.com", password=PASSWORD, account_numbers=(number,)
        )
    finally:
        await store.aclose()
    member = Member(user_id, "leaks@example.com", PASSWORD, Role.MEMBER, (number,))

    responses: list[str] = []

    async def keep_response(response: httpx.Response) -> None:
        await response.aread()
        responses.append(response.text)

    with capturing_logs() as logs:
        async with recorded_cis(world, cis_credentials, tmp_path) as (cis_url, envelopes):
            settings = standins.settings(
                cis_url=cis_url,
                database_url=database_url,
                jwt_secret=SecretStr("no-card-numbers-secret-" + "n" * 24),
                payments_url=payments_stand_in.url,
                payments_secret_key=SecretStr(SECRET_KEY),
                cache_enabled=False,
                cis_change_poll_s=0,
                worker_retry_base_s=0.01,
                worker_retry_cap_s=0.05,
            )
            async with served(settings) as app:
                app.client.event_hooks["response"].append(keep_response)
                token = await app.sign_in(member)
                methods: list[dict[str, str]] = [
                    {"token": await tokenized_card(payments_stand_in, sandbox.APPROVED_CARD)},
                    {"token": await tokenized_card(payments_stand_in, sandbox.DECLINED_CARD)},
                    {
                        "token": await tokenized_card(
                            payments_stand_in, sandbox.INSUFFICIENT_FUNDS_CARD
                        )
                    },
                    *[
                        {"token": await tokenized_bank_account(payments_stand_in, account)}
                        for account in TEST_BANK_ACCOUNTS
                    ],
                    # A careless client: raw numbers where a token or method id belongs.
                    {"token": sandbox.APPROVED_CARD},
                    {"savedMethodId": sandbox.SETTLING_ACCOUNT},
                ]
                answers = []
                for index, method in enumerate(methods):
                    paid = await app.graphql(
                        PAY,
                        token,
                        input={
                            "accountNumber": number,
                            "amount": "10.00",
                            "method": method,
                            "idempotencyKey": f"leak-{index}",
                            "confirmDuplicate": True,
                        },
                    )
                    answers.append(paid["data"]["payBill"]["__typename"])
                # The tokens were good; the raw numbers were refused.
                assert answers[:7] == ["PaymentAccepted"] * 7, answers
                assert "PaymentAccepted" not in answers[7:], answers

                async with open_gateway(settings, metrics=GatewayMetrics()) as worker:
                    runner = outbox_runner(worker, outbox_handlers(worker))
                    for _ in range(MAX_WORKER_PASSES):
                        await runner.run_once()
                        if not await still_processing(worker.store, number):
                            break
                statuses = await app.graphql(PAYMENTS, token, number=number)
                edges = statuses["data"]["account"]["payments"]["edges"]
                by_status = sorted(edge["node"]["status"] for edge in edges)
                # The story happened: card and e-check payments posted, the others declined.
                assert by_status.count("POSTED") >= 2, by_status
                assert by_status.count("DECLINED") >= 2, by_status

    found = leaks(
        {
            "log": logs.lines,
            "graphql response": responses,
            "soap envelope": envelopes.bodies,
            "gateway row": every_row_value(database_path),
        }
    )
    assert found == [], "\n".join(found)
    # The channels were not empty: the scan looked at the story, not at nothing.
    assert any("PaymentAccepted" in body for body in responses)
    assert any(
        "ProcessPaymentTransaction" in body or "Payment" in body for body in envelopes.bodies
    )
    assert any(line.startswith("gateway") for line in logs.lines)


async def still_processing(store: Any, account_number: str) -> bool:
    page = await payments_store.account_payments(
        store, account_number=account_number, first=50, after=None
    )
    return any(payment.status is PaymentStatus.PROCESSING for payment in page.payments)

"""Two `coop-gateway worker` processes on one PostgreSQL database both scan the payments'
events for the same news, again and again: each payment is confirmed once per contact,
one email each, because the dedupe key decides between them."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import User
from gateway.notifications.tables import DeliveryRow
from gateway.payments.status import PaymentStatus
from gateway.payments.tables import PaymentEventRow, PaymentRow
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import add_user
from tests.gateway.notifications.worker_processes import (
    PATIENCE_S,
    WorkerEnvironment,
    eventually,
    start_worker,
)

PAYMENTS = 6
SCANS_S = 0.1  # each worker looks this often: they race on every event


async def posted_payments(database_url: str) -> list[str]:
    """`PAYMENTS` posted payments, each by a member of its own account; their emails."""
    store = open_store(database_url)
    now = datetime.now(UTC)
    emails = []
    try:
        for n in range(PAYMENTS):
            account = f"77000{n:02d}"
            user_id = await add_user(store, account_numbers=(account,))
            async with store.sessions.begin() as session:
                session.add(
                    PaymentRow(
                        id=f"pay_two_workers_{n}",
                        user_id=user_id,
                        account_number=account,
                        amount=Decimal("25.00"),
                        fee=Decimal("0.00"),
                        method_kind="card",
                        method_label="Visa ending 4242",
                        method_last4="4242",
                        processor_method_id="pm_test",
                        status=PaymentStatus.POSTED.value,
                        idempotency_key=f"two-workers-{n}",
                        created_at=now,
                        updated_at=now,
                        confirmation=f"R{n:08d}",
                        posted_at=now,
                    )
                )
                await session.flush()
                session.add(
                    PaymentEventRow(
                        payment_id=f"pay_two_workers_{n}",
                        at=now,
                        status=PaymentStatus.POSTED.value,
                        detail="posted to the CIS",
                    )
                )
            async with store.sessions() as session:
                emails.append(
                    str(await session.scalar(select(User.email).where(User.id == user_id)))
                )
    finally:
        await store.aclose()
    return emails


async def test_two_workers_confirm_each_payment_once_per_contact(
    postgres_database_url: Callable[[], str],
    smtp_server: SmtpTestServer,
    worker_environment: WorkerEnvironment,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    emails = await posted_payments(database_url)
    environment = worker_environment(database_url, COOP_PAYMENT_NOTICE_INTERVAL_S=str(SCANS_S))
    workers = [await start_worker(environment) for _ in range(2)]
    store = open_store(database_url)

    async def all_sent() -> bool:
        async with store.sessions() as session:
            sent = await session.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "sent")
            )
        return sent == PAYMENTS

    try:
        await eventually(all_sent, interval_s=0.1)
        await asyncio.sleep(1.0)  # ten more scans each: room for a second notice, were one coming
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
                await asyncio.wait_for(worker.wait(), PATIENCE_S)
        async with store.sessions() as session:
            deliveries = await session.scalar(select(func.count()).select_from(DeliveryRow))
        await store.aclose()

    assert deliveries == PAYMENTS
    assert sorted(address for r in smtp_server.received for address in r.envelope_to) == sorted(
        emails
    )
    assert {w.returncode for w in workers} == {0}  # both ran to the end, side by side

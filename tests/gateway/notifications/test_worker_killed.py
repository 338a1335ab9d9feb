"""A worker process killed with SIGKILL while it sends notices: after a second worker
takes over (on PostgreSQL, once the killed one's lease has run out), every notice is
SENT and received, and at most one message was received twice: the one in hand when
the first worker died. The worker runs a batch of ten deliveries at once, and still
has one email at most between the relay's acceptance and its record (the email port's
`record`)."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.core.store.unit_of_work import unit_of_work
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.deliveries import TEST_TYPE, message_key, queue_delivery
from gateway.notifications.tables import ContactRow, DeliveryRow
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import add_user
from tests.gateway.notifications.worker_processes import (
    PATIENCE_S,
    WorkerEnvironment,
    eventually,
    start_worker,
)

NOTICES = 40
KILL_AFTER = 12  # messages received
LEASE_S = 2.0


async def queue_notices(database_url: str) -> dict[int, str]:
    """A test notice to each of `NOTICES` members' email; each delivery's message key."""
    store = open_store(database_url)
    now = datetime.now(UTC)
    keys: dict[int, str] = {}
    try:
        async with unit_of_work(store) as uow:
            for n in range(NOTICES):
                user_id = await add_user(store)
                contact = Contact(
                    id=await _login_contact(store, user_id, f"killed-{n}@example.com", now),
                    user_id=user_id,
                    kind=ContactKind.EMAIL,
                    value=f"killed-{n}@example.com",
                    is_login=True,
                    created_at=now,
                    activated_at=now,
                )
                delivery_id = await queue_delivery(
                    uow,
                    dedupe_key=f"test:killed:{n}",
                    contact=contact,
                    type_=TEST_TYPE,
                    account_number=None,
                    subject="A test message",
                    body=f"Test message {n}.",
                    now=now,
                )
                assert delivery_id is not None
                keys[delivery_id] = message_key(f"delivery:{delivery_id}")
    finally:
        await store.aclose()
    return keys


async def _login_contact(store: GatewayStore, user_id: int, address: str, now: datetime) -> int:
    async with store.sessions.begin() as session:
        row = ContactRow(
            user_id=user_id,
            kind=ContactKind.EMAIL.value,
            value=address,
            is_login=True,
            created_at=now,
            activated_at=now,
            code_serial=0,
        )
        session.add(row)
        await session.flush()
        return row.id


async def unsettled(database_url: str) -> int:
    store = open_store(database_url)
    try:
        async with store.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "queued")
            )
            return int(count or 0)
    finally:
        await store.aclose()


async def test_a_killed_worker_repeats_at_most_the_message_in_hand_and_loses_none(
    postgres_database_url: Callable[[], str],
    smtp_server: SmtpTestServer,
    worker_environment: WorkerEnvironment,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    keys = await queue_notices(database_url)
    environment = worker_environment(
        database_url, COOP_WORKER_BATCH_SIZE="10", COOP_WORKER_LEASE_S=str(LEASE_S)
    )
    first = await start_worker(environment)
    second: asyncio.subprocess.Process | None = None
    try:

        async def enough_received() -> bool:
            return len(smtp_server.received) >= KILL_AFTER

        async def all_settled() -> bool:
            return await unsettled(database_url) == 0

        await eventually(enough_received, interval_s=0.01)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        second = await start_worker(environment)
        await eventually(all_settled, interval_s=0.1)
    finally:
        for worker in (first, second):
            if worker is not None and worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
                await asyncio.wait_for(worker.wait(), PATIENCE_S)

    received = Counter(
        str(email.message["Message-ID"]).strip().strip("<>").partition("@")[0]
        for email in smtp_server.received
    )
    assert set(received) == set(keys.values())  # every notice arrived
    repeated = {key: n for key, n in received.items() if n > 1}
    assert sum(n - 1 for n in repeated.values()) <= 1, repeated
    store = open_store(database_url)
    try:
        async with store.sessions() as session:
            statuses = dict(
                (
                    await session.execute(
                        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
                    )
                ).all()
            )
    finally:
        await store.aclose()
    assert statuses == {"sent": NOTICES}

"""A unit of work writes a record and its outbox entries together, or neither."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gateway.core.outbox import IdempotencyKeyConflict, InvalidOutboxEntry
from gateway.core.outbox.table import OutboxState
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.tables import User
from tests.gateway.core.outbox.support import START, FakeClock, read_rows


class Refused(Exception):
    pass


def member(email: str) -> User:
    return User(email=email, password_hash="-", role="member", created_at=START)


async def users_named(store: GatewayStore, email: str) -> int:
    async with store.sessions() as session:
        count = await session.scalar(select(func.count()).where(User.email == email))
        return count or 0


async def test_a_record_and_its_entry_are_committed_together(store: GatewayStore) -> None:
    async with unit_of_work(store, clock=FakeClock()) as uow:
        uow.session.add(member("payer@example.com"))
        queued = await uow.add_outbox(
            kind="payments.charge",
            payload={"amount": "12.50", "account": "1001"},
            idempotency_key="payment-1-charge",
        )

    assert queued.created
    assert await users_named(store, "payer@example.com") == 1
    [row] = await read_rows(store)
    assert (row.id, row.kind, row.payload, row.idempotency_key) == (
        queued.id,
        "payments.charge",
        {"amount": "12.50", "account": "1001"},
        "payment-1-charge",
    )
    assert (row.state, row.attempts, row.due_at, row.created_at) == (
        OutboxState.PENDING,
        0,
        START,
        START,
    )
    assert (row.lease_until, row.claimed_by, row.finished_at, row.last_error) == (
        None,
        None,
        None,
        None,
    )


async def test_an_error_in_the_block_writes_neither(store: GatewayStore) -> None:
    async def fails_after_writing() -> None:
        async with unit_of_work(store) as uow:
            uow.session.add(member("never@example.com"))
            await uow.add_outbox(kind="payments.charge", payload={}, idempotency_key="p-2")
            await uow.session.flush()  # both rows reached the database before the error
            raise Refused

    with pytest.raises(Refused):
        await fails_after_writing()

    assert await users_named(store, "never@example.com") == 0
    assert await read_rows(store) == []


async def test_a_repeated_idempotency_key_answers_the_entry_already_queued(
    store: GatewayStore,
) -> None:
    async with unit_of_work(store) as uow:
        first = await uow.add_outbox(kind="k", payload={"a": [1, 2]}, idempotency_key="once")
        again_in_the_same_unit = await uow.add_outbox(
            kind="k", payload={"a": (1, 2)}, idempotency_key="once"
        )
    async with unit_of_work(store) as uow:
        again_later = await uow.add_outbox(kind="k", payload={"a": [1, 2]}, idempotency_key="once")

    assert first.created
    assert (again_in_the_same_unit.id, again_in_the_same_unit.created) == (first.id, False)
    assert (again_later.id, again_later.created) == (first.id, False)
    assert [row.id for row in await read_rows(store)] == [first.id]


async def test_the_same_key_for_other_work_is_refused(store: GatewayStore) -> None:
    async with unit_of_work(store) as uow:
        await uow.add_outbox(kind="k", payload={"amount": "1.00"}, idempotency_key="pay-9")

    async def pay_again(*, kind: str, amount: str) -> None:
        async with unit_of_work(store) as uow:
            uow.session.add(member("second@example.com"))
            await uow.add_outbox(kind=kind, payload={"amount": amount}, idempotency_key="pay-9")

    with pytest.raises(IdempotencyKeyConflict, match="pay-9"):
        await pay_again(kind="k", amount="2.00")
    with pytest.raises(IdempotencyKeyConflict):
        await pay_again(kind="other", amount="1.00")

    assert await users_named(store, "second@example.com") == 0
    [row] = await read_rows(store)
    assert row.payload == {"amount": "1.00"}


async def test_concurrent_units_with_one_key_queue_one_entry(store: GatewayStore) -> None:
    first_added = asyncio.Event()
    second_done = asyncio.Event()

    async def first() -> bool:
        async with unit_of_work(store) as uow:
            queued = await uow.add_outbox(kind="k", payload={}, idempotency_key="race")
            first_added.set()
            # Still uncommitted while the second unit adds the same key.
            await asyncio.sleep(0.05)
            assert not second_done.is_set()
        return queued.created

    async def second() -> bool:
        await first_added.wait()
        async with unit_of_work(store) as uow:
            queued = await uow.add_outbox(kind="k", payload={}, idempotency_key="race")
        second_done.set()
        return queued.created

    created = await asyncio.gather(first(), second())

    assert created == [True, False]
    assert len(await read_rows(store)) == 1


async def test_the_commit_hook_runs_only_after_new_entries_are_committed(
    store: GatewayStore,
) -> None:
    calls: list[str] = []

    def woken() -> None:
        calls.append("wake")

    async with unit_of_work(store, on_outbox_committed=woken) as uow:
        uow.session.add(member("no-entry@example.com"))
    assert calls == []

    async def rolled_back() -> None:
        async with unit_of_work(store, on_outbox_committed=woken) as uow:
            await uow.add_outbox(kind="k", payload={}, idempotency_key="rolled-back")
            raise Refused

    with pytest.raises(Refused):
        await rolled_back()
    assert calls == []
    async with unit_of_work(store, on_outbox_committed=woken) as uow:
        await uow.add_outbox(kind="k", payload={}, idempotency_key="kept")
    assert calls == ["wake"]
    async with unit_of_work(store, on_outbox_committed=woken) as uow:
        await uow.add_outbox(kind="k", payload={}, idempotency_key="kept")
    assert calls == ["wake"]  # the repeat queued nothing new


async def test_a_due_time_in_any_zone_is_stored_as_the_same_instant(store: GatewayStore) -> None:
    denver = timezone(timedelta(hours=-7))
    due = datetime(2026, 3, 1, 8, 30, tzinfo=denver)
    async with unit_of_work(store) as uow:
        await uow.add_outbox(kind="k", payload={}, idempotency_key="later", due_at=due)

    [row] = await read_rows(store)
    assert row.due_at == due
    assert row.due_at == datetime(2026, 3, 1, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "key", "due_at"),
    [
        ({"amount": Decimal("1.00")}, "k", None),
        ({"x": float("nan")}, "k", None),
        ({}, "", None),
        ({}, "k" * 201, None),
        ({}, "k", datetime(2026, 1, 1)),  # naive: the point of the case
    ],
    ids=["decimal", "nan", "empty-key", "long-key", "naive-due-at"],
)
async def test_an_entry_the_outbox_cannot_keep_is_refused_before_the_database(
    store: GatewayStore, payload: dict[str, object], key: str, due_at: datetime | None
) -> None:
    with pytest.raises(InvalidOutboxEntry):
        async with unit_of_work(store) as uow:
            await uow.add_outbox(kind="k", payload=payload, idempotency_key=key, due_at=due_at)
    assert await read_rows(store) == []


async def test_the_session_exists_only_inside_the_block(store: GatewayStore) -> None:
    uow = unit_of_work(store)
    with pytest.raises(RuntimeError):
        _ = uow.session
    async with uow:
        pass
    with pytest.raises(RuntimeError, match="once"):
        async with uow:
            pass

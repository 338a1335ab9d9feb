"""The audit log's table on SQLite and PostgreSQL: one INSERT per request, filtered pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from gateway.audit.entries import (
    AuditCursor,
    AuditFilter,
    AuditRecord,
    audit_page,
    write_entries,
)
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def record(minutes: int, account: str, actor: str = "pat@example.com") -> AuditRecord:
    return AuditRecord(
        occurred_at=START + timedelta(minutes=minutes),
        actor_user_id=None,
        actor_email=actor,
        actor_role="staff",
        account_number=account,
        fields=("balance", "customer"),
        operation_name="Lookup",
        client_address="10.0.0.7",
        request_id=f"req-{minutes:04d}",
    )


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GatewayStore]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    else:
        create: Callable[[], str] = request.getfixturevalue("postgres_database_url")
        url = create()
    await migrate(url)
    opened = open_store(url)
    # Three requests; the second read two accounts, so two entries share its time.
    await write_entries(opened, [record(0, "2000100")])
    await write_entries(
        opened, [record(5, "2000100", "lee@example.com"), record(5, "2000113", "lee@example.com")]
    )
    await write_entries(opened, [record(9, "2000113")])
    yield opened
    await opened.aclose()


async def test_entries_come_back_newest_first_as_written(store: GatewayStore) -> None:
    page = await audit_page(store, wanted=AuditFilter(), first=10, after=None)

    assert [(e.request_id, e.account_number) for e in page.entries] == [
        ("req-0009", "2000113"),
        ("req-0005", "2000113"),
        ("req-0005", "2000100"),
        ("req-0000", "2000100"),
    ]
    newest = page.entries[0]
    assert newest.occurred_at == START + timedelta(minutes=9)
    assert newest.fields == ("balance", "customer")
    assert (newest.operation_name, newest.client_address) == ("Lookup", "10.0.0.7")
    assert page.has_next_page is False


async def test_pages_continue_after_the_cursor_even_within_one_instant(
    store: GatewayStore,
) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await audit_page(store, wanted=AuditFilter(), first=1, after=after)
        seen.extend(e.request_id + e.account_number for e in page.entries)
        if not page.has_next_page:
            break
        last = page.entries[-1]
        assert last.id is not None
        after = AuditCursor.decode(AuditCursor(last.occurred_at, last.id).encode())

    assert seen == ["req-00092000113", "req-00052000113", "req-00052000100", "req-00002000100"]


async def test_filters_by_account_actor_and_time(store: GatewayStore) -> None:
    async def ids(wanted: AuditFilter) -> list[str]:
        page = await audit_page(store, wanted=wanted, first=10, after=None)
        return [e.request_id for e in page.entries]

    assert await ids(AuditFilter(account_number="2000100")) == ["req-0005", "req-0000"]
    assert await ids(AuditFilter(actor_email=" LEE@example.com")) == ["req-0005", "req-0005"]
    window = AuditFilter(
        occurred_from=START + timedelta(minutes=5), occurred_to=START + timedelta(minutes=9)
    )
    assert await ids(window) == ["req-0005", "req-0005"]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "bm90IGEgY3Vyc29y",
        "!!",
        "MjAyNi0xMS0wMlQxNTowMDowMHwx",
        "MjAyNi0xMS0wMlQxNTowMDowMCswMDowMHzCsw==",
        "MjAyNi0xMS0wMlQxNTowMDowMCswMDowMHzZow==",
        "MjAyNi0xMS0wMlQxNTowMDowMCswMDowMHwxXzA=",
    ],
)
def test_a_cursor_not_handed_out_is_refused(cursor: str) -> None:
    # The last three end in "³", "٣" and "1_0" after a valid time: ids are ASCII digits.
    with pytest.raises(ValueError):
        AuditCursor.decode(cursor)

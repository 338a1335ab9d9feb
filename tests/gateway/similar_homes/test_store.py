"""The groups as the gateway's database keeps them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gateway.core.store.gateway_store import GatewayStore
from gateway.similar_homes.store import GroupKey, HomeGroup, counted_months, group_in, save_groups
from tests.gateway.core.store.databases import store_on_each_backend

store = store_on_each_backend()
KEY = GroupKey("KEDG", "residential")
SMALL = GroupKey("KEDG", "commercial")
AT = datetime(2026, 11, 2, 3, tzinfo=UTC)


async def test_a_recount_replaces_a_month_and_the_latest_month_is_the_default(
    store: GatewayStore,
) -> None:
    cuts = tuple(float(i) for i in range(1, 100))
    await save_groups(
        store,
        [
            HomeGroup(KEY, date(2026, 9, 1), 25, cuts, AT),
            HomeGroup(KEY, date(2026, 10, 1), 24, cuts, AT),
            HomeGroup(SMALL, date(2026, 10, 1), 3, (), AT),
        ],
    )
    recounted = tuple(c + 0.5 for c in cuts)
    await save_groups(store, [HomeGroup(KEY, date(2026, 10, 1), 26, recounted, AT)])

    latest = await group_in(store, KEY, None)
    september = await group_in(store, KEY, date(2026, 9, 1))
    small = await group_in(store, SMALL, None)

    assert latest == HomeGroup(KEY, date(2026, 10, 1), 26, recounted, AT)
    assert september is not None
    assert september.homes == 25
    assert small == HomeGroup(SMALL, date(2026, 10, 1), 3, (), AT)
    assert await group_in(store, KEY, date(2026, 8, 1)) is None
    assert await group_in(store, GroupKey("KEDG", "irrigation"), None) is None
    assert await counted_months(store) == {date(2026, 9, 1), date(2026, 10, 1)}

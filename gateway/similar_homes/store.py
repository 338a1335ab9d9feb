"""Saving and reading the similar-home groups (`gateway.similar_homes.tables`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from gateway.core.clock import as_utc
from gateway.core.store.dialect_insert import dialect_insert
from gateway.core.store.gateway_store import GatewayStore
from gateway.similar_homes.tables import SimilarHomeGroupRow


@dataclass(frozen=True, slots=True)
class GroupKey:
    station_id: str
    rate_class: str


@dataclass(frozen=True, slots=True)
class HomeGroup:
    """A group's size and cut points in one month (`cuts` empty under the minimum)."""

    key: GroupKey
    month: date  # its first day
    homes: int
    cuts: tuple[float, ...]
    computed_at: datetime


async def save_groups(store: GatewayStore, groups: Sequence[HomeGroup]) -> None:
    """Write each group, replacing what an earlier count of its month kept."""
    if not groups:
        return
    async with store.sessions.begin() as session:
        for group in groups:
            insert = dialect_insert(session, SimilarHomeGroupRow).values(
                station_id=group.key.station_id,
                rate_class=group.key.rate_class,
                month=group.month,
                homes=group.homes,
                cut_points=json.dumps(group.cuts) if group.cuts else None,
                computed_at=group.computed_at,
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["station_id", "rate_class", "month"],
                    set_={
                        "homes": insert.excluded.homes,
                        "cut_points": insert.excluded.cut_points,
                        "computed_at": insert.excluded.computed_at,
                    },
                )
            )


async def group_in(store: GatewayStore, key: GroupKey, month: date | None) -> HomeGroup | None:
    """The group in `month`, or in the latest month counted when `month` is None."""
    where = (SimilarHomeGroupRow.station_id == key.station_id) & (
        SimilarHomeGroupRow.rate_class == key.rate_class
    )
    async with store.sessions() as session:
        if month is None:
            month = await session.scalar(select(func.max(SimilarHomeGroupRow.month)).where(where))
            if month is None:
                return None
        row = await session.scalar(
            select(SimilarHomeGroupRow).where(where & (SimilarHomeGroupRow.month == month))
        )
    if row is None:
        return None
    return HomeGroup(
        key=key,
        month=row.month,
        homes=row.homes,
        cuts=tuple(float(cut) for cut in json.loads(row.cut_points)) if row.cut_points else (),
        computed_at=as_utc(row.computed_at),
    )


async def counted_months(store: GatewayStore) -> set[date]:
    """The months some group was counted in."""
    async with store.sessions() as session:
        found = await session.scalars(select(SimilarHomeGroupRow.month).distinct())
        return set(found)

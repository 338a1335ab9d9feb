"""What the CIS stand-in's GetAllServiceLocations answers, a page at a time.

As MultiSpeak 3.0 pages GetAllXXX (and the change feed, `simulators.cis.feed`): an
answer holds at most `page_size` objects in objectID order, after the request's
`lastReceived` (empty: from the first). The reply header's ObjectsRemaining counts
those still to come and LastSent names the last objectID of this answer; the client
asks again with `lastReceived` = LastSent until ObjectsRemaining is 0. No session is
kept: a location added while a client pages comes in if its id sorts after LastSent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from simulators.cis.store import service_locations


@dataclass(frozen=True, slots=True)
class ListPage:
    object_ids: tuple[str, ...]
    objects_remaining: int

    def header(self) -> dict[str, Any]:
        """The reply's `MultiSpeakMsgHeader` attributes that page the list."""
        attributes: dict[str, Any] = {"ObjectsRemaining": self.objects_remaining}
        if self.object_ids:
            attributes["LastSent"] = self.object_ids[-1]
        return attributes


async def location_page(
    conn: AsyncConnection, last_received: str | None, *, page_size: int
) -> ListPage:
    after: ColumnElement[bool] = (
        true() if not last_received else service_locations.c.location_id > last_received
    )
    ids = tuple(
        (
            await conn.execute(
                select(service_locations.c.location_id)
                .where(after)
                .order_by(service_locations.c.location_id)
                .limit(page_size)
            )
        ).scalars()
    )
    total = (
        await conn.execute(select(func.count()).select_from(service_locations).where(after))
    ).scalar_one()
    return ListPage(object_ids=ids, objects_remaining=total - len(ids))

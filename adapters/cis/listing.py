"""Every service location of the CIS, read page after page through `CisPort`."""

from __future__ import annotations

from typing import Final

from adapters.cis.port import CisFault, CisPort, ServiceLocation

# A co-op of a million service locations is 10,000 pages of a hundred.
MAX_PAGES: Final = 10_000


async def all_service_locations(cis: CisPort) -> list[ServiceLocation]:
    """Each location once, in the CIS's order; `CisFault` if the CIS pages in circles."""
    found: dict[str, ServiceLocation] = {}
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await cis.service_locations_page(cursor)
        fresh = [loc for loc in page.locations if loc.location_id not in found]
        found.update((loc.location_id, loc) for loc in fresh)
        if page.next_cursor is None:
            return list(found.values())
        if not fresh:  # a server that ignores lastReceived would answer forever
            raise CisFault("GetAllServiceLocations repeats itself: no new location on a page")
        cursor = page.next_cursor
    raise CisFault(f"GetAllServiceLocations did not finish within {MAX_PAGES} pages")

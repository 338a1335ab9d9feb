"""Drop cached CIS answers the CIS changed behind the gateway's back, before their TTL.

The gateway's own writes invalidate what they change (`gateway.core.invalidation`), but the
CIS is changed by others too: the co-op's staff, its billing runs, other systems. A
`CisChangeRefresher` follows the CIS's change feed (MultiSpeak GetModifiedCustomers
and GetModifiedServiceLocations, behind `CisPort.changes_since`) and deletes the
entries of every customer and account it reports: the customer, the service locations
by customer and by account, and the account's meters.

With a `CursorStore` (the worker keeps it in the gateway's database), the cursor is
saved after every page and a restarted refresher reads on from it: what the CIS changed
while no worker ran, and what a gateway wrote just before it was killed (before it
dropped its own cache entries), is dropped at the first poll. Without a stored cursor
it starts from "now": the first poll only takes the feed's present position, and what
changed before may stay cached for its TTL (an hour, `policy.REFERENCE_TTL_S`);
replaying the CIS's whole history instead could be a long read and would mostly drop
entries that are long gone.

A page's keys are deleted before the cursor moves past it, so every change is acted on
at least once. A CIS that cannot be reached costs nothing but a log line: the cursor
is kept, the next poll waits twice as long (up to `MAX_BACKOFF_S`), and the feed is
read from where it stopped once the CIS answers again. A CIS that refuses the cursor
(its change log was reset) is followed again from "now". Each server process runs its
own refresher; deleting a key twice is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Final, Protocol

from adapters.cis.port import ChangePage, CisError, CisFault, CisPort
from gateway.core.cache import kinds
from gateway.core.cache.feed_cursor import CursorStore
from gateway.core.cache.keys import key_parts
from gateway.core.cache.port import Cache

logger = logging.getLogger(__name__)

SOURCE: Final = "cis_feed"  # the label of what it drops, in the metrics
SYSTEM: Final = "cis"
MAX_BACKOFF_S: Final = 600.0
# Pages read in one poll at most; a longer backlog is read on by the next polls.
MAX_PAGES_PER_POLL: Final = 50


class RefresherStats(Protocol):
    """Where the refresher reports (implemented by `gateway.core.metrics.GatewayMetrics`)."""

    def change_feed_polled(self, system: str, *, ok: bool) -> None: ...

    def cache_invalidated(self, source: str, *, keys: int) -> None: ...


def stale_keys(page: ChangePage) -> list[str]:
    """The cache keys of what `page` reports changed, built as the loaders build them."""
    keys = []
    for customer_id in page.customer_ids:
        key = key_parts(customer_id)
        keys += [kinds.CUSTOMER.key(key), kinds.SERVICE_LOCATIONS_BY_CUSTOMER.key(key)]
    for account_number in page.account_numbers:
        key = key_parts(account_number)
        keys += [kinds.SERVICE_LOCATIONS_BY_ACCOUNT.key(key), kinds.METERS_BY_ACCOUNT.key(key)]
    return keys


@dataclass(frozen=True, slots=True)
class PollOutcome:
    ok: bool
    dropped: int  # cache keys deleted


class CisChangeRefresher:
    def __init__(
        self,
        cis: CisPort,
        cache: Cache,
        *,
        interval_s: float,
        stats: RefresherStats | None = None,
        cursors: CursorStore | None = None,
    ) -> None:
        if not interval_s > 0:
            raise ValueError("interval_s must be a positive number of seconds")
        self._cis = cis
        self._cache = cache
        self._interval_s = interval_s
        self._stats = stats
        self._cursor: str | None = None
        self._cursors = cursors
        self._loaded = cursors is None
        self._task: asyncio.Task[None] | None = None

    @property
    def cursor(self) -> str | None:
        """Where the next poll reads the feed from; None: from "now"."""
        return self._cursor

    async def poll_once(self) -> PollOutcome:
        """Read what the feed has waiting and drop it from the cache; never raises."""
        dropped = 0
        try:
            if not self._loaded:
                self._cursor = await self._load_cursor()
            for _ in range(MAX_PAGES_PER_POLL):
                page = await self._cis.changes_since(self._cursor)
                keys = stale_keys(page)
                if keys:
                    await self._cache.delete_many(keys)
                    dropped += len(keys)
                # Saved only once the page's keys are gone: at least once, after a crash too.
                if page.next_cursor != self._cursor:
                    await self._save_cursor(page.next_cursor)
                self._cursor = page.next_cursor
                if not page.more:
                    break
        except CisFault as error:
            logger.warning(
                "the CIS refused its change feed cursor; following it from now: %s", error
            )
            self._cursor = None
            await self._save_cursor(None)
            return self._outcome(ok=False, dropped=dropped)
        except CisError as error:
            logger.warning("the CIS change feed could not be read: %s", error)
            return self._outcome(ok=False, dropped=dropped)
        except Exception:
            logger.exception("polling the CIS change feed failed")
            return self._outcome(ok=False, dropped=dropped)
        if dropped:
            logger.info("dropped %d cache entries the CIS changed", dropped)
        return self._outcome(ok=True, dropped=dropped)

    async def _load_cursor(self) -> str | None:
        """The stored cursor, once; None (from "now") when it cannot be read."""
        self._loaded = True
        if self._cursors is None:
            return None
        try:
            return await self._cursors.load()
        except Exception:
            # The feed is still worth following without it: only a restart loses out.
            logger.exception("the stored change feed cursor could not be read; from now")
            return None

    async def _save_cursor(self, cursor: str | None) -> None:
        if self._cursors is None:
            return
        try:
            await self._cursors.save(cursor)
        except Exception:
            logger.exception("the change feed cursor could not be stored; kept in memory")

    def _outcome(self, *, ok: bool, dropped: int) -> PollOutcome:
        if self._stats is not None:
            self._stats.change_feed_polled(SYSTEM, ok=ok)
            self._stats.cache_invalidated(SOURCE, keys=dropped)
        return PollOutcome(ok=ok, dropped=dropped)

    def delay_after(self, failures: int) -> float:
        """Seconds to wait before the next poll, after this many failed polls in a row."""
        if failures <= 0:
            return self._interval_s
        return min(
            self._interval_s * 2.0 ** min(failures, 20), max(self._interval_s, MAX_BACKOFF_S)
        )

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Poll at once (to take the feed's position), then every interval, until `stop`
        is set or the task is cancelled. A poll holds nothing worth finishing, so `stop`
        only ends the wait between polls early."""
        failures = 0
        while stop is None or not stop.is_set():
            outcome = await self.poll_once()
            failures = 0 if outcome.ok else failures + 1
            delay = self.delay_after(failures)
            if stop is None:
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the refresher is already running")
        self._task = asyncio.create_task(self.run(), name="cis-change-refresher")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

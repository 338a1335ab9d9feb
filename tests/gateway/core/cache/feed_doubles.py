"""A fake CIS whose change feed can be made to fail, and that signals each poll."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from adapters.cis.fake import FakeCis
from adapters.cis.port import ChangePage
from simulators.cis.fake_from_world import cis_data_from_world
from simulators.world import World


@dataclass
class FlakyCis(FakeCis):
    """The fake CIS, whose change feed fails with `failure` while one is set."""

    failure: Exception | None = None
    feed_calls: int = 0
    _polled: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def of_world(cls, world: World) -> FlakyCis:
        return cls.from_data(cis_data_from_world(world))

    async def changes_since(self, cursor: str | None) -> ChangePage:
        self.feed_calls += 1
        self._polled.set()
        if self.failure is not None:
            raise self.failure
        return await super().changes_since(cursor)

    async def wait_for_feed_calls(self, count: int) -> None:
        """Until the feed has been asked `count` times in all (five seconds at most)."""
        async with asyncio.timeout(5):
            while self.feed_calls < count:
                self._polled.clear()
                await self._polled.wait()

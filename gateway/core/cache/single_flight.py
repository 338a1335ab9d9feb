"""At most one backend load per cache key at a time, within this process.

When a popular key expires (the outage status of a feeder during a storm), every
request that misses it at once would otherwise ask the backend the same question.
Here the first caller to miss a key starts the load and the others wait for its
result. The load runs in its own task, so a caller that is cancelled (its client went
away) does not cancel the load the other callers are waiting for.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

K = TypeVar("K")
R = TypeVar("R")

Load = Callable[[Mapping[str, K]], Awaitable[Mapping[str, R]]]


class SingleFlight:
    def __init__(self) -> None:
        self._in_flight: dict[str, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        """How many keys are being loaded right now."""
        return len(self._in_flight)

    async def run(self, wanted: Mapping[str, K], load: Load[K, R]) -> dict[str, R | Exception]:
        """Each wanted key's result: joined from a load in flight, or from one `load` call.

        `load` gets only the keys nobody is loading yet and answers for each of them; if
        it raises, every key it was given (and every caller waiting on one) gets the error.
        """
        loop = asyncio.get_running_loop()
        futures: dict[str, asyncio.Future[Any]] = {}
        own: dict[str, K] = {}
        for name, key in wanted.items():
            future = self._in_flight.get(name)
            if future is None:
                future = loop.create_future()
                self._in_flight[name] = future
                own[name] = key
            futures[name] = future
        if own:
            owned = {name: futures[name] for name in own}
            task = asyncio.create_task(self._fill(own, owned, load))
            self._tasks.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._tasks.discard)
        # shield: a waiter that is cancelled must not cancel the shared result.
        return {name: await asyncio.shield(future) for name, future in futures.items()}

    async def _fill(
        self, own: Mapping[str, K], futures: Mapping[str, asyncio.Future[Any]], load: Load[K, R]
    ) -> None:
        try:
            results: Mapping[str, R | Exception] = await load(own)
        except Exception as exc:
            results = dict.fromkeys(own, exc)
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
        finally:
            for name, future in futures.items():
                if self._in_flight.get(name) is future:
                    del self._in_flight[name]
        for name, future in futures.items():
            if not future.done():
                future.set_result(
                    results[name]
                    if name in results
                    else LookupError(f"the load returned no result for {name!r}")
                )


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SingleFlight] = (
    weakref.WeakKeyDictionary()
)


def single_flight_for_loop() -> SingleFlight:
    """The process's shared `SingleFlight` for the running event loop.

    Futures belong to one loop, so each loop gets its own (tests run several loops).
    """
    loop = asyncio.get_running_loop()
    flight = _per_loop.get(loop)
    if flight is None:
        flight = _per_loop[loop] = SingleFlight()
    return flight

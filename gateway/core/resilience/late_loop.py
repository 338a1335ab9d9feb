"""Whether a timeout measured the dependency or this process's own event loop.

`asyncio.timeout(t)` never ends a call before `t`, and on a punctual loop it ends it at
`t`. On an overloaded process (a storm of requests, each with CPU work to do) the loop
runs whatever is due late, by as long as the work queued ahead of it takes: the answer
of a Redis or a backend that replied in a millisecond sits unread in its socket, and the
call ends in a timeout long after `t`. Such a timeout says nothing about the dependency,
and counting it would open its breaker, sending every request of the process to the
fallback (the backends, for the cache), which is more work for a loop already behind.
A timeout whose call waited well past its limit is therefore put down to the loop.

The loop can also be behind without the timeout itself firing late: each step of a call
(the send, each read of the answer, the task waking up) waits its turn behind everything
else that is ready, and on a loop that takes a few hundred milliseconds to come round, a
call's handful of steps add up to seconds, while the timer that ends it is on time. So a
caller whose call timed out can also ask how long the loop takes to come back to it
now (`loop_delay_s`); a delay that is a good share of the timeout puts it down to the
loop as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

# How far past its limit a timed-out call may end and still be the dependency's fault:
# a punctual loop ends it within milliseconds of the limit, a merely busy one (a loaded
# test machine) within a fraction of it; an overloaded one seconds after it.
LATE_SHARE: Final = 0.5
# How long the loop may take to come back to a task, as a share of the timeout, before a
# call's steps (about ten turns of the loop each) are enough to have used the timeout up.
DELAY_SHARE: Final = 0.1


def held_up_by_loop(*, waited_s: float, timeout_s: float, loop_delay_s: float = 0.0) -> bool:
    """True when a call that timed out after `waited_s`, under a `timeout_s` limit, was
    held up by this process's event loop rather than by the dependency it called;
    `loop_delay_s` is the loop's delay measured just after (`loop_delay_s`)."""
    return waited_s > timeout_s * (1 + LATE_SHARE) or loop_delay_s > timeout_s * DELAY_SHARE


async def loop_delay_s(clock: Callable[[], float]) -> float:
    """How long the event loop takes to come back to a task that yields now: the work
    queued ahead of it, which every step of every call here waits behind too."""
    started = clock()
    await asyncio.sleep(0)
    return clock() - started

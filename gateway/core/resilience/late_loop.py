"""Whether a timeout measured the dependency or this process's own event loop.

`asyncio.timeout(t)` never ends a call before `t`, and on a punctual loop it ends it at
`t`. On an overloaded process (a storm of requests, each with CPU work to do) the loop
runs whatever is due late, by as long as the work queued ahead of it takes: the answer
of a Redis or a backend that replied in a millisecond sits unread in its socket, and the
call ends in a timeout long after `t`. Such a timeout says nothing about the dependency,
and counting it would open its breaker, sending every request of the process to the
fallback (the backends, for the cache), which is more work for a loop already behind.
A timeout whose call waited well past its limit is therefore put down to the loop.
"""

from __future__ import annotations

from typing import Final

# How far past its limit a timed-out call may end and still be the dependency's fault:
# a punctual loop ends it within milliseconds of the limit, a merely busy one (a loaded
# test machine) within a fraction of it; an overloaded one seconds after it.
LATE_SHARE: Final = 0.5


def held_up_by_loop(*, waited_s: float, timeout_s: float) -> bool:
    """True when a call that timed out after `waited_s`, under a `timeout_s` limit, was
    held up by this process's event loop rather than by the dependency it called."""
    return waited_s > timeout_s * (1 + LATE_SHARE)

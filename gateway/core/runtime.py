"""Tuning of the Python runtime for a serving process.

The cyclic garbage collector runs its youngest pass every 700 net allocations by
default. A warm request builds thousands of short-lived objects, and the decoded
answers kept in front of the shared cache (`gateway.core.cache.near`) are tens of
thousands more that live for seconds, so the default makes passes frequent and the
full passes, which walk every one of them, long (about 100 ms with a year of hourly
reads in memory). A larger first threshold makes them rare; almost everything the
gateway allocates is freed by reference counting anyway. Objects made while starting
(modules, the schema, and what opening the gateway made: zeep's parsed WSDLs alone are
some 40,000 objects) are moved out of the collector's sight with `gc.freeze`, so that
a full pass, when one comes, walks only what requests made.
"""

from __future__ import annotations

import gc


def tune_garbage_collector(gen0_threshold: int) -> None:
    """For a server process, once it has started; 0 keeps Python's thresholds."""
    gc.freeze()
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)

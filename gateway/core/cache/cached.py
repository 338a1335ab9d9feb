"""Read through the cache: one round trip for a batch, the backend only for the misses.

This is what the per-request loaders call. For a batch of keys it reads all of them
with one `get_many`, asks `load_missing` once for the ones the cache did not have (and
no other caller in this process is already loading), writes what came back with one
`set_many` per TTL, and returns the results in key order.

Errors are per key and returned, not raised, like a DataLoader batch answers them.
`NotFound` is cached briefly as a negative entry; other errors (backend down, faults)
are not cached, so the next request tries again. If `load_missing` raises instead of
answering per key, every key it was asked for gets that error, uncached.

Given a `WithNearCache`, its near cache of decoded values is asked before the shared
cache, and keeps what the shared cache answered and what was loaded (see `near`).
Given `writes`, what was loaded is encoded and written after the answer, in a task of
its own (see `background`); without, before it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import TypeVar

from adapters.errors import NotFound
from gateway.core.cache.background import BackgroundWrites
from gateway.core.cache.codec import CodecError
from gateway.core.cache.entry import decode_entry, encode_not_found, encode_value
from gateway.core.cache.keys import CacheKind
from gateway.core.cache.near import WithNearCache
from gateway.core.cache.policy import NOT_FOUND_TTL_S
from gateway.core.cache.port import Cache, CacheStats
from gateway.core.cache.single_flight import SingleFlight, single_flight_for_loop

K = TypeVar("K")
V = TypeVar("V")

logger = logging.getLogger(__name__)

LoadMissing = Callable[[Sequence[K]], Awaitable[Sequence[V | Exception]]]
# A fixed TTL, or one per loaded value (e.g. shorter for usage that includes today).
# A TTL of 0 or less means "do not cache this value".
TtlRule = float | Callable[[K, V], float]


async def load_through_cache(
    cache: Cache,
    *,
    kind: CacheKind[V],
    keys: Sequence[K],
    key_to_str: Callable[[K], str],
    load_missing: LoadMissing[K, V],
    ttl_s: TtlRule[K, V],
    not_found_ttl_s: float = NOT_FOUND_TTL_S,
    flights: SingleFlight | None = None,
    stats: CacheStats | None = None,
    writes: BackgroundWrites | None = None,
) -> list[V | Exception]:
    """The value (or error) for each key, in the order of `keys` (duplicates allowed).

    `key_to_str` must give equal strings exactly for keys that have equal answers
    (see `keys.key_parts`); `load_missing` answers for each key it gets, in order.
    `stats` hears the hits and misses among the distinct keys.
    """
    if not keys:
        return []
    cache_keys = [kind.key(key_to_str(key)) for key in keys]
    wanted: dict[str, K] = {}
    for name, key in zip(cache_keys, keys, strict=True):
        wanted.setdefault(name, key)
    near = cache.near if isinstance(cache, WithNearCache) else None
    results: dict[str, V | Exception] = near.lookup(list(wanted)) if near else {}
    unread = [name for name in wanted if name not in results]
    if unread:
        shared = await _read(cache, kind, unread)
        if near is not None:
            near.keep(shared)
        results.update(shared)
    misses = {name: key for name, key in wanted.items() if name not in results}
    if stats is not None:
        stats.cache_read(kind.name, hits=len(results), misses=len(misses))
    if misses:
        flight = flights if flights is not None else single_flight_for_loop()
        load = partial(
            _load_and_store,
            cache,
            kind=kind,
            load_missing=load_missing,
            ttl_s=ttl_s,
            not_found_ttl_s=not_found_ttl_s,
            writes=writes,
        )
        results.update(await flight.run(misses, load))
    return [results[name] for name in cache_keys]


async def _read(cache: Cache, kind: CacheKind[V], names: list[str]) -> dict[str, V | Exception]:
    try:
        stored = await cache.get_many(names)
    except Exception:
        # Implementations answer misses rather than raise; one that breaks that promise
        # still costs only the cache, not the request.
        logger.exception("Reading %d cache entries of kind %s failed", len(names), kind.name)
        return {}
    found: dict[str, V | Exception] = {}
    for name, data in zip(names, stored, strict=True):
        if data is None:
            continue
        try:
            entry: V | NotFound = decode_entry(kind.codec, data)
        except CodecError as exc:
            logger.warning("Unreadable %s cache entry, loading it again: %s", kind.name, exc)
        else:
            found[name] = entry
    return found


async def _load_and_store(
    cache: Cache,
    misses: Mapping[str, K],
    *,
    kind: CacheKind[V],
    load_missing: LoadMissing[K, V],
    ttl_s: TtlRule[K, V],
    not_found_ttl_s: float,
    writes: BackgroundWrites | None,
) -> dict[str, V | Exception]:
    keys = list(misses.values())
    loaded = await load_missing(keys)
    if len(loaded) != len(keys):
        raise ValueError(
            f"load_missing answered {len(loaded)} results for {len(keys)} keys of {kind.name}"
        )
    results = dict(zip(misses, loaded, strict=True))
    to_keep = _by_ttl(misses, results, ttl_s=ttl_s, not_found_ttl_s=not_found_ttl_s)
    if isinstance(cache, WithNearCache):
        # At once, unencoded: this process's next request finds them even while the
        # shared cache is still being written.
        for ttl, values in to_keep.items():
            cache.near.keep(values, ttl_s=ttl)
    write = _write_shared(cache, kind, to_keep)
    if writes is None:
        await write
    else:
        writes.start(write)
    return results


def _by_ttl(
    misses: Mapping[str, K],
    results: Mapping[str, V | Exception],
    *,
    ttl_s: TtlRule[K, V],
    not_found_ttl_s: float,
) -> dict[float, dict[str, V | NotFound]]:
    """The results worth keeping, grouped by how long: values and not-founds, not errors."""
    kept: defaultdict[float, dict[str, V | NotFound]] = defaultdict(dict)
    for name, result in results.items():
        if isinstance(result, NotFound):
            ttl = not_found_ttl_s
        elif isinstance(result, Exception):
            continue
        else:
            ttl = ttl_s(misses[name], result) if callable(ttl_s) else ttl_s
        if ttl > 0:  # 0 or less: not cached (negative caching may be switched off)
            kept[ttl][name] = result
    return kept


async def _write_shared(
    cache: Cache, kind: CacheKind[V], to_keep: Mapping[float, Mapping[str, V | NotFound]]
) -> None:
    for ttl, values in to_keep.items():
        items: dict[str, bytes] = {}
        for name, value in values.items():
            try:
                items[name] = (
                    encode_not_found(value)
                    if isinstance(value, NotFound)
                    else encode_value(kind.codec, value)
                )
            except CodecError:
                logger.exception("Cannot cache a value of kind %s", kind.name)
        if not items:
            continue
        try:
            await cache.set_many(items, ttl_s=ttl)
        except Exception:
            logger.exception("Writing %d cache entries of kind %s failed", len(items), kind.name)

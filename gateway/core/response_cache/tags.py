"""The names of what an answer was built from: one tag per entity, e.g. `account:1001`.

An answer is tagged with every entity its loaders read (`sources`), and dropped when
any of them is written. The entity cache's keys name the same entities, so a tag can be
read off a cache key (`tag_of_cache_key`): whatever deletes entity entries (the write
services, the worker, the CIS change feed) names the answers to drop with the same call.
"""

from __future__ import annotations

from typing import Final

from gateway.core.cache import kinds
from gateway.core.cache.keys import NAMESPACE, key_parts

ACCOUNT: Final = "account"
CUSTOMER: Final = "customer"
LOCATION: Final = "location"
METER: Final = "meter"
STATION: Final = "station"
OUTAGES: Final = "outages"
LOGIN: Final = "login"

# Which entity each cached kind's key starts with (its first key part).
_ENTITY_OF_KIND: Final = {
    kinds.CUSTOMER.name: CUSTOMER,
    kinds.SERVICE_LOCATIONS_BY_ACCOUNT.name: ACCOUNT,
    kinds.SERVICE_LOCATIONS_BY_CUSTOMER.name: CUSTOMER,
    kinds.METERS_BY_ACCOUNT.name: ACCOUNT,
    kinds.BILL.name: ACCOUNT,
    kinds.BALANCE.name: ACCOUNT,
    kinds.PREPAY_BALANCE.name: ACCOUNT,
    kinds.OUTAGE_STATUS.name: LOCATION,
    kinds.OUTAGE_HISTORY.name: LOCATION,
    kinds.ACTIVE_OUTAGES.name: OUTAGES,
    kinds.HOURLY_READS.name: METER,
    kinds.DAILY_READS.name: METER,
    kinds.WEATHER_STATION.name: LOCATION,
    kinds.DAILY_WEATHER.name: STATION,
}
if set(_ENTITY_OF_KIND) != {kind.name for kind in kinds.ALL_KINDS}:
    raise RuntimeError("every cached kind must name the entity its answers are tagged with")


def entity_tag(kind_name: str, key: str) -> str:
    """The tag of the entity a `kind` entry with this `key` (built by `key_parts`) is about."""
    first_part = key.split(":", 1)[0]  # key_parts escapes ':' inside a part
    return f"{_ENTITY_OF_KIND[kind_name]}:{first_part}"


def tag_of_cache_key(cache_key: str) -> str | None:
    """The tag of an entity cache key (`coop:v{version}:{kind}:{key}`); None if foreign."""
    parts = cache_key.split(":", 3)
    if len(parts) != 4 or parts[0] != NAMESPACE or parts[2] not in _ENTITY_OF_KIND:
        return None
    return entity_tag(parts[2], parts[3])


def login_tag(user_id: int) -> str:
    """Every answer a login was given: dropped whenever that login changes anything."""
    return f"{LOGIN}:{user_id}"


def login_of_tag(tag: str) -> int | None:
    """The user a `login_tag` names; None for any other tag."""
    entity, _, user_id = tag.partition(":")
    if entity != LOGIN or not user_id.isdigit():
        return None
    return int(user_id)


def account_tag(account_number: str) -> str:
    return f"{ACCOUNT}:{key_parts(account_number)}"

"""The entity cache, with every delete also dropping the answers built from those entries.

Whatever invalidates entity entries (the write services through
`gateway.core.invalidation`, the worker after a payment moves, the CIS change feed)
deletes their keys; each key names its entity (`tags.tag_of_cache_key`), so the same
call drops every stored answer tagged with it, in every process. No call site needs to
know the answer cache exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gateway.core.cache.port import Cache
from gateway.core.response_cache.port import AnswerStore
from gateway.core.response_cache.tags import tag_of_cache_key


class AnswersFollowEntities:
    def __init__(self, entities: Cache, answers: AnswerStore) -> None:
        self.entities = entities
        self.answers = answers

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self.entities.get_many(keys)

    async def set_many(self, items: Mapping[str, bytes], *, ttl_s: float) -> None:
        await self.entities.set_many(items, ttl_s=ttl_s)

    async def delete_many(self, keys: Sequence[str]) -> None:
        await self.entities.delete_many(keys)
        tags = {tag for key in keys if (tag := tag_of_cache_key(key)) is not None}
        await self.answers.drop(tags, entity_keys=keys)

    async def ping(self) -> None:
        await self.entities.ping()

    async def aclose(self) -> None:
        await self.entities.aclose()

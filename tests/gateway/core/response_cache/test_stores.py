"""The answer stores' sequence rule, in memory and in a real Redis: an answer built while
one of its tags was dropped is never kept, and a drop finds every answer kept before it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection

import pytest
import pytest_asyncio

from gateway.core.cache import kinds
from gateway.core.cache.keys import key_parts
from gateway.core.response_cache.entry import StoredAnswer, decode_answer
from gateway.core.response_cache.memory import MemoryAnswers
from gateway.core.response_cache.near import NearAnswers, WithNearAnswers
from gateway.core.response_cache.port import UNKNOWN, AnswerStore, Dropped
from gateway.core.response_cache.redis import RedisAnswers
from gateway.core.response_cache.tags import entity_tag, tag_of_cache_key

ANSWER = StoredAnswer(
    body=b'{"data":{"n":1}}', etag='"e1"', charge=3, tags=frozenset({"account:1"})
)


@pytest_asyncio.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, clean_redis: str) -> AsyncIterator[AnswerStore]:
    answers: AnswerStore
    if request.param == "memory":
        answers = MemoryAnswers()
    else:
        answers = RedisAnswers.from_url(clean_redis, socket_timeout_s=2.0)
    yield answers
    await answers.aclose()


async def test_a_kept_answer_is_found_until_one_of_its_tags_is_dropped(store: AnswerStore) -> None:
    before = await store.lookup("k")
    assert before.answer is None
    assert await store.keep(
        "k", ANSWER, tags={"account:1", "login:7"}, ttl_s=30, since=before.since
    )
    assert (await store.lookup("k")).answer == ANSWER

    await store.drop({"account:2"})
    assert (await store.lookup("k")).answer == ANSWER
    await store.drop({"login:7"})
    assert (await store.lookup("k")).answer is None


async def test_an_answer_built_across_a_drop_of_its_tags_is_not_kept(store: AnswerStore) -> None:
    started = await store.lookup("k")
    await store.drop({"account:1"})  # a write while the answer was being built

    assert not await store.keep("k", ANSWER, tags={"account:1"}, ttl_s=30, since=started.since)
    assert (await store.lookup("k")).answer is None
    # Another entity's drop does not stop it.
    again = await store.lookup("k")
    await store.drop({"account:2"})
    assert await store.keep("k", ANSWER, tags={"account:1"}, ttl_s=30, since=again.since)


def test_stored_answers_read_back_as_written() -> None:
    answer = StoredAnswer(
        body=b'{"data":{"a":"x\\ny"}}',
        etag='"abc"',
        charge=40,
        tags=frozenset({"account:1", "login:2"}),
        expires_at=1_800_000_000.5,
        audited={"1001": ("balance", "number")},
    )
    assert decode_answer(answer.encode()) == answer


def test_entity_cache_keys_name_the_entity_their_answers_are_tagged_with() -> None:
    bill = kinds.BILL.key(key_parts("100:1", "2026-10-01"))
    assert tag_of_cache_key(bill) == entity_tag("bill", key_parts("100:1")) == "account:100%3A1"
    assert tag_of_cache_key(kinds.OUTAGE_STATUS.key("L-1")) == "location:L-1"
    assert tag_of_cache_key("ratelimit:x") is None


class Follower:
    """Records what a store tells its followers."""

    def __init__(self) -> None:
        self.forgotten: list[tuple[str, ...]] = []
        self.heard: list[tuple[str, ...]] = []
        self.resets: list[int] = []

    def forget(self, tags: Collection[str]) -> None:
        self.forgotten.append(tuple(tags))

    def hear(self, dropped: Dropped) -> None:
        self.heard.append(dropped.tags)

    def reset(self, sequence: int) -> None:
        self.resets.append(sequence)


async def test_the_in_process_store_tells_its_followers_of_each_drop_as_it_is_made() -> None:
    answers, follower = MemoryAnswers(), Follower()
    answers.follow(follower)
    await answers.drop(["login:7", "account:1"])

    assert follower.resets == [0]  # one process: every drop is heard from the start
    assert follower.heard == [("login:7", "account:1")]


async def test_followers_of_the_shared_store_hear_every_process_drops(clean_redis: str) -> None:
    def layer() -> WithNearAnswers:
        shared = RedisAnswers.from_url(clean_redis, socket_timeout_s=2.0)
        return WithNearAnswers(shared, NearAnswers(ttl_s=2.0))

    mine, other, follower = layer(), layer(), Follower()
    mine.follow(follower)
    assert follower.resets == [UNKNOWN]  # not subscribed yet: hold nothing
    mine.start()
    try:
        async with asyncio.timeout(5):
            while len(follower.resets) < 2:  # noqa: ASYNC110 - the subscription's task
                await asyncio.sleep(0.01)
            assert follower.resets[-1] != UNKNOWN
            await other.drop(["login:8"])
            await mine.drop(["login:9"])
            assert follower.forgotten == [("login:9",)]  # before it went out
            while len(follower.heard) < 2:  # noqa: ASYNC110 - the subscription's task
                await asyncio.sleep(0.01)
        assert follower.heard == [("login:8",), ("login:9",)]
    finally:
        await mine.aclose()
        await other.aclose()
    assert follower.resets[-1] == UNKNOWN

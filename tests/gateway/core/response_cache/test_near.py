"""The near layer: what it keeps, for how long, and what a heard drop takes away."""

from __future__ import annotations

from gateway.core.response_cache.entry import StoredAnswer
from gateway.core.response_cache.near import NearAnswers
from gateway.core.response_cache.port import UNKNOWN, Dropped

NOW = 1_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def answer(*tags: str, expires_at: float = NOW + 30) -> StoredAnswer:
    return StoredAnswer(b"{}", '"e"', 1, tags=frozenset(tags), expires_at=expires_at)


def listening_layer(clock: Clock, *, heard: int = 5) -> NearAnswers:
    near = NearAnswers(ttl_s=10, clock=clock)
    near.reset(heard)
    return near


def test_nothing_is_kept_while_not_subscribed() -> None:
    near = NearAnswers(ttl_s=10, clock=Clock())
    near.keep("k", answer("account:1"), ttl_s=30, since=5)
    assert near.get("k") is None
    assert near.heard == UNKNOWN


def test_an_answer_is_kept_for_the_layers_ttl_and_never_past_its_own_expiry() -> None:
    clock = Clock()
    near = listening_layer(clock)
    near.keep("long", answer("a:1"), ttl_s=30, since=5)
    near.keep("short", answer("a:1", expires_at=NOW + 3), ttl_s=30, since=5)
    clock.now = NOW + 4
    assert near.get("long") is not None
    assert near.get("short") is None
    clock.now = NOW + 10
    assert near.get("long") is None


def test_a_heard_drop_forgets_its_tags_and_an_answer_it_overtook_is_not_kept() -> None:
    near = listening_layer(Clock())
    near.keep("mine", answer("account:1", "login:7"), ttl_s=30, since=5)
    near.keep("other", answer("account:2"), ttl_s=30, since=5)

    near.hear(Dropped(sequence=6, tags=("login:7",), entity_keys=()))

    assert near.get("mine") is None
    assert near.get("other") is not None
    assert near.heard == 6
    # Built before drop 6 (since 5), arriving after it: stale, not kept.
    near.keep("mine", answer("login:7"), ttl_s=30, since=5)
    assert near.get("mine") is None
    near.keep("mine", answer("login:7"), ttl_s=30, since=6)
    assert near.get("mine") is not None


def test_a_new_subscription_forgets_everything_kept_before() -> None:
    near = listening_layer(Clock())
    near.keep("k", answer("account:1"), ttl_s=30, since=5)
    near.reset(UNKNOWN)
    assert near.get("k") is None
    assert not near.listening

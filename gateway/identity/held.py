"""Sign-in facts held in this process for a moment, instead of read for every request.

Every signed-in request first confirms that its session still runs and learns its
user (role, email) and linked accounts (`store.viewer_in_session`): on a response
cache hit that query was most of the request's cost. Here its answer is held for
`hold_s` (a second or so) per session, and served to the session's next requests.

A change to those facts does not wait for the hold to end. The store modules announce
every one they commit (`GatewayStore.logins_changed`: a sign-out or revoked session, a
new password, a linked account, a confirmed email) as a drop of the login's tag on the
response cache's channel, which every process hears (Redis pub/sub; in a process
without Redis, the in-process store tells its followers directly): this holder is one
of its followers and forgets the login at once. So that the moment between a change's
commit and its drop being heard cannot leave stale facts held:
- a read that was under way when a change of its login was heard is not held (it may
  have read the store before the change was committed);
- nothing is held or served while the channel is not heard (at start, while Redis is
  away): every request then reads the store, as it would without this holder; and on
  subscribing anew everything held before is forgotten;
- a session's own end (`expires_at`) is checked on every use, however recent the hold;
- the requests of one session that miss at once (when its hold ends under load, all of
  a busy client's connections do) share one read of the store, unless a change of its
  login was heard after that read began.

Anonymous requests, and sessions that have ended, are never held: they read the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from gateway.core.cache.single_flight import single_flight_for_loop
from gateway.core.response_cache.port import UNKNOWN, Dropped
from gateway.core.response_cache.tags import login_of_tag
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import ViewerInSession, viewer_in_session

DEFAULT_MAX_LOGINS: Final = 20_000
# Logins whose last change is remembered (for reads under way); past this, all are
# forgotten and every read under way then is treated as overtaken.
MAX_CHANGED_LOGINS: Final = 100_000


@dataclass(frozen=True, slots=True)
class _Held:
    found: ViewerInSession
    until: float  # on the holder's clock


class HeldSessions:
    """Reads `viewer_in_session` through a short in-process hold; a `DropFollower`."""

    def __init__(
        self,
        *,
        hold_s: float,
        max_logins: int = DEFAULT_MAX_LOGINS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hold_s = hold_s
        self._max_logins = max_logins
        self._clock = clock
        self._held: dict[int, dict[str, _Held]] = {}  # user id -> session id -> facts
        self._changes = 0  # counts changes heard (and resets); a read notes it first
        self._changed_at: dict[int, int] = {}  # user id -> count at its last change
        self._floor = 0  # reads that started before this hold nothing
        self._listening = False

    @property
    def listening(self) -> bool:
        return self._listening

    async def viewer_in_session(
        self, store: GatewayStore, *, user_id: int, session_id: str, now: datetime
    ) -> ViewerInSession | None:
        """As `gateway.identity.store.viewer_in_session`, from the hold when it can."""
        if self._listening:
            held = self._held.get(user_id, {}).get(session_id)
            if held is not None:
                if held.until > self._clock() and held.found.session_expires_at > now:
                    return held.found
                self._drop_session(user_id, session_id)
        # Requests of one session that miss together (its hold just ended) share one
        # read; not one started before a change of its login was heard (the key moves).
        flight = (
            f"viewer:{user_id}:{session_id}:{self._changed_at.get(user_id, UNKNOWN)}:{self._floor}"
        )

        async def read(_: Mapping[str, None]) -> dict[str, ViewerInSession | None]:
            started = self._changes
            found = await viewer_in_session(store, user_id=user_id, session_id=session_id, now=now)
            if found is not None and self._may_hold(user_id, started):
                self._hold(user_id, session_id, found)
            return {flight: found}

        result = (await single_flight_for_loop().run({flight: None}, read))[flight]
        if isinstance(result, Exception):
            raise result
        return result

    def forget(self, tags: Collection[str]) -> None:
        for tag in tags:
            user_id = login_of_tag(tag)
            if user_id is not None:
                self._changed(user_id)

    def hear(self, dropped: Dropped) -> None:
        self.forget(dropped.tags)

    def reset(self, sequence: int) -> None:
        self._held.clear()
        self._changed_at.clear()
        self._changes += 1
        self._floor = self._changes
        self._listening = sequence != UNKNOWN

    def _changed(self, user_id: int) -> None:
        self._held.pop(user_id, None)
        self._changes += 1
        if len(self._changed_at) >= MAX_CHANGED_LOGINS:
            self._changed_at.clear()
            self._floor = self._changes
        self._changed_at[user_id] = self._changes

    def _may_hold(self, user_id: int, started: int) -> bool:
        return (
            self._listening
            and self._floor <= started
            and self._changed_at.get(user_id, UNKNOWN) <= started
        )

    def _hold(self, user_id: int, session_id: str, found: ViewerInSession) -> None:
        sessions = self._held.get(user_id)
        if sessions is None:
            while len(self._held) >= self._max_logins:
                # The login held longest goes first (dicts keep insertion order).
                del self._held[next(iter(self._held))]
            sessions = self._held[user_id] = {}
        sessions[session_id] = _Held(found, self._clock() + self._hold_s)

    def _drop_session(self, user_id: int, session_id: str) -> None:
        sessions = self._held.get(user_id)
        if sessions is not None:
            sessions.pop(session_id, None)
            if not sessions:
                del self._held[user_id]

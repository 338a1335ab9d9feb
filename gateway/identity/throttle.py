"""Sign-in throttling: so many failures per email and address, in a sliding window.

Three budgets, each counting failed attempts in the window:

- per email *from one client address* (tight, 5): guessing one member's password
  from one place gets slow at once;
- per client address across emails (20): spraying one password at many emails too;
- per email across all addresses (loose, 50): a guesser with many addresses still
  gets only so many tries at one login.

The tight budget used to be per email alone, so during a lockout the correct password
was refused too, from anywhere: anyone who knew a member's email could lock them out
for the whole window, again and again, from one address. Now failures from the
attacker's address spend the attacker's budget, and the owner, signing in from their
own address, is let through. Only an attacker with ten or more addresses can still
spend the loose per-email budget; it stays so that such guessing has a ceiling.

The answer depends only on earlier attempts, never on whether the email has a
login, and a throttled attempt is turned away before its password is looked at:
guessing gets slow, and the throttle tells nobody which emails exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.rules.email import normalize_email_address
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import (
    add_attempt,
    attempt_succeeded,
    forget_attempt,
    prune_attempts,
    recent_failures,
)

# Direct calls have no client address; they share one budget.
UNKNOWN_ADDRESS = "unknown"
PRUNE_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    failures_per_email_and_address: int = 5
    failures_per_address: int = 20
    failures_per_email: int = 50
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Admitted:
    """The attempt may check the password; it counts as failed until `succeeded`."""

    attempt_id: int


@dataclass(frozen=True, slots=True)
class Throttled:
    retry_after_seconds: int


class LoginThrottle:
    """One per process: it also prunes attempts too old to count, now and then."""

    def __init__(
        self,
        store: GatewayStore,
        limits: ThrottleLimits | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self.limits = limits or ThrottleLimits()
        self._clock = clock
        self._next_prune_at: datetime | None = None

    async def admit(
        self, *, email: str, client_address: str | None, per_email: int | None = None
    ) -> Admitted | Throttled:
        """`per_email` replaces the loose budget per email across addresses, for callers
        whose secret is guessable enough to need a tight one wherever guesses come from."""
        now = self._clock()
        await self._prune(now)
        email = normalize_email_address(email)
        address = client_address or UNKNOWN_ADDRESS
        # Recorded before counting, so that concurrent guesses see each other.
        attempt_id = await add_attempt(self._store, email=email, client_address=address, now=now)
        since = now - self.limits.window
        limits = self.limits
        by_pair = await recent_failures(
            self._store,
            since=since,
            limit=limits.failures_per_email_and_address + 1,
            email=email,
            client_address=address,
        )
        by_address = await recent_failures(
            self._store, since=since, limit=limits.failures_per_address + 1, client_address=address
        )
        email_budget = limits.failures_per_email if per_email is None else per_email
        by_email = await recent_failures(
            self._store, since=since, limit=email_budget + 1, email=email
        )
        wait = max(
            self._wait(by_pair, limits.failures_per_email_and_address, now),
            self._wait(by_address, limits.failures_per_address, now),
            self._wait(by_email, email_budget, now),
        )
        if wait == 0:
            return Admitted(attempt_id)
        # A turned-away attempt does not count: it would only lengthen the wait.
        await forget_attempt(self._store, attempt_id)
        return Throttled(retry_after_seconds=wait)

    async def succeeded(self, admitted: Admitted) -> None:
        await attempt_succeeded(self._store, admitted.attempt_id)

    def _wait(self, failures: list[datetime], allowed: int, now: datetime) -> int:
        """Whole seconds until one more attempt is admitted; 0 for now.

        `failures` are the newest first and include this attempt's own, so the
        earlier ones are `failures[1:]`: the attempt waits until the oldest of the
        `allowed` newest earlier failures has left the window.
        """
        if len(failures) <= allowed:
            return 0
        leaves_window_at = failures[allowed] + self.limits.window
        return max(1, math.floor((leaves_window_at - now).total_seconds()) + 1)

    async def _prune(self, now: datetime) -> None:
        if self._next_prune_at is not None and now < self._next_prune_at:
            return
        self._next_prune_at = now + PRUNE_INTERVAL
        await prune_attempts(self._store, before=now - self.limits.window)

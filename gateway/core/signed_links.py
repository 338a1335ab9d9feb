"""Short-lived links that carry their own authority: a path, its parameters, who may
use it and until when, signed with HMAC-SHA256.

A browser follows a download link without the access token (it is in the page's
memory, not a cookie), so the link itself says whose it is: the user and the sign-in
session it was made for, and when it stops working. Whoever follows it is still
checked as that user (the route asks the account policy again, and the session must
still run); the signature only proves the gateway wrote those facts, and the expiry
limits how long a link copied into a log or a chat is worth anything.

What is signed is the path and every parameter but the signature, sorted, so that
neither a parameter added, dropped nor changed, nor the link moved to another path,
still verifies. The key never appears in a link, an error or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlencode

from adapters.rules.numbers import parse_natural
from gateway.core.clock import Clock, utc_now

LINK_TTL: Final = timedelta(minutes=5)
SIGNATURE: Final = "sig"
USER: Final = "u"
SESSION: Final = "s"
EXPIRES: Final = "e"
_RESERVED: Final = frozenset({SIGNATURE, USER, SESSION, EXPIRES})
# Whoever derives a key from another secret names what it is for (key separation).
_DERIVATION_LABEL: Final = b"coop-gateway signed links v1"


class LinkRefused(Exception):
    """The link is not one this gateway signed, was altered, or has expired. The
    message is for logs; clients get one answer for all of these."""


@dataclass(frozen=True, slots=True)
class LinkHolder:
    """Who a link was made for, as its signature vouches."""

    user_id: int
    session_id: str | None  # None for links made in-process, without a session


def derived_key(secret: bytes) -> bytes:
    """A key for links from another secret, unusable for what that secret signs."""
    return hmac.new(secret, _DERIVATION_LABEL, hashlib.sha256).digest()


class LinkSigner:
    """Signs and verifies links; `origin` ("https://gw.example.coop", or "" for links
    relative to wherever they are followed) is put in front of the links it makes,
    and is not signed: a link works at any address that reaches the same gateway."""

    def __init__(
        self,
        key: bytes,
        *,
        ttl: timedelta = LINK_TTL,
        clock: Clock = utc_now,
        origin: str = "",
    ) -> None:
        if len(key) < 32:
            raise ValueError("a link signing key has at least 32 bytes")
        self._key = key
        self.ttl = ttl
        self._clock = clock
        self.origin = origin.rstrip("/")

    def for_origin(self, origin: str) -> LinkSigner:
        """The same signer, making links that start with `origin`."""
        return LinkSigner(self._key, ttl=self.ttl, clock=self._clock, origin=origin)

    def lasting(self, ttl: timedelta) -> LinkSigner:
        """The same signer, making links that work for `ttl`. Safe with one key: each
        link's expiry and path are signed, so no link can be made to last longer or
        to serve another route."""
        return LinkSigner(self._key, ttl=ttl, clock=self._clock, origin=self.origin)

    def sign(self, path: str, params: Mapping[str, str], *, holder: LinkHolder) -> str:
        """`path?params&u=..&s=..&e=..&sig=..`, usable by `holder` for `ttl` from now."""
        reserved = _RESERVED & set(params)
        if reserved:
            raise ValueError(f"parameters {sorted(reserved)} are the link's own")
        expires = int((self._clock() + self.ttl).timestamp())
        signed = {**params, USER: str(holder.user_id), EXPIRES: str(expires)}
        if holder.session_id is not None:
            signed[SESSION] = holder.session_id
        signed[SIGNATURE] = self._signature(path, signed)
        return f"{self.origin}{path}?{urlencode(sorted(signed.items()))}"

    def verify(self, path: str, params: Mapping[str, str]) -> LinkHolder:
        """Who may use the link at `path` with `params` (its query), or `LinkRefused`."""
        given = params.get(SIGNATURE)
        if not given:
            raise LinkRefused("the link has no signature")
        rest = {name: value for name, value in params.items() if name != SIGNATURE}
        if not hmac.compare_digest(self._signature(path, rest), given):
            raise LinkRefused("the signature does not match")
        # Signed, so written by this gateway: still checked, as a new kind of link
        # or a bug must not turn into an internal error.
        user_id = parse_natural(rest.get(USER, ""))
        expires = parse_natural(rest.get(EXPIRES, ""), max_digits=12)
        if user_id is None or expires is None:
            raise LinkRefused("the link names no user or expiry")
        if self._clock() >= datetime.fromtimestamp(expires, UTC):
            raise LinkRefused("the link has expired")
        return LinkHolder(user_id=user_id, session_id=rest.get(SESSION))

    def _signature(self, path: str, params: Mapping[str, str]) -> str:
        message = path.encode() + b"?" + urlencode(sorted(params.items())).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

"""Signed HTTP bodies: how a provider proves a webhook or callback is its own.

The scheme the payment processor's webhooks and the SMS provider's callbacks share:

    <Name>-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The HMAC is over the raw bytes (not re-serialised JSON), which proves the sender; the
timestamp, checked against the clock, stops an old request from being replayed later
(within the tolerance, the receiver ignores an event id it has seen). Signing the body
rather than the URL needs no knowledge of the URL a proxy in front of the receiver
rewrote. Several `v1=` entries pass if one matches, so a secret can be rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Final

DEFAULT_TOLERANCE_S: Final = 300


class SignatureRefused(ValueError):
    """The header does not sign the body, recently, with the secret (the message says
    which, and never repeats the secret or the signature)."""


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes) -> str:
    """The signature header's value for `raw_body` sent at `timestamp`."""
    return f"t={timestamp},v1={signature(secret, timestamp, raw_body)}"


def check_signature(
    secret: str,
    header: str | None,
    raw_body: bytes,
    *,
    now: datetime,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> None:
    """Returns when `header` signs `raw_body` with `secret` within `tolerance_s` of `now`
    (either way); raises `SignatureRefused` for a missing or malformed header, a wrong
    signature, or a timestamp outside the tolerance."""
    if not header:
        raise SignatureRefused("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureRefused("malformed signature header")
    expected = signature(secret, timestamp, raw_body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureRefused("signature does not match")
    if abs(now.timestamp() - timestamp) > tolerance_s:
        raise SignatureRefused("signature timestamp outside the tolerance")

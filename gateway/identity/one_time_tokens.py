"""Secrets sent by email (confirmation and reset links, invitations).

The member gets the token; the store keeps only its SHA-256, so a copy of the
database opens no link. The tokens carry 256 random bits: a fast hash is enough, as
nobody can guess one to try against it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

CONFIRM_EMAIL_TTL = timedelta(hours=24)
RESET_PASSWORD_TTL = timedelta(minutes=30)
INVITATION_TTL = timedelta(days=7)
# Longer than any token this module makes; longer input is not hashed at all.
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """43 URL-safe characters (32 random bytes)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str) -> bool:
    """Worth looking up: not empty, not absurdly long."""
    return 0 < len(token.strip()) <= MAX_TOKEN_LENGTH


def message_key(purpose: str, hashed: str) -> str:
    """An email's idempotency key (it ends up in logs and the Message-ID): never the token."""
    return f"{purpose}.{hashed[:24]}"

"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Hashing and verifying are deliberately slow, so they run in a worker thread and
never block the event loop.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


async def verify_against_nothing(password: str) -> None:
    """Spend the time a real verification takes, for logins with an unknown email.

    Without it, how fast "wrong email" fails would tell an attacker which emails
    have portal logins.
    """
    await asyncio.to_thread(_verify, _dummy_hash(), password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no user has this password; it only costs time")

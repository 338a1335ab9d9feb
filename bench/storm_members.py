"""The storm's members: a portal login for each account, signed in, in one transaction.

Signing 2,000 members in through `login` would measure argon2 (tens of milliseconds of
CPU each, on the machine the storm runs on) before the storm even starts. Instead each
member gets what a sign-in leaves behind: a user row holding one precomputed password
hash, the account linked as its holder, a running session, and an access token signed
by the gateway's own `TokenIssuer` under the gateway's settings. Every request then
goes through the same verification as after a real login: the signature, the expiry,
and the session still running in the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from pydantic import SecretStr
from sqlalchemy import insert

from gateway.core.store.open import open_store
from gateway.identity.passwords import hash_password
from gateway.identity.tables import LoginSession, Role, User, UserAccount
from gateway.identity.tokens import TokenIssuer

MAIL_DOMAIN: Final = "storm.bench"
SESSION_LIFETIME: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Member:
    email: str
    account_number: str
    token: str = field(repr=False)


def member_email(number: int) -> str:
    return f"member{number}@{MAIL_DOMAIN}"


async def signed_in_members(
    database_url: str,
    account_numbers: Sequence[str],
    *,
    jwt_secret: str,
    access_token_ttl: timedelta,
) -> list[Member]:
    """A member per account, in the order given, each holding an access token."""
    if len(set(account_numbers)) != len(account_numbers):
        raise ValueError("each member holds an account of its own")
    issuer = TokenIssuer(SecretStr(jwt_secret), ttl=access_token_ttl)
    now = datetime.now(UTC)
    # Nobody signs in with it; it makes the rows what a real login would find.
    password_hash = await hash_password(secrets.token_urlsafe(18))
    emails = [member_email(n) for n in range(len(account_numbers))]
    session_ids = [secrets.token_hex(16) for _ in account_numbers]
    store = open_store(database_url)
    try:
        async with store.sessions.begin() as session:
            user_ids = list(
                await session.scalars(
                    insert(User).returning(User.id),
                    [
                        {
                            "email": email,
                            "password_hash": password_hash,
                            "role": Role.MEMBER.value,
                            "created_at": now,
                            "email_confirmed_at": now,
                        }
                        for email in emails
                    ],
                )
            )
            await session.execute(
                insert(UserAccount),
                [
                    {"user_id": user_id, "account_number": number, "linked_at": now}
                    for user_id, number in zip(user_ids, account_numbers, strict=True)
                ],
            )
            await session.execute(
                insert(LoginSession),
                [
                    {
                        "id": session_id,
                        "user_id": user_id,
                        "created_at": now,
                        "last_used_at": now,
                        "expires_at": now + SESSION_LIFETIME,
                        "device_name": "outage storm",
                    }
                    for session_id, user_id in zip(session_ids, user_ids, strict=True)
                ],
            )
    finally:
        await store.aclose()
    return [
        Member(
            email=email,
            account_number=number,
            token=issuer.issue(user_id=user_id, role=Role.MEMBER, session_id=session_id).token,
        )
        for email, number, user_id, session_id in zip(
            emails, account_numbers, user_ids, session_ids, strict=True
        )
    ]

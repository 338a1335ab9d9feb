"""The storm's members: what a sign-in leaves behind, written in one go."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bench.data import sqlite_url
from bench.storm_members import signed_in_members
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.store import running_sessions
from gateway.identity.tokens import TokenIssuer
from gateway.identity.users import account_numbers, find_user_by_email

ACCOUNTS = ["2000100", "2000101", "2000102"]
HOUR = timedelta(hours=1)
SECRET = "a-secret-of-the-gateway-long-enough-for-hs256-0123456789"


async def test_each_member_holds_its_account_and_a_token_the_gateway_accepts(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "gateway.db")
    await migrate(url)

    members = await signed_in_members(url, ACCOUNTS, jwt_secret=SECRET, access_token_ttl=HOUR)

    issuer = TokenIssuer(SecretStr(SECRET), ttl=HOUR)
    store = open_store(url)
    try:
        for member, number in zip(members, ACCOUNTS, strict=True):
            claims = issuer.verify(member.token)
            user = await find_user_by_email(store, member.email)
            assert user is not None
            assert claims.user_id == user.id
            assert await account_numbers(store, user.id) == {number}
            sessions = await running_sessions(store, user_id=user.id, now=issuer.now())
            assert [s.id for s in sessions] == [claims.session_id]
    finally:
        await store.aclose()


async def test_two_members_holding_one_account_are_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "gateway.db")

    with pytest.raises(ValueError, match="account of its own"):
        await signed_in_members(url, ["2000100"] * 2, jwt_secret=SECRET, access_token_ttl=HOUR)

from __future__ import annotations

from gateway.auth.login import login
from gateway.auth.passwords import hash_password, verify_password
from gateway.store.members import GatewayStore
from tests.gateway.conftest import Members
from tests.gateway.support import TOKENS


async def test_the_right_password_gets_a_token_for_the_user(
    gateway_store: GatewayStore, members: Members
) -> None:
    token = await login(
        store=gateway_store,
        tokens=TOKENS,
        email=members.demo.email.upper(),
        password=members.demo.password,
    )
    assert token is not None
    claims = TOKENS.verify(token.token)
    assert (claims.user_id, claims.role) == (members.demo.user_id, members.demo.role)


async def test_wrong_password_and_unknown_email_are_both_just_no(
    gateway_store: GatewayStore, members: Members
) -> None:
    wrong = await login(
        store=gateway_store, tokens=TOKENS, email=members.demo.email, password="guess"
    )
    unknown = await login(
        store=gateway_store, tokens=TOKENS, email="nobody@example.com", password="guess"
    )
    oversized = await login(
        store=gateway_store, tokens=TOKENS, email=members.demo.email, password="x" * 5000
    )
    assert wrong is None
    assert unknown is None
    assert oversized is None


async def test_hashes_are_argon2id_and_salted() -> None:
    first, second = await hash_password("same"), await hash_password("same")
    assert first.startswith("$argon2id$")
    assert first != second
    assert await verify_password(first, "same")
    assert not await verify_password(first, "other")
    assert not await verify_password("not a hash", "same")

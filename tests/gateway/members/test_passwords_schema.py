"""Password reset and change through the schema on the fakes (a database of its own).

The whole path with sessions over HTTP is in tests/gateway/test_registration_flow.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest_asyncio

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import token_hash
from gateway.identity.passwords import hash_password, verify_password
from gateway.identity.users import get_user
from gateway.members.store import TokenPurpose, add_one_time_token
from tests.gateway.members.registration_support import Caller, add_member, token_in

OLD = "the old password of theirs"
NEW = "a brand new passphrase"

REQUEST = """
mutation ($email: String!) { requestPasswordReset(input: {email: $email}) {
  __typename ... on ValidationError { field }
} }
"""
RESET = """
mutation ($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) {
    __typename ... on ValidationError { field message } ... on PasswordChanged { signedOutSessions }
  }
}
"""
CHANGE = """
mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    __typename ... on ValidationError { field } ... on TooManyAttempts { retryAfterSeconds }
  }
}
"""


@pytest_asyncio.fixture(scope="module")
async def old_hash() -> str:
    return await hash_password(OLD)


async def answer(caller: Caller, query: str, field: str, **variables: str) -> dict[str, object]:
    result = await caller.execute(query, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return dict(result.data[field])


async def test_a_reset_link_sets_a_new_password_once(
    anyone: Caller, store: GatewayStore, old_hash: str
) -> None:
    user_id, email = await add_member(store, password_hash=old_hash, account_number="1")

    assert (await answer(anyone, REQUEST, "requestPasswordReset", email=email.upper())) == {
        "__typename": "CheckYourEmail"
    }
    assert anyone.outbox.sent == []  # the worker sends it
    await anyone.deliver()
    [sent] = anyone.outbox.sent
    assert (sent.to, sent.subject) == (email, "Reset your password")
    token = token_in(sent, "/reset-password")

    weak = await answer(anyone, RESET, "resetPassword", token=token, password="password1234")
    done = await answer(anyone, RESET, "resetPassword", token=token, password=NEW)
    again = await answer(anyone, RESET, "resetPassword", token=token, password=NEW + "!")

    # A refused password leaves the link usable.
    assert (weak["__typename"], weak["field"]) == ("ValidationError", "newPassword")
    assert done == {"__typename": "PasswordChanged", "signedOutSessions": 0}
    assert again["__typename"] == "TokenInvalid"
    user = await get_user(store, user_id)
    assert user is not None
    assert await verify_password(user.password_hash, NEW)


async def test_unknown_emails_get_the_same_answer_and_no_mail(anyone: Caller) -> None:
    assert await answer(anyone, REQUEST, "requestPasswordReset", email="no.one@example.net") == {
        "__typename": "CheckYourEmail"
    }
    bad = await answer(anyone, REQUEST, "requestPasswordReset", email="no one")
    assert bad == {"__typename": "ValidationError", "field": "email"}
    await anyone.deliver()
    assert anyone.outbox.sent == []


async def test_reset_links_are_limited_per_hour(anyone: Caller, store: GatewayStore) -> None:
    _, email = await add_member(store, password_hash="x", account_number="1")

    for _ in range(6):
        await answer(anyone, REQUEST, "requestPasswordReset", email=email)
    await anyone.deliver()

    assert len(anyone.outbox.sent) == 5


async def test_an_expired_reset_link_does_nothing(anyone: Caller, store: GatewayStore) -> None:
    user_id, _ = await add_member(store, password_hash="unchanged", account_number="1")
    issued = datetime.now(UTC) - timedelta(minutes=31)
    await add_one_time_token(
        store,
        token_hash=token_hash("expired-reset-token"),
        purpose=TokenPurpose.RESET_PASSWORD,
        user_id=user_id,
        now=issued,
        expires_at=issued + timedelta(minutes=30),
    )

    result = await answer(anyone, RESET, "resetPassword", token="expired-reset-token", password=NEW)

    assert result["__typename"] == "TokenInvalid"
    user = await get_user(store, user_id)
    assert user is not None
    assert user.password_hash == "unchanged"


async def test_changing_needs_the_current_password_and_a_good_new_one(
    anyone: Caller, store: GatewayStore, old_hash: str
) -> None:
    user_id, _ = await add_member(store, password_hash=old_hash, account_number="1")
    member = anyone.as_user(user_id)

    wrong = await answer(member, CHANGE, "changePassword", current="not it at all", new=NEW)
    weak = await answer(member, CHANGE, "changePassword", current=OLD, new="short")
    same = await answer(member, CHANGE, "changePassword", current=OLD, new=OLD)
    done = await answer(member, CHANGE, "changePassword", current=OLD, new=NEW)

    assert [wrong.get("field"), weak.get("field"), same.get("field")] == [
        "currentPassword",
        "newPassword",
        "newPassword",
    ]
    assert done["__typename"] == "PasswordChanged"
    user = await get_user(store, user_id)
    assert user is not None
    assert await verify_password(user.password_hash, NEW)


async def test_guessing_the_current_password_is_throttled(
    anyone: Caller, store: GatewayStore, old_hash: str
) -> None:
    user_id, _ = await add_member(store, password_hash=old_hash, account_number="1")
    member = anyone.as_user(user_id)
    for guess in range(5):
        wrong = await answer(member, CHANGE, "changePassword", current=f"guess {guess}", new=NEW)
        assert wrong["__typename"] == "ValidationError"

    throttled = await answer(member, CHANGE, "changePassword", current=OLD, new=NEW)

    assert throttled["__typename"] == "TooManyAttempts"
    user = await get_user(store, user_id)
    assert user is not None
    assert user.password_hash == old_hash


async def test_changing_needs_a_signed_in_user(anyone: Caller) -> None:
    result = await anyone.execute(CHANGE, current=OLD, new=NEW)

    assert [str((e.extensions or {}).get("code")) for e in result.errors or ()] == [
        "UNAUTHENTICATED"
    ]


SUPERSCRIPTS = "lamp orchard ²³ vivid"  # once an internal error: "²".isdigit(), int("²")


async def test_a_reset_to_a_password_with_superscripts_works(
    anyone: Caller, store: GatewayStore, old_hash: str
) -> None:
    user_id, email = await add_member(store, password_hash=old_hash, account_number="1")
    await answer(anyone, REQUEST, "requestPasswordReset", email=email)
    await anyone.deliver()
    token = token_in(anyone.outbox.sent[0], "/reset-password")

    done = await answer(anyone, RESET, "resetPassword", token=token, password=SUPERSCRIPTS)

    assert done["__typename"] == "PasswordChanged"
    user = await get_user(store, user_id)
    assert user is not None
    assert await verify_password(user.password_hash, SUPERSCRIPTS)


async def test_a_change_to_a_password_with_superscripts_works(
    anyone: Caller, store: GatewayStore, old_hash: str
) -> None:
    user_id, _ = await add_member(store, password_hash=old_hash, account_number="1")
    member = anyone.as_user(user_id)

    done = await answer(member, CHANGE, "changePassword", current=OLD, new=SUPERSCRIPTS)

    assert done["__typename"] == "PasswordChanged"

"""New members, account links and one-time tokens, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import new_token, token_hash
from gateway.identity.users import account_numbers, get_user
from gateway.members.store import (
    Access,
    TokenPurpose,
    access_to,
    add_one_time_token,
    confirm_email,
    create_member,
    link_account,
    reset_password,
    set_password,
    token_owner,
    tokens_issued_since,
)
from tests.gateway.core.store.databases import announcing, store_on_each_backend

# On SQLite and on the real PostgreSQL, one database per module.
store = store_on_each_backend()

NOON = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
_numbers = itertools.count(1)


def fresh_email() -> str:
    return f"Registrant-{next(_numbers)}@Example.com"


async def new_member(store: GatewayStore, account_number: str = "100200") -> tuple[int, str]:
    email = fresh_email()
    user_id = await create_member(
        store, email=email, password_hash="hash-1", account_number=account_number, now=NOON
    )
    assert user_id is not None
    return user_id, email.lower()


async def issue(
    store: GatewayStore,
    user_id: int,
    purpose: TokenPurpose,
    *,
    now: datetime = NOON,
    ttl: timedelta = HOUR,
) -> str:
    token = new_token()
    await add_one_time_token(
        store,
        token_hash=token_hash(token),
        purpose=purpose,
        user_id=user_id,
        now=now,
        expires_at=now + ttl,
    )
    return token


async def test_a_new_member_is_unconfirmed_and_holds_the_account(store: GatewayStore) -> None:
    user_id, email = await new_member(store, "300400")

    user = await get_user(store, user_id)
    assert user is not None
    assert (user.email, user.email_confirmed) == (email, False)
    assert await account_numbers(store, user_id) == {"300400"}
    assert await access_to(store, user_id=user_id, account_number="300400") is Access.HOLDER


async def test_an_email_is_taken_whatever_its_case(store: GatewayStore) -> None:
    _, email = await new_member(store)

    again = await create_member(
        store, email=email.upper(), password_hash="hash-2", account_number="1", now=NOON
    )

    assert again is None


async def test_concurrent_registrations_of_one_email_make_one_user(store: GatewayStore) -> None:
    email = fresh_email()

    made = await asyncio.gather(
        *(
            create_member(store, email=email, password_hash="h", account_number="7", now=NOON)
            for _ in range(4)
        )
    )

    assert len([user_id for user_id in made if user_id is not None]) == 1


async def test_linking_never_weakens_a_holder_but_upgrades_a_sharer(store: GatewayStore) -> None:
    user_id, _ = await new_member(store, "500600")

    await link_account(
        store, user_id=user_id, account_number="500600", access=Access.SHARED, now=NOON
    )
    await link_account(
        store, user_id=user_id, account_number="700800", access=Access.SHARED, now=NOON
    )
    await link_account(
        store, user_id=user_id, account_number="700800", access=Access.HOLDER, now=NOON
    )

    assert await access_to(store, user_id=user_id, account_number="500600") is Access.HOLDER
    assert await access_to(store, user_id=user_id, account_number="700800") is Access.HOLDER
    assert await access_to(store, user_id=user_id, account_number="999") is None


async def test_a_confirmation_token_confirms_once(store: GatewayStore) -> None:
    user_id, email = await new_member(store)
    token = await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL)

    first = await confirm_email(store, token_hash=token_hash(token), now=NOON + HOUR / 2)
    second = await confirm_email(store, token_hash=token_hash(token), now=NOON + HOUR / 2)

    assert (first, second) == (email, None)
    user = await get_user(store, user_id)
    assert user is not None
    assert user.email_confirmed


async def test_an_expired_token_does_nothing(store: GatewayStore) -> None:
    user_id, _ = await new_member(store)
    token = await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL)

    assert await confirm_email(store, token_hash=token_hash(token), now=NOON + HOUR) is None
    assert (
        await token_owner(
            store, token_hash=token_hash(token), purpose=TokenPurpose.CONFIRM_EMAIL, now=NOON
        )
        == user_id
    )
    user = await get_user(store, user_id)
    assert user is not None
    assert not user.email_confirmed


async def test_a_token_works_only_for_its_purpose(store: GatewayStore) -> None:
    user_id, _ = await new_member(store)
    confirm = await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL)

    changed = await reset_password(
        store, token_hash=token_hash(confirm), password_hash="evil", now=NOON
    )

    assert changed is None
    user = await get_user(store, user_id)
    assert user is not None
    assert user.password_hash == "hash-1"


async def test_using_one_token_spends_the_others_of_its_purpose(store: GatewayStore) -> None:
    user_id, _ = await new_member(store)
    older = await issue(store, user_id, TokenPurpose.RESET_PASSWORD)
    newer = await issue(store, user_id, TokenPurpose.RESET_PASSWORD)
    confirm = await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL)

    assert await reset_password(store, token_hash=token_hash(newer), password_hash="new", now=NOON)
    assert not await reset_password(
        store, token_hash=token_hash(older), password_hash="old", now=NOON
    )

    user = await get_user(store, user_id)
    assert user is not None
    # Reading the emailed reset link proved the email as well.
    assert (user.password_hash, user.email_confirmed) == ("new", True)
    assert await confirm_email(store, token_hash=token_hash(confirm), now=NOON) is not None


async def test_of_concurrent_uses_of_a_token_exactly_one_wins(store: GatewayStore) -> None:
    user_id, _ = await new_member(store)
    token = await issue(store, user_id, TokenPurpose.RESET_PASSWORD)

    results = await asyncio.gather(
        *(
            reset_password(store, token_hash=token_hash(token), password_hash=f"p{n}", now=NOON)
            for n in range(4)
        )
    )

    assert results.count(user_id) == 1
    assert results.count(None) == 3


async def test_tokens_sent_lately_are_counted_per_purpose(store: GatewayStore) -> None:
    user_id, _ = await new_member(store)
    await issue(store, user_id, TokenPurpose.RESET_PASSWORD, now=NOON - 2 * HOUR)
    await issue(store, user_id, TokenPurpose.RESET_PASSWORD, now=NOON - HOUR / 2)
    await issue(store, user_id, TokenPurpose.RESET_PASSWORD, now=NOON)
    await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL, now=NOON)

    count = await tokens_issued_since(
        store, user_id=user_id, purpose=TokenPurpose.RESET_PASSWORD, since=NOON - HOUR
    )

    assert count == 2


async def test_links_passwords_and_confirmations_are_announced_as_changes_of_the_login(
    store: GatewayStore,
) -> None:
    watched, announced = announcing(store)
    user_id, _ = await new_member(store, "300400")
    confirmation = await issue(store, user_id, TokenPurpose.CONFIRM_EMAIL)
    reset = await issue(store, user_id, TokenPurpose.RESET_PASSWORD)

    await link_account(
        watched, user_id=user_id, account_number="300401", access=Access.HOLDER, now=NOON
    )
    assert announced == [user_id]
    await confirm_email(watched, token_hash=token_hash(confirmation), now=NOON)
    assert announced == [user_id] * 2
    await reset_password(watched, token_hash=token_hash(reset), password_hash="hash-2", now=NOON)
    assert announced == [user_id] * 3
    await set_password(watched, user_id=user_id, password_hash="hash-3", now=NOON)
    assert announced == [user_id] * 4
    assert await confirm_email(watched, token_hash=token_hash(confirmation), now=NOON) is None
    assert announced == [user_id] * 4  # a spent token changes nothing

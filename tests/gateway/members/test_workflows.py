"""Registration and sharing called as services, with their parts alone: a store, mail
kept in memory, the fakes' loaders and a clock of the test's own.

A database of its own: these tests add users and links the shared members must not get.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from adapters.email.fake import FakeEmailSender
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.one_time_tokens import CONFIRM_EMAIL_TTL, INVITATION_TTL
from gateway.identity.tables import Role
from gateway.identity.throttle import LoginThrottle
from gateway.members.account_proof import NameAndZip
from gateway.members.emails import MemberMail
from gateway.members.invitation_store import StoredInvitation
from gateway.members.invitations import accept, invite
from gateway.members.mail_limit import MailLimits
from gateway.members.registration import CheckEmail, confirm_email, register
from simulators.world import World
from tests.gateway.core.store.databases import migrated_store
from tests.gateway.members.registration_support import (
    BASE_URL,
    AccountFacts,
    add_member,
    free_accounts,
    fresh_address,
    fresh_email,
    token_in,
)
from tests.gateway.support import Member, access_for, loaders_for

SENT_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


def at(instant: datetime) -> Callable[[], datetime]:
    return lambda: instant


@pytest_asyncio.fixture(scope="module")
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    opened = await migrated_store("sqlite", request)
    yield opened
    await opened.aclose()


@pytest.fixture(scope="module")
def accounts(world: World) -> list[AccountFacts]:
    return free_accounts(world)


async def test_a_confirmation_link_works_until_a_day_after_the_registration_clock(
    adapters: Adapters, store: GatewayStore, accounts: list[AccountFacts]
) -> None:
    facts = accounts[0]
    outbox = FakeEmailSender()
    email = fresh_email()

    outcome = await register(
        store=store,
        mail=MemberMail(outbox, BASE_URL),
        throttle=LoginThrottle(store),
        loaders=loaders_for(adapters),
        client_address=fresh_address(),
        request_id="test-register",
        email=email,
        password="a long and unusual passphrase",
        account_number=facts.number,
        proof=NameAndZip(last_name=facts.last_name, service_zip=facts.service_zip),
        clock=at(SENT_AT),
    )

    assert isinstance(outcome, CheckEmail)
    [sent] = outbox.sent
    token = token_in(sent, "/confirm-email")
    expired = SENT_AT + CONFIRM_EMAIL_TTL
    assert await confirm_email(store=store, token=token, clock=at(expired)) is None
    assert await confirm_email(store=store, token=token, clock=at(expired - ONE_SECOND)) == email


async def test_an_invitation_can_be_accepted_until_a_week_after_the_invite_clock(
    adapters: Adapters, store: GatewayStore, accounts: list[AccountFacts]
) -> None:
    shared, other = accounts[1].number, accounts[2].number
    holder_id, holder_email = await add_member(store, password_hash="x", account_number=shared)
    guest_id, guest_email = await add_member(store, password_hash="x", account_number=other)
    holder = Member(holder_id, holder_email, "", Role.MEMBER, (shared,))
    guest = Member(guest_id, guest_email, "", Role.MEMBER, (other,))
    outbox = FakeEmailSender()
    loaders = loaders_for(adapters)

    invitation = await invite(
        access=access_for(store, holder, loaders=loaders),
        store=store,
        mail=MemberMail(outbox, BASE_URL),
        request_id="test-invite",
        account_number=shared,
        email=guest_email,
        clock=at(SENT_AT),
    )

    assert isinstance(invitation, StoredInvitation)
    token = token_in(outbox.sent[0], "/accept-invitation")
    guest_access = access_for(store, guest, loaders=loaders)
    expired = SENT_AT + INVITATION_TTL
    assert await accept(access=guest_access, store=store, token=token, clock=at(expired)) is None
    accepted = await accept(
        access=guest_access, store=store, token=token, clock=at(expired - ONE_SECOND)
    )
    assert accepted == shared


async def test_registering_again_beyond_the_mail_limit_sends_no_mail(
    adapters: Adapters, store: GatewayStore, accounts: list[AccountFacts]
) -> None:
    facts = accounts[1]
    outbox = FakeEmailSender()
    email = fresh_email()

    answers = [
        await register(
            store=store,
            mail=MemberMail(outbox, BASE_URL),
            throttle=LoginThrottle(store),
            loaders=loaders_for(adapters),
            client_address=fresh_address(),
            request_id=f"test-register-again-{n}",
            email=email,
            password="a long and unusual passphrase",
            account_number=facts.number,
            proof=NameAndZip(last_name=facts.last_name, service_zip=facts.service_zip),
            mail_limits=MailLimits(per_email=1, per_address=100),
        )
        for n in range(2)
    ]

    # The first registers and mails a link; the second, over the limit, mails nothing
    # (without the limit it would mail a note that the email has a login).
    assert answers == [CheckEmail(), CheckEmail()]
    assert [m.to for m in outbox.sent] == [email.lower()]

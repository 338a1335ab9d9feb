"""Sharing an account by invitation, through the schema on the fakes (a database of its own)."""

from __future__ import annotations

import pytest

from gateway.core.store.gateway_store import GatewayStore
from gateway.members.store import Access, access_to
from simulators.world import World
from tests.gateway.members.registration_support import (
    AccountFacts,
    Caller,
    add_member,
    free_accounts,
    token_in,
)

INVITE = """
mutation ($number: String!, $email: String!) {
  inviteToAccount(input: {accountNumber: $number, email: $email}) {
    __typename
    ... on InvitationSent { invitation { id email status accountNumber } }
    ... on AccountNotFound { number }
    ... on ValidationError { field }
  }
}
"""
ACCEPT = """
mutation ($token: String!) { acceptInvitation(input: {token: $token}) {
  __typename ... on InvitationAccepted { account { number } }
} }
"""
LIST = """
query ($number: String!) { accountInvitations(accountNumber: $number) {
  __typename ... on AccountInvitationList { invitations { id email status } }
} }
"""
REVOKE = """
mutation ($number: String!, $id: ID!) {
  revokeInvitation(input: {accountNumber: $number, invitationId: $id}) {
    __typename ... on InvitationRevoked { invitation { status } } ... on ValidationError { field }
  }
}
"""


@pytest.fixture(scope="module")
def account(world: World) -> AccountFacts:
    return free_accounts(world)[10]


async def typename(caller: Caller, query: str, field: str, **variables: object) -> str:
    result = await caller.execute(query, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return str(result.data[field]["__typename"])


async def test_a_holder_shares_an_account_with_the_invited_member(
    anyone: Caller, store: GatewayStore, account: AccountFacts
) -> None:
    holder_id, _ = await add_member(store, password_hash="x", account_number=account.number)
    invitee_id, invitee_email = await add_member(store, password_hash="x", account_number="5")
    holder = anyone.as_user(holder_id)

    sent = await holder.execute(INVITE, number=account.number, email=invitee_email.upper())

    assert sent.data is not None
    invitation = sent.data["inviteToAccount"]["invitation"]
    assert (invitation["email"], invitation["status"]) == (invitee_email, "PENDING")
    [message] = anyone.outbox.sent
    assert message.to == invitee_email
    assert account.number in message.text
    token = token_in(message, "/accept-invitation")

    accepted = await anyone.as_user(invitee_id).execute(ACCEPT, token=token)
    again = await anyone.as_user(invitee_id).execute(ACCEPT, token=token)

    assert accepted.data == {
        "acceptInvitation": {
            "__typename": "InvitationAccepted",
            "account": {"number": account.number},
        }
    }
    assert again.data is not None
    assert again.data["acceptInvitation"]["__typename"] == "TokenInvalid"
    shared = await access_to(store, user_id=invitee_id, account_number=account.number)
    assert shared is Access.SHARED
    listed = await holder.execute(LIST, number=account.number)
    assert listed.data is not None
    statuses = listed.data["accountInvitations"]["invitations"]
    assert [i["status"] for i in statuses] == ["ACCEPTED"]
    # A sharer may see the account but not share it further, nor see its invitations.
    sharer = anyone.as_user(invitee_id)
    assert (
        await typename(
            sharer, INVITE, "inviteToAccount", number=account.number, email="x@example.net"
        )
        == "AccountNotFound"
    )
    assert (
        await typename(sharer, LIST, "accountInvitations", number=account.number)
        == "AccountNotFound"
    )


async def test_someone_else_signed_in_cannot_accept(
    anyone: Caller, store: GatewayStore, account: AccountFacts
) -> None:
    holder_id, _ = await add_member(store, password_hash="x", account_number=account.number)
    stranger_id, _ = await add_member(store, password_hash="x", account_number="6")
    await anyone.as_user(holder_id).execute(
        INVITE, number=account.number, email="intended@example.net"
    )
    token = token_in(anyone.outbox.sent[0], "/accept-invitation")

    answer = await typename(anyone.as_user(stranger_id), ACCEPT, "acceptInvitation", token=token)

    assert answer == "TokenInvalid"
    assert await access_to(store, user_id=stranger_id, account_number=account.number) is None


@pytest.mark.parametrize("number", ["someone else's", "9999999", "no such; number"])
async def test_a_non_holder_gets_the_answer_for_a_missing_account(
    number: str, anyone: Caller, store: GatewayStore, account: AccountFacts
) -> None:
    user_id, _ = await add_member(store, password_hash="x", account_number="7")
    if number == "someone else's":
        number = account.number
    member = anyone.as_user(user_id)

    invited = await member.execute(INVITE, number=number, email="friend@example.net")
    listed = await member.execute(LIST, number=number)
    revoked = await member.execute(REVOKE, number=number, id="1")

    for result, field in ((invited, "inviteToAccount"), (listed, "accountInvitations")):
        assert result.data is not None
        assert result.data[field]["__typename"] == "AccountNotFound"
    assert revoked.data is not None
    assert revoked.data["revokeInvitation"]["__typename"] == "AccountNotFound"
    assert anyone.outbox.sent == []


async def test_a_holder_revokes_an_open_invitation(
    anyone: Caller, store: GatewayStore, account: AccountFacts
) -> None:
    holder_id, _ = await add_member(store, password_hash="x", account_number=account.number)
    invitee_id, invitee_email = await add_member(store, password_hash="x", account_number="8")
    holder = anyone.as_user(holder_id)
    sent = await holder.execute(INVITE, number=account.number, email=invitee_email)
    assert sent.data is not None
    invitation_id = sent.data["inviteToAccount"]["invitation"]["id"]

    revoked = await holder.execute(REVOKE, number=account.number, id=invitation_id)
    twice = await holder.execute(REVOKE, number=account.number, id=invitation_id)
    junk = await holder.execute(REVOKE, number=account.number, id="abc")

    assert revoked.data == {
        "revokeInvitation": {"__typename": "InvitationRevoked", "invitation": {"status": "REVOKED"}}
    }
    for result in (twice, junk):
        assert result.data is not None
        assert result.data["revokeInvitation"]["field"] == "invitationId"
    token = token_in(anyone.outbox.sent[0], "/accept-invitation")
    answer = await typename(anyone.as_user(invitee_id), ACCEPT, "acceptInvitation", token=token)
    assert answer == "TokenInvalid"


async def test_invitations_are_validated_and_limited(
    anyone: Caller, store: GatewayStore, account: AccountFacts
) -> None:
    holder_id, holder_email = await add_member(
        store, password_hash="x", account_number=account.number
    )
    holder = anyone.as_user(holder_id)

    for email in ("not an address", holder_email):
        result = await holder.execute(INVITE, number=account.number, email=email)
        assert result.data is not None
        assert result.data["inviteToAccount"]["field"] == "email"
    # Earlier tests left open invitations on this account too: fill it up to the limit.
    answers = [
        await typename(
            holder, INVITE, "inviteToAccount", number=account.number, email=f"f{n}@example.net"
        )
        for n in range(11)
    ]

    assert answers[-1] == "ValidationError"
    assert answers.count("InvitationSent") == len(anyone.outbox.sent) <= 10


@pytest.mark.parametrize("invitation_id", ["³", "1²", "٣", "４", " 1", "1_0", "9" * 19])
async def test_an_invitation_id_that_is_not_ascii_digits_is_a_validation_error(
    anyone: Caller, store: GatewayStore, account: AccountFacts, invitation_id: str
) -> None:
    # "³" passed str.isdigit() and then failed int(): an internal error with a traceback.
    holder_id, _ = await add_member(store, password_hash="x", account_number=account.number)
    result = await anyone.as_user(holder_id).execute(
        REVOKE, number=account.number, id=invitation_id
    )
    assert result.errors is None, result.errors
    assert result.data == {
        "revokeInvitation": {"__typename": "ValidationError", "field": "invitationId"}
    }

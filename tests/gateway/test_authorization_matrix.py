"""Every account-scoped field, from the schema: members never reach others' accounts.

The cases come from `build_cases(schema)`, so a field added later is in here without
anyone writing a test for it. For each field that takes an account, a member asking
for another member's account gets exactly the answer they get for an account that
does not exist, and staff get something else (they may see it). Fields that only
return account data are asked for the other member's account as well, and their
answer must not carry any of it. Fields staff may not use on any account say why in
`STAFF_MAY_NOT`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import pytest
import pytest_asyncio
from graphql import build_schema
from strawberry.types import ExecutionResult

from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import MethodKind, PaymentMethod
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.wallet import store as wallet_store
from gateway.schema import schema
from simulators.world import World
from tests.gateway.authorization_cases import Case, build_cases
from tests.gateway.support import Member, codes, execute

CASES: Final = build_cases(schema._schema)
NONEXISTENT: Final = "9999999"
PLACEHOLDER: Final = "<account>"
OTHERS_CARD_NICKNAME: Final = "Others-Autopay-Card"
NOT_ALLOWED: Final = {"UNAUTHENTICATED", "FORBIDDEN"}
NEVER_RAN: Final = {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT"}

# Fields staff cannot use on a member's account, by design, with the reason.
STAFF_MAY_NOT: Final = {
    "Query.auditEntries": "admins only",
    "Mutation.inviteToAccount": "only the account's holder shares it",
    "Mutation.revokeInvitation": "only the account's holder manages its invitations",
    "Mutation.register": "proves the account with CIS facts, whoever asks",
    "Mutation.linkAccount": "proves the account with CIS facts, whoever asks",
    "Mutation.setNotificationPreference": "a login chooses only its own notifications",
}


async def enroll_in_autopay(store: GatewayStore, member: Member) -> None:
    """The member's card saved, and their first account drafted with it."""
    card = PaymentMethod(
        id="pm_matrix_other",
        kind=MethodKind.CARD,
        customer_ref=f"user-{member.user_id}",
        last4="1881",
        brand="visa",
        exp_month=12,
        exp_year=2099,
    )
    now = datetime.now(UTC)
    await wallet_store.insert_method(
        store,
        user_id=member.user_id,
        method=card,
        nickname=OTHERS_CARD_NICKNAME,
        make_default=True,
        now=now,
    )
    await autopay_store.insert_enrollment(
        store,
        autopay_store.NewEnrollment(
            account_number=member.account_numbers[0],
            user_id=member.user_id,
            method_id=card.id,
            rule=DraftRule(DraftRuleKind.DUE_DATE),
            max_amount=None,
            now=now,
        ),
    )


@dataclass(frozen=True, slots=True)
class People:
    member: Member
    other: Member  # the member whose account `member` must not reach
    staff: Member
    other_markers: tuple[str, ...]  # strings only the other member's data contains


@pytest_asyncio.fixture(scope="module")
async def matrix_store(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GatewayStore]:
    """A store of its own: the mutations below must not leave rows in the shared one."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('matrix') / 'gateway.db'}"
    await migrate(url)
    store = open_store(url)
    yield store
    await store.aclose()


@pytest_asyncio.fixture(scope="module")
async def people(world: World, matrix_store: GatewayStore) -> People:
    async def person(email: str, role: Role, customer_id: str | None) -> Member:
        numbers = tuple(a.account_number for a in world.accounts if a.customer_id == customer_id)
        user_id = await upsert_member(
            matrix_store.engine,
            email=email,
            password="matrix-member-pass",
            account_numbers=numbers,
            role=role,
        )
        return Member(user_id, email, "matrix-member-pass", role, numbers)

    mine, theirs = world.customers[0], world.customers[1]
    other = await person("other@example.com", Role.MEMBER, theirs.customer_id)
    await enroll_in_autopay(matrix_store, other)
    locations = [loc for loc in world.locations if loc.customer_id == theirs.customer_id]
    return People(
        member=await person("member@example.com", Role.MEMBER, mine.customer_id),
        other=other,
        staff=await person("desk@example.com", Role.STAFF, None),
        other_markers=(
            theirs.customer_id,
            theirs.billing_address.line1,
            *(loc.location_id for loc in locations),
            *(meter for loc in locations for meter in loc.meter_nos),
            OTHERS_CARD_NICKNAME,
        ),
    )


def answer(result: ExecutionResult, target: str) -> str:
    """The response as the client sees it, with the account asked for written alike."""
    errors: list[dict[str, Any]] = [
        {"message": e.message, "path": e.path, **(e.extensions or {})} for e in result.errors or ()
    ]
    text = json.dumps({"data": result.data, "errors": errors}, sort_keys=True, default=str)
    # Request ids differ per request; everything else must not.
    for error in errors:
        if "requestId" in error:
            text = text.replace(str(error["requestId"]), "<request>")
    return text.replace(target, PLACEHOLDER)


def test_every_account_scoped_field_has_a_generated_call() -> None:
    assert CASES.uncovered == []
    names = {case.name for case in CASES.cases}
    assert {
        "Query.account",
        "Query.account>balance",
        "Query.account>payments",
        "Query.account>paymentOptions",
        "Mutation.updateContactDetails",
        "Mutation.payBill",
        "Query.account>autopay",
        "Mutation.enrollAutopay",
        "Mutation.cancelAutopay",
        "Query.account>greenButtonUrl",
    } <= names
    assert set(STAFF_MAY_NOT) <= names, "an exemption names a field that is gone"


SCOPED = [case for case in CASES.cases if case.takes_account]
RETURNING = [case for case in CASES.cases if not case.takes_account]


@pytest.mark.parametrize("case", SCOPED, ids=lambda case: case.name)
async def test_another_members_account_looks_like_no_account(
    case: Case, adapters: Adapters, matrix_store: GatewayStore, people: People
) -> None:
    theirs = people.other.account_numbers[0]

    asked = await execute(adapters, matrix_store, case.document, people.member, target=theirs)
    missing = await execute(
        adapters, matrix_store, case.document, people.member, target=NONEXISTENT
    )

    assert not NEVER_RAN & set(codes(asked)), asked.errors
    assert answer(asked, theirs) == answer(missing, NONEXISTENT)
    assert not any(marker in answer(asked, theirs) for marker in people.other_markers)


@pytest.mark.parametrize("case", SCOPED, ids=lambda case: case.name)
async def test_staff_reach_the_account(
    case: Case, adapters: Adapters, matrix_store: GatewayStore, people: People
) -> None:
    theirs = people.other.account_numbers[0]

    asked = await execute(adapters, matrix_store, case.document, people.staff, target=theirs)
    missing = await execute(adapters, matrix_store, case.document, people.staff, target=NONEXISTENT)

    if case.name.split(">")[0] in STAFF_MAY_NOT:
        assert answer(asked, theirs) == answer(missing, NONEXISTENT)
        return
    assert not NOT_ALLOWED & set(codes(asked))
    assert answer(asked, theirs) != answer(missing, NONEXISTENT)


@pytest.mark.parametrize("case", RETURNING, ids=lambda case: case.name)
async def test_fields_returning_account_data_carry_none_of_another_members(
    case: Case, adapters: Adapters, matrix_store: GatewayStore, people: People
) -> None:
    theirs = people.other.account_numbers[0]

    asked = await execute(adapters, matrix_store, case.document, people.member, target=theirs)

    assert not NEVER_RAN & set(codes(asked)), asked.errors
    text = answer(asked, theirs)
    assert not any(marker in text for marker in people.other_markers), text


def test_a_field_the_generator_cannot_call_is_reported() -> None:
    toy = build_schema(
        """
        scalar Mystery
        type Account { number: String! }
        type Query {
          account(number: String!): Account
          accountByKey(accountKey: Int!): Account
          ownerOfMeter(meter: Mystery!): Account
          meterOwner(meter: ID!, readOn: Mystery): Account
        }
        """
    )

    cases = build_cases(toy)

    assert cases.uncovered == [
        "Query.accountByKey: the account argument `accountKey` is a Int, not a String",
        "Query.ownerOfMeter: no sample value for `meter: Mystery`",
    ]
    assert {case.name for case in cases.cases} >= {"Query.account", "Query.meterOwner"}


# Mutations that name a payment rather than an account, and who may use them. The
# generator above cannot find them (no account argument, no `Account` in the answer).
PAYMENT_SCOPED: Final = {
    "Mutation.refundPayment": (
        "mutation ($payment: ID!) { refundPayment(input: {paymentId: $payment, reason:"
        ' "matrix"}) { __typename ... on RefundRequested { payment { id accountNumber } } } }'
    ),
}
MATRIX_PAY: Final = """mutation ($input: PayBillInput!) { payBill(input: $input) {
  ... on PaymentAccepted { payment { id } } } }"""


@pytest.mark.parametrize("name", sorted(PAYMENT_SCOPED))
async def test_payment_scoped_mutations_are_for_admins_only(
    name: str, adapters: Adapters, matrix_store: GatewayStore, people: People
) -> None:
    assert isinstance(adapters.payments, FakePaymentProcessor)
    paid = await execute(
        adapters,
        matrix_store,
        MATRIX_PAY,
        people.other,
        input={
            "accountNumber": people.other.account_numbers[0],
            "amount": "12.00",
            "method": {"token": adapters.payments.tokenize_card("4242 4242 4242 4242")},
            "idempotencyKey": f"matrix-{name}",
            "confirmDuplicate": True,
        },
    )
    assert paid.data is not None, paid.errors
    theirs = paid.data["payBill"]["payment"]["id"]
    document = PAYMENT_SCOPED[name]

    for who in (people.member, people.other, people.staff):
        asked = await execute(adapters, matrix_store, document, who, payment=theirs)
        missing = await execute(adapters, matrix_store, document, who, payment="pay_none")
        assert codes(asked) == ["FORBIDDEN"], asked
        assert answer(asked, theirs) == answer(missing, "pay_none")
        assert not any(marker in answer(asked, theirs) for marker in people.other_markers)

"""Helpers for the registration tests: free accounts of the test co-op and their facts,
members made without paying argon2 for each, and requests whose mail is kept."""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from strawberry.types import ExecutionResult

from adapters.email.fake import FakeEmailSender
from adapters.email.port import OutgoingEmail
from gateway.core.backends import Adapters
from gateway.core.outbox import OutboxMessage, OutboxRunner, RetryPolicy
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role, User
from gateway.members import password_reset
from gateway.members.emails import MemberMail
from gateway.members.store import create_member
from gateway.schema import schema
from simulators.world import World
from tests.gateway.support import Member, context_for

BASE_URL = "https://portal.example.coop"
_numbers = itertools.count(1)
_TOKEN = re.compile(r"\?token=([A-Za-z0-9_-]+)")


@dataclass(frozen=True, slots=True)
class AccountFacts:
    number: str
    last_name: str
    business_name: str | None
    service_zip: str
    last_bill_amount: Decimal


def free_accounts(world: World) -> list[AccountFacts]:
    """Accounts no demo login holds, with what their bills say."""
    held = {c for login in world.logins for c in login.customer_ids}
    customers = {c.customer_id: c for c in world.customers}
    facts = []
    for account in world.accounts:
        if account.customer_id in held:
            continue
        customer = customers[account.customer_id]
        zip_code = next(
            loc.address.zip_code
            for loc in world.locations
            if loc.account_number == account.account_number
        )
        bills = [b for b in world.bills if b.account_number == account.account_number]
        latest = max(bills, key=lambda bill: bill.bill_date)
        facts.append(
            AccountFacts(
                number=account.account_number,
                last_name=customer.last_name,
                business_name=customer.business_name,
                service_zip=zip_code,
                last_bill_amount=latest.amount,
            )
        )
    return facts


def fresh_email(prefix: str = "member") -> str:
    return f"{prefix}-{next(_numbers)}@example.net"


def fresh_address() -> str:
    """A client address of its own, so that throttling never carries over between tests."""
    number = next(_numbers)
    return f"198.51.{number // 250}.{number % 250 + 1}"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends requests (anyone, or a signed-in user) and the mail they cause."""

    adapters: Adapters
    store: GatewayStore
    outbox: FakeEmailSender
    client_address: str
    user_id: int | None = None

    def as_user(self, user_id: int) -> Caller:
        return dataclasses.replace(self, user_id=user_id)

    async def execute(self, query: str, **variables: Any) -> ExecutionResult:
        who = None
        if self.user_id is not None:
            who = Member(self.user_id, "", "", Role.MEMBER, ())
        context = dataclasses.replace(
            context_for(self.adapters, self.store, who),
            email=self.outbox,
            public_base_url=BASE_URL,
            client_address=self.client_address,
        )
        return await schema.execute(query, variable_values=variables, context_value=context)

    async def deliver(self) -> int:
        """Run the outbox as the worker would, sending mail to this caller's outbox."""
        mail = MemberMail(self.outbox, BASE_URL)

        async def reset_mail(message: OutboxMessage) -> None:
            await password_reset.send_reset_mail(store=self.store, mail=mail, message=message)

        runner = OutboxRunner(
            self.store.engine,
            {password_reset.RESET_MAIL_KIND: reset_mail},
            worker_id="tests",
            batch_size=100,
            poll_interval_s=0.01,
            lease_s=60,
            retry=RetryPolicy(base_s=1, cap_s=1, max_attempts=1),
        )
        return await runner.run_once()


def token_in(message: OutgoingEmail, path: str) -> str:
    """The token of the one link to `path` in the message."""
    assert f"{BASE_URL}{path}?token=" in message.text, message.text
    [token] = _TOKEN.findall(message.text)
    return str(token)


async def add_member(
    store: GatewayStore,
    *,
    password_hash: str,
    account_number: str,
    confirmed: bool = True,
) -> tuple[int, str]:
    email = fresh_email()
    user_id = await create_member(
        store,
        email=email,
        password_hash=password_hash,
        account_number=account_number,
        now=datetime.now(UTC),
    )
    assert user_id is not None
    if confirmed:
        async with store.sessions() as session, session.begin():
            await session.execute(
                update(User).where(User.id == user_id).values(email_confirmed_at=datetime.now(UTC))
            )
    return user_id, email

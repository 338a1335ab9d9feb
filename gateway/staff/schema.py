"""The staff console: finding members' accounts, and (admins) the audit log of reads."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.accounts.schema import Account, PostalAddress, open_account
from gateway.api.context import GatewayContext, GatewayInfo
from gateway.api.fields import described_field
from gateway.api.pagination import PageInfo
from gateway.api.scalars import local
from gateway.audit.entries import AuditCursor, AuditFilter, AuditRecord, audit_page
from gateway.core.errors import BadUserInput
from gateway.identity.roles import require_admin
from gateway.staff.search import AccountMatch, SearchPage, search_accounts
from gateway.viewer.schema import Role

MAX_AUDIT_PAGE = 200


@strawberry.type(description="An account a staff search found.")
class AccountSearchResult:
    account_number: str
    customer_name: str = strawberry.field(
        description="The business name for businesses, else first and last name."
    )
    service_address: PostalAddress | None = strawberry.field(
        description="The address of the account's first service location."
    )

    @described_field("The account itself, as members see it (each read is audited).")
    async def account(self, info: GatewayInfo) -> Account | None:
        found = await open_account(info.context, self.account_number)
        return found if isinstance(found, Account) else None

    @classmethod
    def of(cls, match: AccountMatch) -> AccountSearchResult:
        customer = match.customer
        return cls(
            account_number=match.account_number,
            customer_name=customer.business_name or f"{customer.first_name} {customer.last_name}",
            service_address=(
                PostalAddress.of(match.service_address) if match.service_address else None
            ),
        )


@strawberry.type
class AccountSearchEdge:
    cursor: str
    node: AccountSearchResult


@strawberry.type(description="Accounts found, by customer name, then account number.")
class AccountSearchConnection:
    edges: list[AccountSearchEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: SearchPage) -> AccountSearchConnection:
        edges = [
            AccountSearchEdge(cursor=m.cursor, node=AccountSearchResult.of(m)) for m in page.matches
        ]
        return cls(
            edges=edges, page_info=_page_info(edges, page.has_next_page, page.has_previous_page)
        )


@strawberry.type(description="One staff user's reads of one account in one request.")
class AuditEntry:
    id: strawberry.ID
    occurred_at: datetime
    actor_email: str
    actor_role: Role
    account_number: str
    fields: list[str] = strawberry.field(
        description="The account's top-level fields read, or the mutation that changed it."
    )
    operation_name: str | None
    client_address: str | None
    request_id: str

    @classmethod
    def of(cls, record: AuditRecord, context: GatewayContext) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(record.id)),
            occurred_at=local(record.occurred_at, context.zone),
            actor_email=record.actor_email,
            actor_role=Role(record.actor_role),
            account_number=record.account_number,
            fields=list(record.fields),
            operation_name=record.operation_name,
            client_address=record.client_address,
            request_id=record.request_id,
        )


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type(description="Audit entries, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


@strawberry.input
class AuditEntryFilter:
    account_number: str | None = None
    actor_email: str | None = None
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Included; with a UTC offset."
    )
    to: datetime | None = strawberry.field(default=None, description="Excluded; with an offset.")


def _page_info(
    edges: list[AccountSearchEdge] | list[AuditEntryEdge], more: bool, before: bool
) -> PageInfo:
    return PageInfo(
        has_next_page=more,
        has_previous_page=before,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


def _aware(instant: datetime | None, name: str) -> datetime | None:
    if instant is not None and instant.tzinfo is None:
        raise BadUserInput(f"`{name}` needs a UTC offset, like 2026-11-15T08:00:00-07:00.")
    return instant


@strawberry.type
class StaffQueries:
    @described_field(
        "Staff and admins: accounts by customer name, account number, meter number,"
        " phone number or street address."
    )
    async def search_accounts(
        self, info: GatewayInfo, query: str, first: int = 20, after: str | None = None
    ) -> AccountSearchConnection:
        context = info.context
        page = await search_accounts(
            access=context.access,
            cis=context.adapters.cis,
            loaders=context.loaders,
            query=query,
            first=first,
            after=after,
        )
        return AccountSearchConnection.of(page)

    @described_field("Admins: who read which account when, newest first.")
    async def audit_entries(
        self,
        info: GatewayInfo,
        filter: AuditEntryFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditEntryConnection:
        context = info.context
        await require_admin(context.access)
        if not 0 <= first <= MAX_AUDIT_PAGE:
            raise BadUserInput(f"`first` must be between 0 and {MAX_AUDIT_PAGE}.")
        try:
            cursor = AuditCursor.decode(after) if after is not None else None
        except ValueError:
            raise BadUserInput("`after` is not a cursor of this connection.") from None
        given = filter or AuditEntryFilter()
        wanted = AuditFilter(
            account_number=given.account_number,
            actor_email=given.actor_email,
            occurred_from=_aware(given.from_, "from"),
            occurred_to=_aware(given.to, "to"),
        )
        page = await audit_page(context.store, wanted=wanted, first=first, after=cursor)
        edges = [
            AuditEntryEdge(
                cursor=AuditCursor(r.occurred_at, r.id or 0).encode(),
                node=AuditEntry.of(r, context),
            )
            for r in page.entries
        ]
        return AuditEntryConnection(
            edges=edges, page_info=_page_info(edges, page.has_next_page, after is not None)
        )

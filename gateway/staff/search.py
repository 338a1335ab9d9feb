"""Staff find members' accounts by name, account number, meter, phone or street address.

The CIS has no "search accounts" call, so one query asks it several questions at
once, each only when the query could be that kind of thing: names (by prefix), an
account number, a meter number, a home phone, and the CIS's free-text search (street
address, any phone). Every hit names a customer (all of their accounts) or one
account; the results are accounts, ordered by customer name, then account number,
and paged by that order, so only the page's accounts need the CIS for their details.

These are one-off questions nobody asks twice in a request, so they go to the port
directly; reads of accounts and customers go through the request's loaders.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from adapters.cis.port import CisNotFound, CisPort, Customer, PostalAddress, ServiceLocation
from adapters.rules.numbers import has_digit
from adapters.rules.phone import normalize_phone
from gateway.core.errors import BadUserInput
from gateway.core.loaders import DataLoaders
from gateway.identity.policy import ACCOUNT_NUMBER, AccountAccess
from gateway.identity.roles import require_staff

MIN_QUERY_LENGTH: Final = 2
MAX_QUERY_LENGTH: Final = 100
MAX_PAGE_SIZE: Final = 100

SortKey = tuple[str, str, str, str]  # last name, first name (folded), customer id, account


@dataclass(frozen=True, slots=True)
class AccountMatch:
    account_number: str
    customer: Customer
    service_address: PostalAddress | None  # of the account's first service location

    @property
    def sort_key(self) -> SortKey:
        return (*_customer_key(self.customer), self.account_number)

    @property
    def cursor(self) -> str:
        return base64.urlsafe_b64encode(json.dumps(self.sort_key).encode()).decode()


@dataclass(frozen=True, slots=True)
class SearchPage:
    matches: tuple[AccountMatch, ...]
    has_next_page: bool
    has_previous_page: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    customer_id: str
    account_number: str | None  # None: every account of the customer
    customer: Customer | None = None


@dataclass(slots=True)
class _Candidate:
    customer: Customer
    every_account: bool = False
    accounts: set[str] = field(default_factory=set)


def _customer_key(customer: Customer) -> tuple[str, str, str]:
    name = customer.business_name or customer.last_name
    return (name.casefold(), customer.first_name.casefold(), customer.customer_id)


def _decode_cursor(cursor: str) -> SortKey:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError):
        key = None
    if not (isinstance(key, list) and len(key) == 4 and all(isinstance(k, str) for k in key)):
        raise BadUserInput("`after` is not a cursor of this connection.")
    return (key[0], key[1], key[2], key[3])


def _name_questions(text: str) -> list[tuple[str | None, str | None]]:
    """(first name, last name) prefixes a query could mean."""
    if has_digit(text):
        return []
    if "," in text:
        last, _, first = text.partition(",")
        return [(first.strip() or None, last.strip() or None)]
    words = text.split()
    if len(words) == 1:
        return [(None, text), (text, None)]
    return [(words[0], " ".join(words[1:])), (None, text)]


async def _by_name(cis: CisPort, text: str) -> list[_Hit]:
    found = await asyncio.gather(
        *(
            cis.find_customers_by_name(first_name=first, last_name=last)
            for first, last in _name_questions(text)
        )
    )
    return [_Hit(c.customer_id, None, c) for customers in found for c in customers]


async def _by_account_number(loaders: DataLoaders, text: str) -> list[_Hit]:
    if not ACCOUNT_NUMBER.fullmatch(text):
        return []
    try:
        locations = await loaders.service_locations.load(text)
    except CisNotFound:
        return []
    return [_Hit(loc.customer_id, loc.account_number) for loc in locations[:1]]


async def _by_meter(cis: CisPort, text: str) -> list[_Hit]:
    if " " in text or not has_digit(text):
        return []
    try:
        location = await cis.get_service_location_by_meter(text)
    except CisNotFound:
        return []
    return [_Hit(location.customer_id, location.account_number)]


async def _by_home_phone(cis: CisPort, text: str) -> list[_Hit]:
    phone = normalize_phone(text)
    if phone is None:
        return []
    try:
        customer = await cis.get_customer_by_home_phone(phone)
    except CisNotFound:
        return []
    return [_Hit(customer.customer_id, None, customer)]


async def _by_search_string(cis: CisPort, text: str) -> list[_Hit]:
    return [_Hit(m.customer_id, m.account_number) for m in await cis.search_meters(text)]


async def _candidates(cis: CisPort, loaders: DataLoaders, text: str) -> list[_Candidate]:
    """Everyone the query found, in customer name order."""
    found = await asyncio.gather(
        _by_name(cis, text),
        _by_account_number(loaders, text),
        _by_meter(cis, text),
        _by_home_phone(cis, text),
        _by_search_string(cis, text),
    )
    hits = [hit for hits in found for hit in hits]
    known = {hit.customer_id: hit.customer for hit in hits if hit.customer is not None}
    unknown = sorted({hit.customer_id for hit in hits} - known.keys())
    known.update(zip(unknown, await loaders.customer.load_many(unknown), strict=True))
    candidates: dict[str, _Candidate] = {}
    for hit in hits:
        candidate = candidates.setdefault(hit.customer_id, _Candidate(known[hit.customer_id]))
        if hit.account_number is None:
            candidate.every_account = True
        else:
            candidate.accounts.add(hit.account_number)
    return sorted(candidates.values(), key=lambda c: _customer_key(c.customer))


async def _matches_of(
    cis: CisPort, loaders: DataLoaders, candidate: _Candidate
) -> list[AccountMatch]:
    """The candidate's matching accounts, in account number order."""
    customer = candidate.customer
    if candidate.every_account:
        try:
            owned: Sequence[ServiceLocation] = await cis.get_service_locations_by_customer(
                customer.customer_id
            )
        except CisNotFound:
            owned = ()
        first_location: dict[str, ServiceLocation] = {}
        for location in owned:
            first_location.setdefault(location.account_number, location)
        numbers = sorted(first_location.keys() | candidate.accounts)
    else:
        first_location = {}
        numbers = sorted(candidate.accounts)
    missing = [n for n in numbers if n not in first_location]
    for number, locations in zip(
        missing, await _each_or_none(loaders.service_locations.load, missing), strict=True
    ):
        if locations:
            first_location[number] = locations[0]
    return [
        AccountMatch(
            account_number=number,
            customer=customer,
            service_address=first_location[number].address if number in first_location else None,
        )
        for number in numbers
    ]


async def _each_or_none(
    load: Callable[[str], Awaitable[Sequence[ServiceLocation]]], keys: Sequence[str]
) -> list[Sequence[ServiceLocation] | None]:
    async def one(key: str) -> Sequence[ServiceLocation] | None:
        try:
            return await load(key)
        except CisNotFound:
            return None

    return list(await asyncio.gather(*(one(key) for key in keys)))


async def search_accounts(
    *,
    access: AccountAccess,
    cis: CisPort,
    loaders: DataLoaders,
    query: str,
    first: int,
    after: str | None,
) -> SearchPage:
    """One page of the accounts `query` finds; staff and admins only.

    `cis` for the one-off questions of the search; `loaders` for accounts and customers.
    """
    await require_staff(access)
    text = " ".join(query.split())
    if not MIN_QUERY_LENGTH <= len(text) <= MAX_QUERY_LENGTH:
        raise BadUserInput(
            f"Search with {MIN_QUERY_LENGTH} to {MAX_QUERY_LENGTH} characters: a name,"
            " an account or meter number, a phone number or a street address."
        )
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    after_key = _decode_cursor(after) if after is not None else None
    candidates = await _candidates(cis, loaders, text)
    if after_key is not None:
        candidates = [c for c in candidates if _customer_key(c.customer) >= after_key[:3]]
    wanted = first + 1  # one more tells whether a next page exists
    page: list[AccountMatch] = []
    # A customer gives at least one account, so `wanted` customers at a time suffice.
    for start in range(0, len(candidates), wanted):
        batch = candidates[start : start + wanted]
        for matches in await asyncio.gather(*(_matches_of(cis, loaders, c) for c in batch)):
            page.extend(m for m in matches if after_key is None or m.sort_key > after_key)
        if len(page) >= wanted:
            break
    return SearchPage(
        matches=tuple(page[:first]),
        has_next_page=len(page) > first,
        has_previous_page=after is not None,
    )

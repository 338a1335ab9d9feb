"""The app as `create_app` wires it, over fakes of the demo co-op, served in process on
an event loop of its own (a thread), so that Hypothesis, which calls test functions
synchronously, can send it one request per case and wait for the answer.

The viewers sign in from an address of their own, so that the fuzzer's failed
sign-ins (from another address) never throttle them; when a fuzzed mutation signs
one out (`logout`), `keep_signed_in` signs it in again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette

from gateway.api.http import GRAPHQL_RESPONSE
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.settings import GatewaySettings
from simulators.world import World

FUZZER_ADDRESS = "198.51.100.10"
VIEWERS_ADDRESS = "198.51.100.20"
LOGIN = """mutation ($i: LoginInput!) { login(input: $i) {
  __typename ... on LoginSuccess { accessToken } } }"""
VIEWER = "{ viewer { email } }"


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str
    role: Role
    account_numbers: tuple[str, ...]


def world_login(world: World, index: int) -> Login:
    login = world.logins[index]
    numbers = tuple(a.account_number for a in world.accounts if a.customer_id in login.customer_ids)
    return Login(login.email, login.password, Role.MEMBER, numbers)


def member_login(world: World) -> Login:
    """The demo member: two accounts, one with two service locations."""
    return world_login(world, 0)


# Staff-only fields refuse a member before reading their arguments: an admin reaches
# their cursors and filters.
ADMIN = Login("fuzz.admin@example.com", "fuzzing-admin-pass", Role.ADMIN, ())


async def prepare_database(url: str, world: World) -> None:
    """A new gateway database with the demo logins and the admin, so that the fuzzer's
    registrations, invitations and sessions stay out of the one other tests share."""
    await migrate(url)
    store = open_store(url)
    try:
        for login in (world_login(world, 0), world_login(world, 1), ADMIN):
            await upsert_member(
                store.engine,
                email=login.email,
                password=login.password,
                account_numbers=login.account_numbers,
                role=login.role,
            )
    finally:
        await store.aclose()


class Viewer:
    """One signed-in login; its requests come from the fuzzer's address."""

    def __init__(
        self,
        portal: BlockingPortal,
        *,
        fuzzer: httpx.AsyncClient,
        signer: httpx.AsyncClient,
        login: Login,
    ) -> None:
        self._portal = portal
        self._fuzzer = fuzzer
        self._signer = signer
        self.login = login
        self.token = ""
        self.sign_ins = 0

    def post(self, query: str, variables: dict[str, Any]) -> httpx.Response:
        headers = {"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {self.token}"}
        body = {"query": query, "variables": variables}
        response: httpx.Response = self._portal.call(
            lambda: self._fuzzer.post("/graphql", json=body, headers=headers)
        )
        return response

    def keep_signed_in(self) -> None:
        """Sign in again if the token no longer names a live session."""
        answer = self.post(VIEWER, {})
        if answer.status_code != 200 or answer.json()["data"]["viewer"] is None:
            self.sign_in()

    def sign_in(self) -> None:
        variables = {"i": {"email": self.login.email, "password": self.login.password}}
        response = self._portal.call(
            lambda: self._signer.post(
                "/graphql",
                json={"query": LOGIN, "variables": variables},
                headers={"accept": GRAPHQL_RESPONSE},
            )
        )
        answer = response.json()["data"]["login"]
        assert answer["__typename"] == "LoginSuccess", answer
        self.token = answer["accessToken"]
        self.sign_ins += 1


@dataclass(frozen=True, slots=True)
class Viewers:
    member: Viewer
    admin: Viewer


@asynccontextmanager
async def _clients(app: Starlette) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        app.router.lifespan_context(app),
        _client(app, FUZZER_ADDRESS) as fuzzer,
        _client(app, VIEWERS_ADDRESS) as signer,
    ):
        yield fuzzer, signer


def _client(app: Starlette, address: str) -> httpx.AsyncClient:
    # An exception out of the app (a 500 from a server) is raised into the test, with
    # its traceback, rather than turned into a bare status code.
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=60.0)


@contextmanager
def fuzzed_gateway(
    settings: GatewaySettings, adapters: Adapters, world: World
) -> Iterator[Viewers]:
    app = create_app(settings, adapters)
    with start_blocking_portal() as portal:
        portal.call(prepare_database, settings.database_url, world)
        with portal.wrap_async_context_manager(_clients(app)) as (fuzzer, signer):
            member, admin = (
                Viewer(portal, fuzzer=fuzzer, signer=signer, login=login)
                for login in (member_login(world), ADMIN)
            )
            member.sign_in()
            admin.sign_in()
            yield Viewers(member, admin)

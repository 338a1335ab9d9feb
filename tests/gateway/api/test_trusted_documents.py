"""Trusted (persisted) documents: the manifest, and documents named by hash over HTTP
through the real app (ASGI in process, the fakes behind it), in both modes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from pydantic import SecretStr

from adapters.cis.fake import FakeCis
from gateway.api.http import GRAPHQL_RESPONSE, JSON
from gateway.api.trusted_documents import (
    DocumentRefused,
    ManifestError,
    TrustedDocuments,
    choose_document,
    document_hash,
    load_trusted_documents,
    requested_hash,
)
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.identity.tables import Role
from gateway.identity.tokens import TokenIssuer
from gateway.settings import GatewaySettings
from tests.gateway.conftest import Members
from tests.gateway.support import Member

SECRET = SecretStr("trusted-documents-test-secret-" + "t" * 20)
ACCEPT = {"accept": GRAPHQL_RESPONSE}
LOGIN = """mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename ... on LoginSuccess { accessToken } } }"""
ME = "query Me { viewer { __typename email role } }"
ACCOUNT = (
    "query Account($n: String!) { account(number: $n) { __typename ... on Account { number } } }"
)
ACCOUNT_NUMBERS = "query AccountNumbers { viewer { accounts { number } } }"  # costs 2
SCHEMA_TYPES = "query SchemaTypes { __schema { queryType { name } } }"
# In the tests' manifest, as the web apps' build would write it.
TRUSTED = (LOGIN, ME, ACCOUNT, ACCOUNT_NUMBERS, SCHEMA_TYPES)
# Not in it.
ARBITRARY = "query Mine { viewer { email accounts { number } } }"
BALANCE = """query Balance($n: String!) {
  account(number: $n) { ... on Account { balance { amountDue } } } }"""
INTROSPECTION = '{ __type(name: "Account") { name fields { name } } }'


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fake_cis(adapters: Adapters) -> FakeCis:
    assert isinstance(adapters.cis, FakeCis)
    return adapters.cis


def write_manifest(path: Path, documents: Mapping[str, str]) -> Path:
    path.write_bytes(orjson.dumps(dict(documents)))
    return path


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "persisted-documents.json", {sha256(d): d for d in TRUSTED})


# The manifest


def test_a_manifest_maps_each_hash_to_its_document(manifest: Path) -> None:
    documents = load_trusted_documents(manifest)
    assert len(documents) == len(TRUSTED)
    assert documents.text(sha256(ME)) == ME
    assert documents.text(sha256(ARBITRARY)) is None
    assert document_hash(ME) == sha256(ME)


def test_a_manifest_with_a_wrong_hash_is_refused(tmp_path: Path) -> None:
    wrong = sha256(ME + " ")
    path = write_manifest(tmp_path / "stale.json", {sha256(ACCOUNT): ACCOUNT, wrong: ME})
    with pytest.raises(ManifestError, match=f"key '{wrong}' is not the SHA-256") as refused:
        load_trusted_documents(path)
    assert str(path) in str(refused.value)
    assert sha256(ME) in str(refused.value)  # what the key should have been


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[1, 2]", "must be a JSON object"),
        (b"{not json", "is not JSON"),
        (orjson.dumps({sha256(""): ""}), "has no document"),
        (orjson.dumps({"abc": 5}), "has no document"),
    ],
)
def test_a_manifest_that_is_not_one_is_refused(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    with pytest.raises(ManifestError, match=problem):
        load_trusted_documents(path)
    with pytest.raises(ManifestError, match="cannot read"):
        load_trusted_documents(tmp_path / "missing.json")


# How a request names a document


def test_each_form_of_a_document_id_names_the_same_hash() -> None:
    hashed = sha256(ME)
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": hashed.upper()}}
    assert requested_hash({"documentId": f"sha256:{hashed}"}) == hashed
    assert requested_hash({"documentId": hashed}) == hashed
    assert requested_hash({"extensions": persisted}) == hashed
    assert requested_hash({"documentId": hashed, "extensions": persisted}) == hashed
    assert requested_hash({"query": ME, "extensions": {"other": 1}}) is None


@pytest.mark.parametrize(
    "params",
    [
        {"documentId": "sha256:abc"},
        {"documentId": "md5:" + "a" * 64},
        {"documentId": 12},
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}}},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}},
        {
            "documentId": "a" * 64,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "b" * 64}},
        },
    ],
)
def test_a_malformed_document_id_is_a_bad_request(params: dict[str, Any]) -> None:
    with pytest.raises(DocumentRefused) as refused:
        requested_hash(params)
    assert refused.value.code == "BAD_REQUEST"
    assert not refused.value.well_formed


def test_the_document_chosen_for_a_request() -> None:
    documents = TrustedDocuments({sha256(ME): ME})
    by_hash = choose_document(query=None, hash_hex=sha256(ME), trusted=documents)
    assert (by_hash.text, by_hash.trusted) == (ME, True)
    as_text = choose_document(query=ME, hash_hex=None, trusted=documents)
    assert (as_text.text, as_text.trusted) == (ME, True)
    sent = choose_document(query=ARBITRARY, hash_hex=sha256(ARBITRARY), trusted=documents)
    assert (sent.text, sent.trusted) == (ARBITRARY, False)
    with pytest.raises(DocumentRefused, match="PersistedQueryNotFound"):
        choose_document(query=None, hash_hex=sha256(ARBITRARY), trusted=documents)
    with pytest.raises(DocumentRefused, match="PersistedQueryNotFound"):
        choose_document(query=None, hash_hex=sha256(ME), trusted=None)
    with pytest.raises(DocumentRefused, match="not the hash sent"):
        choose_document(query=ARBITRARY, hash_hex=sha256(ME), trusted=documents)


# Over HTTP


def settings(gateway_database_path: Path, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        jwt_secret=SECRET,
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        **overrides,
    )


class Client:
    """The app and an HTTP client of it, with the ways a client names a document."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self, body: dict[str, Any], token: str | None = None, accept: str = GRAPHQL_RESPONSE
    ) -> httpx.Response:
        headers = {"accept": accept}
        if token:
            headers["authorization"] = f"Bearer {token}"
        return await self.http.post("/graphql", json=body, headers=headers)

    async def get(self, params: dict[str, str], token: str | None = None) -> httpx.Response:
        headers = dict(ACCEPT)
        if token:
            headers["authorization"] = f"Bearer {token}"
        return await self.http.get("/graphql", params=params, headers=headers)

    async def sign_in(self, who: Member) -> str:
        response = await self.post(
            {
                "documentId": f"sha256:{sha256(LOGIN)}",
                "variables": {"email": who.email, "password": who.password},
            }
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["data"]["login"]["accessToken"]
        return token


@contextlib.asynccontextmanager
async def serving(app_settings: GatewaySettings, adapters: Adapters) -> AsyncIterator[Client]:
    app = create_app(app_settings, adapters)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Client(http)


@pytest_asyncio.fixture
async def open_client(
    adapters: Adapters, gateway_database_path: Path, members: Members, manifest: Path
) -> AsyncIterator[Client]:
    """A manifest, but any document accepted (the mode's default)."""
    app_settings = settings(gateway_database_path, trusted_documents_path=manifest)
    async with serving(app_settings, adapters) as client:
        yield client


@pytest_asyncio.fixture
async def trusted_only(
    adapters: Adapters, gateway_database_path: Path, members: Members, manifest: Path
) -> AsyncIterator[Client]:
    app_settings = settings(
        gateway_database_path, trusted_documents_path=manifest, trusted_documents_only=True
    )
    async with serving(app_settings, adapters) as client:
        yield client


def refusal(response: httpx.Response, status: int = 400) -> tuple[str, str]:
    """The code and message of a request refused before execution."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


async def test_a_document_id_runs_its_document_over_post_and_get(
    open_client: Client, members: Members
) -> None:
    token = await open_client.sign_in(members.demo)
    number = members.demo.account_numbers[0]
    expected = {"account": {"__typename": "Account", "number": number}}
    prefixed = await open_client.post(
        {"documentId": f"sha256:{sha256(ACCOUNT)}", "variables": {"n": number}}, token
    )
    assert prefixed.status_code == 200
    assert prefixed.json()["data"] == expected
    variables = orjson.dumps({"n": number}).decode()
    bare = await open_client.get({"documentId": sha256(ACCOUNT), "variables": variables}, token)
    assert bare.status_code == 200
    assert bare.json()["data"] == expected


async def test_apollo_persisted_queries_over_get_and_post(
    open_client: Client, members: Members
) -> None:
    token = await open_client.sign_in(members.demo)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(ME)}}
    expected = {"viewer": {"__typename": "Viewer", "email": members.demo.email, "role": "MEMBER"}}
    posted = await open_client.post({"extensions": extensions, "operationName": "Me"}, token)
    assert posted.status_code == 200
    assert posted.json()["data"] == expected
    got = await open_client.get({"extensions": orjson.dumps(extensions).decode()}, token)
    assert got.status_code == 200
    assert got.json()["data"] == expected


async def test_a_browser_get_with_a_document_id_runs_it(open_client: Client) -> None:
    response = await open_client.http.get(
        "/graphql",
        params={"documentId": sha256(ME)},
        headers={"accept": f"text/html, {GRAPHQL_RESPONSE};q=0.9"},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": None}


async def test_an_unknown_hash_is_not_found(open_client: Client, adapters: Adapters) -> None:
    unknown = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(ARBITRARY)}}}
    assert refusal(await open_client.post(unknown)) == (
        "PERSISTED_QUERY_NOT_FOUND",
        "PersistedQueryNotFound",
    )
    by_id = await open_client.get({"documentId": f"sha256:{sha256(ARBITRARY)}"})
    assert refusal(by_id)[0] == "PERSISTED_QUERY_NOT_FOUND"
    # Legacy clients get 200 for a well-formed request, as for a validation error.
    legacy = await open_client.post(unknown, accept=JSON)
    assert legacy.headers["content-type"] == JSON
    assert refusal(legacy, status=200)[0] == "PERSISTED_QUERY_NOT_FOUND"
    assert fake_cis(adapters).calls == []


async def test_a_hash_that_is_not_the_documents_is_refused(open_client: Client) -> None:
    response = await open_client.post({"query": ARBITRARY, "documentId": sha256(ME)})
    code, message = refusal(response)
    assert code == "BAD_REQUEST"
    assert "SHA-256" in message
    malformed = await open_client.get({"documentId": "sha256:1234"})
    assert refusal(malformed)[0] == "BAD_REQUEST"
    version = {"extensions": {"persistedQuery": {"version": 3, "sha256Hash": sha256(ME)}}}
    assert refusal(await open_client.post(version))[0] == "BAD_REQUEST"


async def test_outside_trusted_only_mode_any_document_runs_and_none_is_registered(
    open_client: Client, members: Members
) -> None:
    token = await open_client.sign_in(members.demo)
    plain = await open_client.post({"query": ARBITRARY}, token)
    assert plain.status_code == 200
    assert plain.json()["data"]["viewer"]["email"] == members.demo.email
    # Apollo's retry after PersistedQueryNotFound: the text with its hash runs...
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(ARBITRARY)}}
    retried = await open_client.post({"query": ARBITRARY, "extensions": extensions}, token)
    assert retried.status_code == 200
    assert retried.json()["data"] == plain.json()["data"]
    # ...but is not stored: the hash alone is still unknown.
    again = await open_client.post({"extensions": extensions}, token)
    assert refusal(again)[0] == "PERSISTED_QUERY_NOT_FOUND"
    introspection = await open_client.post({"query": INTROSPECTION})
    assert introspection.json()["data"]["__type"]["name"] == "Account"


async def test_trusted_only_a_member_runs_manifest_documents_only(
    trusted_only: Client, members: Members, adapters: Adapters
) -> None:
    token = await trusted_only.sign_in(members.demo)
    number = members.demo.account_numbers[0]
    by_id = await trusted_only.post(
        {"documentId": f"sha256:{sha256(ACCOUNT)}", "variables": {"n": number}}, token
    )
    assert by_id.json()["data"] == {"account": {"__typename": "Account", "number": number}}
    # The manifest's text sent as text is as good as its hash.
    as_text = await trusted_only.post({"query": ME}, token)
    assert as_text.json()["data"]["viewer"]["email"] == members.demo.email
    cis = fake_cis(adapters)
    cis.calls.clear()
    balance = {"query": BALANCE, "variables": {"n": number}}
    code, message = refusal(await trusted_only.post(balance, token))
    assert code == "PERSISTED_QUERY_REQUIRED"
    assert "documentId" in message
    assert cis.calls == []  # refused before any resolver ran
    # The same document from staff reads the CIS.
    staff = await trusted_only.post(balance, await trusted_only.sign_in(members.staff))
    assert staff.json()["data"]["account"]["balance"]["amountDue"]
    assert cis.calls
    legacy = await trusted_only.post({"query": ARBITRARY}, token, accept=JSON)
    assert refusal(legacy, status=200)[0] == "PERSISTED_QUERY_REQUIRED"


async def test_trusted_only_anonymous_callers_run_manifest_documents_only(
    trusted_only: Client,
) -> None:
    me = await trusted_only.get({"documentId": sha256(ME)})
    assert me.json() == {
        "data": {"viewer": None},
        "extensions": {"cost": {"requested": 1, "limit": 20_000}},
    }
    assert refusal(await trusted_only.get({"query": "{ viewer { email } }"}))[0] == (
        "PERSISTED_QUERY_REQUIRED"
    )


async def test_trusted_only_registration_is_refused(trusted_only: Client, members: Members) -> None:
    token = await trusted_only.sign_in(members.demo)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(ARBITRARY)}}
    registering = await trusted_only.post({"query": ARBITRARY, "extensions": extensions}, token)
    assert refusal(registering)[0] == "PERSISTED_QUERY_REQUIRED"
    again = await trusted_only.post({"extensions": extensions}, token)
    assert refusal(again)[0] == "PERSISTED_QUERY_NOT_FOUND"


async def test_trusted_only_introspection_is_refused_to_members(
    trusted_only: Client, members: Members
) -> None:
    token = await trusted_only.sign_in(members.demo)
    for who in (token, None):
        arbitrary = await trusted_only.post({"query": INTROSPECTION}, who)
        assert refusal(arbitrary)[0] == "PERSISTED_QUERY_REQUIRED"
        # Even a manifest document may not read the schema...
        in_manifest = await trusted_only.post({"documentId": sha256(SCHEMA_TYPES)}, who)
        code, message = refusal(in_manifest)
        assert code == "INTROSPECTION_DISABLED"
        assert "Introspection" in message
    # ...while `__typename` is no introspection.
    typename = await trusted_only.post({"documentId": sha256(ME)}, token)
    assert typename.json()["data"]["viewer"]["__typename"] == "Viewer"


async def test_trusted_only_staff_send_any_document(trusted_only: Client, members: Members) -> None:
    token = await trusted_only.sign_in(members.staff)
    mine = await trusted_only.post({"query": ARBITRARY}, token)
    assert mine.status_code == 200
    assert mine.json()["data"] == {"viewer": {"email": members.staff.email, "accounts": []}}
    introspection = await trusted_only.post({"query": INTROSPECTION}, token)
    assert introspection.json()["data"]["__type"]["name"] == "Account"
    schema_types = await trusted_only.post({"documentId": sha256(SCHEMA_TYPES)}, token)
    assert schema_types.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_trusted_only_a_staff_claim_the_store_denies_is_refused(
    trusted_only: Client, members: Members
) -> None:
    """A token signed with the right key, for a member's real session, that says "staff":
    the store's role is the one that counts."""
    member_token = await trusted_only.sign_in(members.demo)
    issuer = TokenIssuer(SECRET, ttl=timedelta(minutes=5))
    session_id = issuer.verify(member_token).session_id
    claimed = issuer.issue(user_id=members.demo.user_id, role=Role.STAFF, session_id=session_id)
    refused = await trusted_only.post({"query": ARBITRARY}, claimed.token)
    assert refusal(refused)[0] == "PERSISTED_QUERY_REQUIRED"


async def test_trusted_only_a_store_that_cannot_confirm_a_role_runs_nothing(
    adapters: Adapters, tmp_path: Path, manifest: Path, members: Members
) -> None:
    """A database without the gateway's tables: the staff claim cannot be confirmed, and
    the answer says no more than that something failed."""
    app_settings = settings(
        tmp_path / "empty.db", trusted_documents_path=manifest, trusted_documents_only=True
    )
    claimed = TokenIssuer(SECRET, ttl=timedelta(minutes=5)).issue(
        user_id=members.staff.user_id, role=Role.STAFF, session_id="0" * 32
    )
    async with serving(app_settings, adapters) as client:
        response = await client.post({"query": BALANCE, "variables": {"n": "1"}}, claimed.token)
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["message"] == "Internal error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"]  # what the log line is found by
    assert "data" not in response.json()
    assert fake_cis(adapters).calls == []


async def test_a_manifest_document_is_still_held_to_the_limits(
    adapters: Adapters, gateway_database_path: Path, members: Members, manifest: Path
) -> None:
    app_settings = settings(
        gateway_database_path,
        trusted_documents_path=manifest,
        trusted_documents_only=True,
        max_cost=1,
    )
    async with serving(app_settings, adapters) as client:
        token = await client.sign_in(members.demo)
        number = members.demo.account_numbers[0]
        shallow = await client.post(
            {"documentId": sha256(ACCOUNT), "variables": {"n": number}}, token
        )
        assert shallow.json()["data"]["account"]["number"] == number
        costly = await client.post({"documentId": sha256(ACCOUNT_NUMBERS)}, token)
        assert refusal(costly)[0] == "QUERY_TOO_COMPLEX"


def test_a_bad_manifest_stops_the_app_before_it_serves(
    tmp_path: Path, gateway_database_path: Path, adapters: Adapters
) -> None:
    stale = write_manifest(tmp_path / "stale.json", {sha256(ME): ACCOUNT})
    with pytest.raises(ManifestError, match="is not the SHA-256 of its document"):
        create_app(settings(gateway_database_path, trusted_documents_path=stale), adapters)


def test_coop_gateway_serve_refuses_a_bad_manifest_and_says_why(tmp_path: Path) -> None:
    """The real command: it exits before it listens, naming the file and the key."""
    stale = write_manifest(tmp_path / "persisted-documents.json", {sha256(ME): ACCOUNT})
    env = {
        **os.environ,
        "COOP_JWT_SECRET": SECRET.get_secret_value(),
        "COOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "COOP_TRUSTED_DOCUMENTS_PATH": str(stale),
        "COOP_TRUSTED_DOCUMENTS_ONLY": "true",
    }
    serve = "import sys; from gateway.cli import main; sys.exit(main(['serve', '--port', '0']))"
    finished = subprocess.run(
        [sys.executable, "-c", serve],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode != 0
    assert f"trusted documents manifest {stale}" in finished.stderr
    assert f"key '{sha256(ME)}' is not the SHA-256 of its document" in finished.stderr
    assert "Uvicorn running" not in finished.stderr

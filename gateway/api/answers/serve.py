"""Answering queries from the response cache, and keeping the answers worth keeping.

Per request, after authentication and the trusted-document lookup:
1. A mutation is executed, never kept; afterwards every answer its login was given is
   dropped (`login_tag`), a safety net under the entity tags for whatever the mutation
   changed that the login's answers showed.
2. A query is looked up only if every field it selects may be kept (`cacheable`) and
   the viewer's session still runs: the store confirms the session before the lookup,
   so a revoked session is refused at once, cached answer or not; its facts (login,
   role, email, linked accounts) are part of the key (`keys`).
3. A hit skips Strawberry: the stored bytes are sent as they are, after the rate limit
   charges the execution's cost and, for staff, the audit entries of the execution's
   account reads are written (if they cannot be, the answer is withheld, as executed).
4. Misses of one key in this process run one execution (single flight); the others
   wait for it and are served its answer as hits. An answer is kept only if it has
   data, no `errors` (a partial answer is never kept), status 200, and every part the
   loaders read could be cached; it lives for its shortest-lived part's TTL, never past
   the co-op's midnight (what "today" means changes then), tagged with what it was built
   from and with its login. It is stored after the answer is sent (`writes`).
5. Answers that may be kept carry an ETag (per viewer: the key is in it) and
   `Cache-Control: private, no-cache`; `If-None-Match` with it is answered 304.

Anonymous requests and documents that select anything else are executed as before.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

import orjson
from graphql import DocumentNode, GraphQLSchema, OperationType, get_operation_ast, print_schema
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from gateway.api.answers.cacheable import CacheableDocuments
from gateway.api.context import GatewayContext
from gateway.api.cost import COST_EXTENSION
from gateway.api.fairness import charge_units, rate_limited_error
from gateway.core.cache import policy
from gateway.core.cache.background import BackgroundWrites
from gateway.core.cache.port import CacheStats
from gateway.core.cache.single_flight import single_flight_for_loop
from gateway.core.errors import INTERNAL_SERVER_ERROR
from gateway.core.metrics import Outcome
from gateway.core.response_cache.entry import StoredAnswer
from gateway.core.response_cache.keys import SessionFacts, answer_etag, answer_key
from gateway.core.response_cache.port import AnswerStore
from gateway.core.response_cache.tags import login_tag
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import AccountAccess
from gateway.identity.users import StoredUser

logger = logging.getLogger("gateway.api.answers")

STATS_KIND: Final = "answer"
CACHE_CONTROL: Final = "private, no-cache"
MAX_TTL_S: Final = policy.REFERENCE_TTL_S


@dataclass(frozen=True, slots=True)
class Executed:
    response: Response
    outcome: Outcome
    result: ExecutionResult | None  # None: stopped before an answer (deadline, refusal)


Run = Callable[[], Awaitable[Executed]]


class AuditWriter(Protocol):
    """Writes a staff user's account reads (`gateway.audit.reads.write_account_reads`)."""

    async def __call__(
        self,
        *,
        store: GatewayStore,
        user: StoredUser,
        by_account: Mapping[str, tuple[str, ...]],
        operation_name: str | None,
        client_address: str | None,
        request_id: str,
    ) -> None: ...


class AnswerCache:
    def __init__(
        self,
        *,
        store: AnswerStore,
        schema: GraphQLSchema,
        zone: ZoneInfo,
        write_reads: AuditWriter,
        writes: BackgroundWrites | None = None,
        stats: CacheStats | None = None,
        max_ttl_s: float = MAX_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._write_reads = write_reads
        self._writes = writes
        self._documents = CacheableDocuments(schema)
        self._schema_version = _schema_version(schema)
        self._zone = zone
        self._stats = stats
        self._max_ttl_s = max_ttl_s
        self._clock = clock

    async def respond(
        self,
        *,
        request: Request,
        media_type: str,
        document: DocumentNode,
        document_text: str,
        document_hash: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: GatewayContext,
        run: Run,
    ) -> Executed | None:
        """The answer, or None when the cache has no part in it (execute as usual)."""
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return None
        if operation.operation is OperationType.MUTATION:
            return await self._mutate(context, run)
        # As the execution's audit names it: the one asked for, or the document's only one.
        audit_name = operation_name or (operation.name.value if operation.name else None)
        if not self._documents.cacheable(
            document, operation_name=operation_name, document_hash=document_hash
        ):
            return None
        facts = await session_facts(context.access)
        if facts is None:
            return None  # anonymous or ended: execution gives the proper error
        key = answer_key(
            schema_version=self._schema_version,
            facts=facts,
            document_hash=document_hash,
            operation_name=operation_name,
            variables=variables,
        )
        found = await self._store.lookup(key)
        if found.answer is not None:
            self._count(hit=True)
            return await self._serve(found.answer, request, media_type, context, audit_name)
        self._count(hit=False)
        led: list[Executed] = []

        async def execute_once(_: object) -> dict[str, StoredAnswer | None]:
            executed = await run()
            led.append(executed)
            return {key: await self._keep(key, found.since, executed, document_text, context)}

        shared = (await single_flight_for_loop().run({key: key}, execute_once))[key]
        if led:  # this request executed it
            executed = led[0]
            if isinstance(shared, StoredAnswer):
                return _revalidated(request, executed, shared)
            return executed
        if isinstance(shared, StoredAnswer):
            return await self._serve(shared, request, media_type, context, audit_name)
        return await run()  # its answer could not be shared (errors): execute this one

    async def _mutate(self, context: GatewayContext, run: Run) -> Executed:
        try:
            return await run()
        finally:
            viewer = context.authentication.viewer
            if viewer is not None:
                await self._store.drop([login_tag(viewer.user_id)])

    async def _keep(
        self,
        key: str,
        since: int,
        executed: Executed,
        document_text: str,
        context: GatewayContext,
    ) -> StoredAnswer | None:
        result, response = executed.result, executed.response
        if result is None or result.data is None or result.errors:
            return None
        if response.status_code != 200 or not context.sources.cacheable:
            return None
        ttl_s = min(context.sources.ttl_s, self._max_ttl_s, self._until_midnight())
        viewer = context.authentication.viewer
        if ttl_s <= 0 or viewer is None:
            return None
        body = bytes(response.body)
        tags = frozenset(context.sources.tags | {login_tag(viewer.user_id)})
        answer = StoredAnswer(
            body=body,
            etag=answer_etag(key, body),
            charge=charge_units(document_text, _cost(result)),
            tags=tags,
            expires_at=self._clock() + ttl_s,
            audited=dict(context.sources.audited),
        )
        keep = self._store.keep(key, answer, tags=tags, ttl_s=ttl_s, since=since)
        if self._writes is None:
            await keep
        else:
            self._writes.start(_discard_outcome(keep))
        return answer

    async def _serve(
        self,
        answer: StoredAnswer,
        request: Request,
        media_type: str,
        context: GatewayContext,
        operation_name: str | None,
    ) -> Executed:
        viewer = context.authentication.viewer
        if context.rate_limiter is not None:
            refusal = await context.rate_limiter.charge(
                user_id=viewer.user_id if viewer else None,
                address=context.client_address,
                cost=answer.charge,
            )
            if refusal is not None:
                refused: dict[str, Any] = {"errors": [rate_limited_error(refusal).formatted]}
                # The cost report, as a refused execution reports it (rare: parsed here).
                extensions = orjson.loads(answer.body).get("extensions")
                if extensions:
                    refused["extensions"] = extensions
                body = orjson.dumps(refused)
                headers = {"Retry-After": str(refusal.retry_after_whole_s)}
                response = Response(body, status_code=429, media_type=media_type, headers=headers)
                return Executed(response, Outcome.ERROR, None)
        if answer.audited:
            withheld = await self._audit(answer, media_type, context, operation_name)
            if withheld is not None:
                return withheld
        headers = _validators(answer.etag)
        if _matches(request, answer.etag):
            return Executed(Response(status_code=304, headers=headers), Outcome.OK, None)
        response = Response(answer.body, status_code=200, media_type=media_type, headers=headers)
        return Executed(response, Outcome.OK, None)

    async def _audit(
        self,
        answer: StoredAnswer,
        media_type: str,
        context: GatewayContext,
        operation_name: str | None,
    ) -> Executed | None:
        """None once the hit's reads are written; else the answer that withholds it."""
        user = await context.access.user()
        try:
            if user is not None:
                await self._write_reads(
                    store=context.store,
                    user=user,
                    by_account=answer.audited,
                    operation_name=operation_name,
                    client_address=context.client_address,
                    request_id=context.request_id,
                )
        except Exception:
            logger.exception("request %s: could not write the audit entries", context.request_id)
            error = {
                "message": "Internal error",
                "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": context.request_id},
            }
            body = orjson.dumps({"errors": [error], "data": None})
            response = Response(body, status_code=200, media_type=media_type)
            return Executed(response, Outcome.ERROR, None)
        return None

    def _until_midnight(self) -> float:
        now = datetime.fromtimestamp(self._clock(), self._zone)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
        return (midnight.replace(tzinfo=self._zone) - now).total_seconds()

    def _count(self, *, hit: bool) -> None:
        if self._stats is not None:
            self._stats.cache_read(STATS_KIND, hits=int(hit), misses=int(not hit))


async def session_facts(access: AccountAccess) -> SessionFacts | None:
    """The viewer's facts, confirmed by the store now; None: anonymous or ended."""
    user = await access.user()
    if user is None:
        return None
    linked = await access.linked_accounts()
    return SessionFacts(user.id, user.role.value, user.email, tuple(linked))


async def _discard_outcome(keep: Awaitable[bool]) -> None:
    await keep


def _revalidated(request: Request, executed: Executed, answer: StoredAnswer) -> Executed:
    """The executed answer with its validators, or 304 when the client holds it."""
    headers = _validators(answer.etag)
    if _matches(request, answer.etag):
        return Executed(Response(status_code=304, headers=headers), executed.outcome, None)
    executed.response.headers.update(headers)
    return executed


def _validators(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": CACHE_CONTROL}


def _matches(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match")
    if not given:
        return False
    # Weak comparison, as RFC 9110 asks for If-None-Match.
    candidates = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return etag in candidates or "*" in candidates


def _cost(result: ExecutionResult) -> int | None:
    report = (result.extensions or {}).get(COST_EXTENSION)
    requested = report.get("requested") if isinstance(report, dict) else None
    return requested if isinstance(requested, int) else None


def _schema_version(schema: GraphQLSchema) -> str:
    return hashlib.sha256(print_schema(schema).encode()).hexdigest()[:16]

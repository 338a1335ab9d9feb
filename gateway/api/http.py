"""GraphQL over HTTP (the GraphQL-over-HTTP specification), on Starlette.

- POST `application/json` for any operation; GET with URL parameters for queries
  only (a mutation over GET is 405, so links and prefetches cannot change data).
- Responses are `application/graphql-response+json` when the client names it: a
  request that never executed (bad JSON, syntax, validation, variables) is 4xx,
  one that executed is 200, even with field errors. Clients that ask for
  `application/json`, send `*/*` or no Accept at all get the legacy behaviour: 200
  for every well-formed request.
- A browser's GET without a query gets the `browser_page`: GraphiQL when it is on
  (`gateway.api.graphiql`), else a short note on how to send requests.

Every GraphQL request (not the GraphiQL page) is counted and timed in the metrics, by
operation name and outcome: `ok`, `partial` (data with errors) or `error` (no data).

The limits of `gateway.api.limits` apply here: the body is read only up to its limit,
the document is parsed once (the parse names the operation and is handed on to
Strawberry), execution has a deadline and the answer a maximum size.

A request may name a trusted document by its hash instead of sending its text
(`documentId`, or Apollo's `extensions.persistedQuery`; `gateway.api.trusted_documents`):
the manifest's text then takes the same path as a sent one. An unknown hash is
`PERSISTED_QUERY_NOT_FOUND`, refused like a document that fails validation (400, or 200
for legacy `application/json` clients); a malformed one, or a text that is not its
hash's, is 400. In trusted-only mode `gateway.api.trusted_only` decides who may run
what, before any resolver runs.

Then the response cache (`gateway.api.answers`) may answer a query from a stored answer
without executing it, and drops a login's answers after its mutations.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

import orjson
import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from gateway.api.answers.serve import AnswerCache, Executed
from gateway.api.context import GatewayContext
from gateway.api.documents import parse_document, sole_operation_name
from gateway.api.fairness import retry_after
from gateway.api.graphiql import graphiql_off
from gateway.api.limits import BodyTooLarge, QueryLimits, read_body
from gateway.api.trusted_documents import (
    ChosenDocument,
    DocumentRefused,
    TrustedDocuments,
    choose_document,
    requested_hash,
)
from gateway.api.trusted_only import TrustedOnlyGate
from gateway.core.errors import (
    INTERNAL_SERVER_ERROR,
    QUERY_TIMED_OUT,
    REQUEST_TOO_LARGE,
    RESPONSE_TOO_LARGE,
    public_error,
)
from gateway.core.metrics import GatewayMetrics, Outcome

logger = logging.getLogger("gateway.api.http")

GRAPHQL_RESPONSE: Final = "application/graphql-response+json"
JSON: Final = "application/json"
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._-]{8,64}")
# What each acceptable media range is answered with. A wildcard is what fetch, curl and
# most HTTP libraries send when their caller named nothing: such a client predates the
# GraphQL-over-HTTP media type, so it gets `application/json`, as the specification says
# for a missing Accept ("the server SHOULD treat the request as if it had
# Accept: application/json"; graphql-http's audits 47DE and 80D8 check both).
_ANSWERED_AS: Final = {
    "*/*": JSON,
    "application/*": JSON,
    GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
    JSON: JSON,
}

ContextFactory = Callable[[Request, str], Awaitable[GatewayContext]]


class BadRequest(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.code = code


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    query: str | None  # None: the document is named by `document_hash`
    variables: dict[str, Any] | None
    operation_name: str | None
    document_hash: str | None = None  # SHA-256 hex of a trusted document, if one is named


class GraphQLEndpoint:
    def __init__(
        self,
        *,
        schema: strawberry.Schema,
        context: ContextFactory,
        metrics: GatewayMetrics | None = None,
        limits: QueryLimits | None = None,
        trusted_documents: TrustedDocuments | None = None,
        trusted_only: bool = False,
        browser_page: Callable[[], Response] = graphiql_off,
        answers: Callable[[], AnswerCache | None] = lambda: None,
    ) -> None:
        """`trusted_documents`: the manifest (None: hashes name nothing); with
        `trusted_only`, only staff and admins may run documents outside it. `answers`:
        the response cache (None: every request is executed)."""
        if trusted_only and trusted_documents is None:
            raise ValueError("trusted-only mode needs the trusted documents manifest")
        self._schema = schema
        self._browser_page = browser_page
        self._context = context
        self._metrics = metrics
        self._limits = limits or QueryLimits.defaults()
        self._trusted_documents = trusted_documents
        self._gate = TrustedOnlyGate(schema=schema._schema) if trusted_only else None
        self._answers = answers

    async def handle(self, request: Request) -> Response:
        if request.method == "GET" and _wants_html(request) and not _names_a_document(request):
            return self._browser_page()
        started = time.perf_counter()
        operation: str | None = None
        outcome = Outcome.ERROR  # what it counts as if no answer comes (raised, cancelled)
        try:
            response, operation, outcome = await self._answer(request)
            return response
        finally:
            if self._metrics is not None:
                self._metrics.request_finished(operation, outcome, time.perf_counter() - started)

    async def _answer(self, request: Request) -> tuple[Response, str | None, Outcome]:
        """The response, the operation's name (if known) and the outcome to count."""
        media_type = _negotiate(request.headers.get("accept"))
        if media_type is None:
            response = Response(
                "Accept application/graphql-response+json or application/json.\n",
                status_code=406,
                media_type="text/plain",
            )
            return response, None, Outcome.ERROR
        try:
            params = await _read_params(request, max_bytes=self._limits.max_body_bytes)
        except BadRequest as error:
            response = _errors(
                media_type,
                [str(error)],
                status=error.status,
                headers=error.headers,
                code=error.code,
            )
            return response, None, Outcome.ERROR
        try:
            chosen = choose_document(
                query=params.query,
                hash_hex=params.document_hash,
                trusted=self._trusted_documents,
            )
        except DocumentRefused as unknown:
            return _refused(media_type, unknown), params.operation_name, Outcome.ERROR
        # Parsed here, once: Strawberry gets this same document from the cache.
        try:
            document = parse_document(
                chosen.text,
                max_tokens=self._limits.max_tokens,
                max_aliases=self._limits.max_aliases,
            )
        except GraphQLSyntaxError as error:
            refused = PreExecutionError(data=None, errors=[public_error(error, request_id="-")])
            return response_for(media_type, refused), params.operation_name, Outcome.ERROR
        operation = params.operation_name or sole_operation_name(document)
        response, outcome = await self._execute(request, media_type, params, chosen, document)
        return response, operation, outcome

    async def _execute(
        self,
        request: Request,
        media_type: str,
        params: GraphQLParams,
        chosen: ChosenDocument,
        document: DocumentNode,
    ) -> tuple[Response, Outcome]:
        context = await self._context(request, _request_id(request))
        refused = await self._refused_by_gate(media_type, chosen, document, context)
        if refused is not None:
            return refused, Outcome.ERROR
        run = partial(self._run, request, media_type, params, chosen, context)
        answers = self._answers()
        if answers is not None:
            answered = await answers.respond(
                request=request,
                media_type=media_type,
                document=document,
                document_text=chosen.text,
                document_hash=chosen.hash_hex,
                operation_name=params.operation_name,
                variables=params.variables,
                context=context,
                run=run,
            )
            if answered is not None:
                return answered.response, answered.outcome
        executed = await run()
        return executed.response, executed.outcome

    async def _run(
        self,
        request: Request,
        media_type: str,
        params: GraphQLParams,
        chosen: ChosenDocument,
        context: GatewayContext,
    ) -> Executed:
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            async with asyncio.timeout(self._limits.execution_timeout_s):
                result = await self._schema.execute(
                    chosen.text,
                    variable_values=params.variables,
                    context_value=context,
                    operation_name=params.operation_name,
                    allowed_operation_types=allowed,
                )
        except TimeoutError:
            # graphql-core builds the answer only once every field is done, so nothing of
            # it exists to send: 504, as a gateway whose upstreams did not answer in time.
            # (A mutation may have taken effect: the message says so.)
            message = (
                f"The request took longer than {self._limits.execution_timeout_s:g} seconds and"
                " was stopped; a mutation in it may have taken effect. Ask for less, or retry."
            )
            timed_out = _errors(media_type, [message], status=504, code=QUERY_TIMED_OUT)
            return Executed(timed_out, Outcome.ERROR, None)
        except InvalidOperationTypeError:
            if request.method == "POST":
                rejected = _errors(media_type, ["Subscriptions are not served here."], status=400)
                return Executed(rejected, Outcome.ERROR, None)
            rejected = _errors(
                media_type,
                ["Only queries may be sent with GET; send mutations with POST."],
                status=405,
                headers={"Allow": "POST"},
            )
            return Executed(rejected, Outcome.ERROR, None)
        except CannotGetOperationTypeError as error:
            return Executed(_errors(media_type, [str(error)], status=400), Outcome.ERROR, None)
        response = response_for(media_type, result, max_bytes=self._limits.max_response_bytes)
        return Executed(response, _outcome(result), result)

    async def _refused_by_gate(
        self,
        media_type: str,
        chosen: ChosenDocument,
        document: DocumentNode,
        context: GatewayContext,
    ) -> Response | None:
        """The answer when trusted-only mode does not let this caller run `chosen`."""
        if self._gate is None:
            return None
        try:
            refusal = await self._gate.refusal(
                chosen, document, authentication=context.authentication, access=context.access
            )
        except Exception:
            # Confirming a staff role reads the store; its failure is no reason to run
            # the document, nor one to show the client.
            logger.exception("request %s: could not confirm the caller's role", context.request_id)
            error = {
                "message": "Internal error",
                "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": context.request_id},
            }
            body = orjson.dumps({"errors": [error]})
            return Response(body, status_code=500, media_type=media_type)
        return None if refusal is None else _refused(media_type, refusal)


def _outcome(result: ExecutionResult) -> Outcome:
    if result.data is None:
        return Outcome.ERROR
    return Outcome.PARTIAL if result.errors else Outcome.OK


def response_for(
    media_type: str, result: ExecutionResult, *, max_bytes: int | None = None
) -> Response:
    """The HTTP response for an execution result, by the GraphQL-over-HTTP rules; an
    answer over `max_bytes` is replaced by an error (its cost report kept)."""
    errors = [e.formatted for e in result.errors or ()]
    executed = not isinstance(result, PreExecutionError) and not _only_request_errors(result)
    body: dict[str, Any] = {}
    if errors:
        body["errors"] = errors
    if executed:
        body["data"] = result.data
    if result.extensions:
        body["extensions"] = result.extensions
    status = 200 if executed or media_type == JSON else 400
    content = orjson.dumps(body)
    if (seconds := retry_after(result)) is not None:
        # Over the client's rate limit, whatever media type it accepts (as a body over
        # its limit): an HTTP matter, which proxies and client libraries act on.
        headers = {"Retry-After": str(seconds)}
        return Response(content, status_code=429, media_type=media_type, headers=headers)
    if max_bytes is not None and len(content) > max_bytes:
        # No `data`, so a 4xx by the specification: the client asked for more than one
        # answer may carry, and a smaller request will do.
        refused: dict[str, Any] = {
            "errors": [
                {
                    "message": f"The answer is larger than {max_bytes} bytes: ask for less.",
                    "extensions": {"code": RESPONSE_TOO_LARGE},
                }
            ]
        }
        if result.extensions:
            refused["extensions"] = result.extensions
        return Response(orjson.dumps(refused), status_code=400, media_type=media_type)
    return Response(content, status_code=status, media_type=media_type)


def _only_request_errors(result: ExecutionResult) -> bool:
    # Variable values that do not fit their types fail before execution starts;
    # graphql-core reports them without a path, unlike any field error.
    # An error the server raised (e.g. the audit log could not be written) has no path
    # either, but the request was fine: it is answered as executed, with null data.
    errors: list[GraphQLError] = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(
            e.path is None and (e.extensions or {}).get("code") != INTERNAL_SERVER_ERROR
            for e in errors
        )
    )


def _refused(media_type: str, refused: DocumentRefused) -> Response:
    """A document refused before execution: 400, but for a well-formed request from a
    legacy `application/json` client, which gets 200 as for a validation error."""
    status = 200 if refused.well_formed and media_type == JSON else 400
    return _errors(media_type, [str(refused)], status=status, code=refused.code)


def _errors(
    media_type: str,
    messages: list[str],
    *,
    status: int,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> Response:
    extensions = {"extensions": {"code": code}} if code else {}
    body = {"errors": [{"message": message, **extensions} for message in messages]}
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)


async def _read_params(request: Request, *, max_bytes: int) -> GraphQLParams:
    if request.method == "GET":
        if len(request.url.query) > max_bytes:
            raise _too_large(max_bytes)
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if raw.get(name):
                raw[name] = _json(raw[name], what=f"`{name}`")
            else:  # `?variables=&...`: given empty, as good as not given
                raw.pop(name, None)
    elif request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise BadRequest("Send the request body as application/json.", status=415)
        try:
            body = await read_body(request, limit=max_bytes)
        except BodyTooLarge:
            raise _too_large(max_bytes) from None
        raw = _json(body, what="The request body")
        if not isinstance(raw, dict):
            raise BadRequest("The request body must be a JSON object.")
    else:
        raise BadRequest("Use GET or POST.", status=405, headers={"Allow": "GET, POST"})
    query, variables, operation_name = (
        raw.get("query"),
        raw.get("variables"),
        raw.get("operationName"),
    )
    try:
        document_hash = requested_hash(raw)
    except DocumentRefused as refused:
        raise BadRequest(str(refused), code=refused.code) from None
    # Without `query`, the document is the trusted one the hash names.
    if (query is not None or document_hash is None) and (
        not isinstance(query, str) or not query.strip()
    ):
        raise BadRequest("`query` must be a non-empty string (or send a `documentId`).")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object.")
    extensions = raw.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadRequest("`extensions` must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string.")
    return GraphQLParams(query, variables, operation_name or None, document_hash)


def _too_large(max_bytes: int) -> BadRequest:
    return BadRequest(f"The request is larger than {max_bytes} bytes.", code=REQUEST_TOO_LARGE)


def _json(text: str | bytes, *, what: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRequest(f"{what} is not valid JSON.") from None


def _negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header (None: nothing we can send)."""
    if accept is None or not accept.strip():
        return JSON  # the specification's advice for clients that predate it
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        chosen = _ANSWERED_AS.get(media.lower())
        if chosen is None or quality <= 0:
            continue
        # Higher quality wins; on a tie, the newer media type.
        rank = (quality, 1 if chosen == GRAPHQL_RESPONSE else 0, chosen)
        if best is None or rank > best:
            best = rank
    return best[2] if best else None


def _request_id(request: Request) -> str:
    """The caller's X-Request-ID when it is a plain token (it ends up in logs), else a new one."""
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _names_a_document(request: Request) -> bool:
    names = ("query", "documentId", "extensions")
    return any(name in request.query_params for name in names)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept.lower()


__all__ = ["GRAPHQL_RESPONSE", "JSON", "GraphQLEndpoint"]

"""Trusted-only mode: members and anonymous callers run only the manifest's documents,
and no introspection; staff and admins may send any document.

The portal's and the console's operations are known when the web apps are built, so in
production nothing else needs to be accepted from members: a hostile client cannot
try documents of its own, nor read the schema to craft them. Staff keep ad hoc
queries (support work); every field of theirs is still authorized as usual.

Who is staff: the token's role is a claim signed at sign-in, which may be stale (a
demoted user, a revoked session). A token that says "member" is refused at once (no
read: it cannot make anyone more than a member); one that says staff or admin is
confirmed by the gateway's store, through the request's `AccountAccess`, whose read
the resolvers then reuse. Manifest documents need no check at all.
"""

from __future__ import annotations

from graphql import DocumentNode, GraphQLSchema, NoSchemaIntrospectionCustomRule, validate

from gateway.api.trusted_documents import ChosenDocument, DocumentRefused
from gateway.core.errors import INTROSPECTION_DISABLED, PERSISTED_QUERY_REQUIRED
from gateway.identity.policy import AccountAccess
from gateway.identity.roles import STAFF_ROLES
from gateway.identity.viewer import Authentication


class TrustedOnlyGate:
    """Decides, before any resolver runs, whether a caller may run a document."""

    def __init__(self, *, schema: GraphQLSchema) -> None:
        self._schema = schema
        # Per manifest document (the only ones non-staff get this far with): whether it
        # asks for `__schema` or `__type`. Bounded by the manifest.
        self._introspects: dict[str, bool] = {}

    async def refusal(
        self,
        document: ChosenDocument,
        parsed: DocumentNode,
        *,
        authentication: Authentication,
        access: AccountAccess,
    ) -> DocumentRefused | None:
        """Why the caller may not run `document` (None: they may)."""
        if document.trusted and not self._asks_for_schema(document, parsed):
            return None
        if await may_send_any_document(authentication=authentication, access=access):
            return None
        if not document.trusted:
            return DocumentRefused(
                "Only the co-op's own apps' documents are accepted here: send a known documentId.",
                code=PERSISTED_QUERY_REQUIRED,
                well_formed=True,
            )
        return DocumentRefused(
            "Introspection is not available here.", code=INTROSPECTION_DISABLED, well_formed=True
        )

    def _asks_for_schema(self, document: ChosenDocument, parsed: DocumentNode) -> bool:
        if document.hash_hex not in self._introspects:
            errors = validate(self._schema, parsed, [NoSchemaIntrospectionCustomRule])
            self._introspects[document.hash_hex] = bool(errors)
        return self._introspects[document.hash_hex]


async def may_send_any_document(*, authentication: Authentication, access: AccountAccess) -> bool:
    """Whether the caller is staff or an admin, as the store confirms."""
    viewer = authentication.viewer
    if viewer is None or viewer.token_role not in STAFF_ROLES:
        return False
    user = await access.user()
    return user is not None and user.role in STAFF_ROLES

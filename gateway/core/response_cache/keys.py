"""An answer's key: everything that can change the answer to one request.

The schema (a deploy that changes it starts afresh), the login, its role, email and
linked accounts as the store says now (so a link or unlink, or a role change, reaches
new keys at once), the document's hash, the operation and the variables in canonical
form (keys sorted at every depth). Hashed: the key says nothing about whose it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """Who is asking, as the gateway's store says for a running session."""

    user_id: int
    role: str
    email: str
    linked_accounts: Collection[str]


def answer_key(
    *,
    schema_version: str,
    facts: SessionFacts,
    document_hash: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> str:
    parts = [
        schema_version,
        facts.user_id,
        facts.role,
        facts.email,
        sorted(facts.linked_accounts),
        document_hash,
        operation_name,
        variables or {},
    ]
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def answer_etag(key: str, body: bytes) -> str:
    """A strong validator that differs between viewers even for equal bodies."""
    digest = hashlib.sha256(key.encode() + b"\0" + body).hexdigest()[:32]
    return f'"{digest}"'

"""Trusted (persisted) documents: the manifest the web apps' build writes, and which
document a request names.

The manifest is the JSON object graphql-codegen's client preset writes
(`persisted-documents.json`, `persistedDocuments: {hashAlgorithm: "sha256"}`): each key
is the SHA-256 (hex) of the document text it maps to. Every key is checked against its
text when the manifest is loaded, so a stale or hand-edited manifest stops the server
at startup instead of answering "not found" to every client of one page.

A request names a document by its hash in one of two forms:

- GraphQL-over-HTTP's persisted documents: `documentId`, as `sha256:<hex>` or bare hex;
- Apollo's persisted queries: `extensions.persistedQuery {version: 1, sha256Hash}`.

It may send the text too (Apollo clients do after `PersistedQueryNotFound`); then the
hash must be the text's. Nothing a client sends is ever added to the manifest (Apollo's
"automatic persisted queries" registration): in trusted-only mode that would let any
client make its own document trusted; outside it, any document is accepted as text
anyway, so storing one would only save the client a few bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from gateway.core.errors import BAD_REQUEST, PERSISTED_QUERY_NOT_FOUND

_HEX: Final = re.compile(r"[0-9a-f]{64}")
DOCUMENT_ID_PREFIX: Final = "sha256:"
APOLLO_PERSISTED_QUERY_VERSION: Final = 1


def document_hash(text: str) -> str:
    """The SHA-256 of a document's text (UTF-8), in lowercase hex: its id in a manifest."""
    return hashlib.sha256(text.encode()).hexdigest()


class ManifestError(Exception):
    """The manifest cannot be used; the message says which file and why."""


class TrustedDocuments:
    """The manifest's documents by hash: read once, never changed while serving."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        self._documents = dict(documents)

    def __len__(self) -> int:
        return len(self._documents)

    def text(self, hash_hex: str) -> str | None:
        """The document whose SHA-256 is `hash_hex` (lowercase hex), if it is trusted."""
        return self._documents.get(hash_hex)

    def holds(self, hash_hex: str) -> bool:
        return hash_hex in self._documents


def load_trusted_documents(path: Path) -> TrustedDocuments:
    """The manifest at `path`; `ManifestError` when it is missing, is not a JSON object
    of strings, or any key is not the SHA-256 of its document."""
    try:
        raw = orjson.loads(path.read_bytes())
    except OSError as error:
        raise ManifestError(f"cannot read the trusted documents manifest {path}: {error}") from None
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"the trusted documents manifest {path} is not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ManifestError(
            f"the trusted documents manifest {path} must be a JSON object of"
            ' {"<sha256 hex>": "<document>"}'
        )
    documents: dict[str, str] = {}
    for key, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise ManifestError(f"the trusted documents manifest {path}: {key!r} has no document")
        actual = document_hash(text)
        if key.lower() != actual:
            raise ManifestError(
                f"the trusted documents manifest {path}: key {key!r} is not the SHA-256"
                f" of its document ({actual}); rebuild the manifest with the web apps"
            )
        documents[actual] = text
    return TrustedDocuments(documents)


class DocumentRefused(Exception):
    """The request names a document that cannot be run. `well_formed`: the request
    itself is fine and only its document is refused (answered like a validation error:
    400 for `application/graphql-response+json`, 200 for legacy `application/json`)."""

    def __init__(self, message: str, *, code: str, well_formed: bool) -> None:
        super().__init__(message)
        self.code = code
        self.well_formed = well_formed


@dataclass(frozen=True, slots=True)
class ChosenDocument:
    text: str
    trusted: bool  # its hash is in the manifest
    hash_hex: str


def requested_hash(params: Mapping[str, Any]) -> str | None:
    """The document hash a request's parameters name (lowercase hex), or None.

    `params` are the request's GraphQL-over-HTTP parameters (`extensions` decoded).
    `DocumentRefused` when the hash is malformed, or both forms name different ones.
    """
    named: list[str] = []
    document_id = params.get("documentId")
    if document_id is not None:
        if not isinstance(document_id, str):
            raise _bad_request("`documentId` must be a string.")
        named.append(_hex_of_document_id(document_id))
    extensions = params.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is not None:
        if not isinstance(persisted, dict) or persisted.get("version") != (
            APOLLO_PERSISTED_QUERY_VERSION
        ):
            raise _bad_request("Unsupported persisted query version: send version 1.")
        sha256 = persisted.get("sha256Hash")
        if not isinstance(sha256, str) or not _HEX.fullmatch(sha256.lower()):
            raise _bad_request("`persistedQuery.sha256Hash` must be 64 hexadecimal digits.")
        named.append(sha256.lower())
    if len(set(named)) > 1:
        raise _bad_request("`documentId` and `persistedQuery` name different documents.")
    return named[0] if named else None


def choose_document(
    *, query: str | None, hash_hex: str | None, trusted: TrustedDocuments | None
) -> ChosenDocument:
    """The document a request runs: the text it sent (checked against the hash it sent,
    if any), else the manifest's document for its hash.

    `DocumentRefused` with `PERSISTED_QUERY_NOT_FOUND` for a hash alone that the manifest
    lacks (Apollo clients then send the text with it), with `BAD_REQUEST` for a text
    whose hash is not the one sent.
    """
    known = trusted if trusted is not None else TrustedDocuments({})
    if query is not None:
        actual = document_hash(query)
        if hash_hex is not None and hash_hex != actual:
            raise _bad_request("The document's SHA-256 is not the hash sent with it.")
        return ChosenDocument(query, known.holds(actual), actual)
    if hash_hex is None:
        raise _bad_request("Send `query`, `documentId` or `extensions.persistedQuery`.")
    text = known.text(hash_hex)
    if text is None:
        raise DocumentRefused(
            "PersistedQueryNotFound", code=PERSISTED_QUERY_NOT_FOUND, well_formed=True
        )
    return ChosenDocument(text, True, hash_hex)


def _hex_of_document_id(document_id: str) -> str:
    value = document_id.strip()
    if value[: len(DOCUMENT_ID_PREFIX)].lower() == DOCUMENT_ID_PREFIX:
        value = value[len(DOCUMENT_ID_PREFIX) :]
    value = value.lower()
    if not _HEX.fullmatch(value):
        raise _bad_request("`documentId` must be `sha256:` and 64 hexadecimal digits.")
    return value


def _bad_request(message: str) -> DocumentRefused:
    return DocumentRefused(message, code=BAD_REQUEST, well_formed=False)


__all__ = [
    "ChosenDocument",
    "DocumentRefused",
    "ManifestError",
    "TrustedDocuments",
    "choose_document",
    "document_hash",
    "load_trusted_documents",
    "requested_hash",
]

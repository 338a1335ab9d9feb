"""The member portal's own GraphQL documents, from the manifest `make web` writes.

The portal sends its documents by hash (`documentId`): a workload that does the same
asks what a member's browser asks, no more and no less, and stays in step with the
portal as it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from bench.processes import StartupError
from gateway.api.trusted_documents import DOCUMENT_ID_PREFIX, document_hash
from gateway.demo import TRUSTED_DOCUMENTS_FILE, WEB_BUILD_DIR

MANIFEST: Final = WEB_BUILD_DIR / TRUSTED_DOCUMENTS_FILE


@dataclass(frozen=True, slots=True)
class PortalDocument:
    operation: str
    text: str

    def body(self, variables: Mapping[str, Any]) -> bytes:
        """A request for this document by its hash, as the portal sends it."""
        return orjson.dumps(
            {
                "documentId": f"{DOCUMENT_ID_PREFIX}{document_hash(self.text)}",
                "variables": dict(variables),
                "operationName": self.operation,
            }
        )


def operation_name(text: str) -> str | None:
    """The name of a document's first operation ("query PortalDashboard($n: ...) {...}")."""
    words = text.replace("(", " ").replace("{", " ").split()
    if len(words) > 1 and words[0] in {"query", "mutation", "subscription"}:
        return words[1]
    return None


def portal_document(operation: str, manifest: Path = MANIFEST) -> PortalDocument:
    """The manifest's document of that operation."""
    try:
        documents: dict[str, str] = orjson.loads(manifest.read_bytes())
    except (OSError, ValueError) as error:
        raise StartupError(
            f"the portal's documents are read from {manifest}: build them first (make web)"
            f" ({error})"
        ) from None
    for text in documents.values():
        if operation_name(text) == operation:
            return PortalDocument(operation=operation, text=text)
    raise StartupError(f"{manifest} holds no {operation} document: build the portal again")

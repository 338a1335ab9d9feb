"""The portal's documents, found by operation in the manifest the web build writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from bench.portal_documents import operation_name, portal_document
from bench.processes import StartupError

DASHBOARD = "query PortalDashboard($number: String!) { account(number: $number) { __typename } }"
SIGN_OUT = "mutation SignOut { logout { sessionsEnded } }"


def manifest(tmp_path: Path, *texts: str) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({hashlib.sha256(t.encode()).hexdigest(): t for t in texts}))
    return path


def test_a_document_is_found_by_its_operation_and_sent_by_its_hash(tmp_path: Path) -> None:
    found = portal_document("PortalDashboard", manifest(tmp_path, SIGN_OUT, DASHBOARD))

    body = orjson.loads(found.body({"number": "2000100"}))

    assert found.text == DASHBOARD
    assert body == {
        "documentId": "sha256:" + hashlib.sha256(DASHBOARD.encode()).hexdigest(),
        "variables": {"number": "2000100"},
        "operationName": "PortalDashboard",
    }


def test_a_missing_manifest_or_operation_says_to_build_the_portal(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="make web"):
        portal_document("PortalDashboard", tmp_path / "absent.json")
    with pytest.raises(StartupError, match="no PortalDashboard"):
        portal_document("PortalDashboard", manifest(tmp_path, SIGN_OUT))


@pytest.mark.parametrize(
    ("text", "name"),
    [(DASHBOARD, "PortalDashboard"), (SIGN_OUT, "SignOut"), ("{ viewer { email } }", None)],
)
def test_the_operation_name_is_the_first_operations(text: str, name: str | None) -> None:
    assert operation_name(text) == name

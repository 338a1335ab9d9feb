"""The trusted documents settings: a manifest path, and the mode that needs one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings

SECRET = "settings-test-secret-" + "q" * 20


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_TRUSTED_DOCUMENTS_PATH", "")  # set but empty: none
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.trusted_documents_path is None
    assert settings.trusted_documents_only is False


def test_read_from_coop_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_TRUSTED_DOCUMENTS_PATH", "/srv/web/persisted-documents.json")
    monkeypatch.setenv("COOP_TRUSTED_DOCUMENTS_ONLY", "true")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.trusted_documents_path == Path("/srv/web/persisted-documents.json")
    assert settings.trusted_documents_only is True


def test_trusted_only_without_a_manifest_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_TRUSTED_DOCUMENTS_ONLY", "1")
    monkeypatch.delenv("COOP_TRUSTED_DOCUMENTS_PATH", raising=False)
    with pytest.raises(
        ValidationError, match="trusted_documents_only needs trusted_documents_path"
    ):
        GatewaySettings()  # type: ignore[call-arg]

"""The workspace secret, and survey tokens kept out of the access log."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from trustmeter.errors import ConfigError
from trustmeter.web.guards import TokenRedactor
from trustmeter.web.settings import SECRET_FILE, WebSettings, workspace_secret


def test_secret_file_is_made_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUSTMETER_SECRET", raising=False)
    first = workspace_secret(tmp_path)
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and workspace_secret(tmp_path) == first


def test_placeholder_secrets_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTMETER_SECRET", "changeme")
    with pytest.raises(ConfigError, match="too short or a placeholder"):
        workspace_secret(tmp_path)
    with pytest.raises(ConfigError):
        WebSettings(secret="secret")


def test_survey_tokens_are_redacted_from_the_access_log() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/s/SECRETtoken_123-abc", "1.1", 200), None,
    )  # fmt: skip
    assert TokenRedactor().filter(record)
    assert "SECRETtoken" not in record.getMessage() and "/s/…" in record.getMessage()

"""The connector commands as a user drives them: import --format/--explain, presets, sources, sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from connector_helpers import FIXTURES, SECRET, Replay

from trustmeter.cli import cli
from trustmeter.connectors import sync as sync_mod


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Path:
    root = tmp_path / "ws"
    r = CliRunner().invoke(cli, ["init", str(root), "--db", db_url, "--timezone", "Europe/Berlin"])
    assert r.exit_code == 0, r.output
    return root


def run(ws: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(ws), *args], catch_exceptions=False)


def test_import_with_a_format_and_explain(ws: Path) -> None:
    f = str(FIXTURES / "servicenow/incident.csv")
    r = run(ws, "import", "incidents", f, "--format", "servicenow", "--explain")
    assert r.exit_code == 0, r.output
    assert "preset servicenow-incidents" in r.output
    assert "severity           ← 'priority'" in r.output
    assert "'closed_at': closing is administrative" in r.output
    assert "'1 - Critical' ×2 → P1" in r.output
    assert "imported 5 incidents rows" in r.output
    again = run(ws, "import", "incidents", f, "--format", "servicenow", "--json", "--explain")
    body = json.loads(again.output)
    assert body["import"]["unchanged"] == 5
    assert {"field": "severity", "column": "priority", "why": "preset servicenow-incidents"} in (
        body["explain"]["files"][0]["used"]
    )


def test_import_format_errors_are_one_clean_message(ws: Path, tmp_path: Path) -> None:
    bad = tmp_path / "pd.csv"
    bad.write_text("id,created_at,urgency\nQ1,2026-04-02T08:00:00Z,extreme\n")
    r = CliRunner().invoke(
        cli, ["--workspace", str(ws), "import", "incidents", str(bad), "--format", "pagerduty"]
    )
    said = " ".join(r.output.split())
    assert r.exit_code == 1
    assert "value 'extreme'" in said and '--value severity:"extreme"=P1' in said
    assert "Traceback" not in r.output
    fixed = run(
        ws,
        "import",
        "incidents",
        str(bad),
        "--format",
        "pagerduty",
        "--value",
        "severity:extreme=P1",
    )
    assert fixed.exit_code == 0, fixed.output


def test_import_a_git_repository_folder_needs_the_git_format(ws: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--workspace", str(ws), "import", "changes", str(tmp_path)])
    assert r.exit_code == 1 and "this is a folder, not a file" in " ".join(r.output.split())


def test_presets_lists_and_shows(ws: Path) -> None:
    r = run(ws, "presets")
    assert "pagerduty-incidents" in r.output and "git-changes" in r.output
    one = run(ws, "presets", "servicenow-changes")
    assert "close_code" in one.output and "vendor docs:" in one.output
    data = json.loads(run(ws, "presets", "--json").output)
    assert {p["kind"] for p in data} >= {
        "incidents",
        "changes",
        "work-items",
        "people",
        "engagements",
    }


def _declare(ws: Path, table: str) -> None:
    cfg = ws / "trustmeter.toml"
    cfg.write_text(cfg.read_text() + "\n" + table)


def test_sources_and_sync(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _declare(
        ws, '[sources.pd]\ntype = "pagerduty"\noptions = { since = "2026-01-01", page_size = 2 }\n'
    )
    listed = run(ws, "sources")
    assert (
        "pd" in listed.output
        and "credentials missing" in listed.output
        and "never synced" in listed.output
    )
    missing = CliRunner().invoke(cli, ["--workspace", str(ws), "sync", "pd"])
    assert missing.exit_code == 1 and "TRUSTMETER_PD_TOKEN" in " ".join(missing.output.split())

    monkeypatch.setenv("TRUSTMETER_PD_TOKEN", SECRET)
    replay = Replay("pagerduty/sync.json")
    real = httpx.Client

    def client(**kw: Any) -> httpx.Client:
        return real(**{**kw, "transport": replay})

    monkeypatch.setattr(sync_mod.httpx, "Client", client)
    monkeypatch.setattr(sync_mod.time, "sleep", lambda s: None)
    r = run(ws, "sync", "pd")
    assert r.exit_code == 0, r.output
    assert "synced pd: 6 records in 3 pages (6 new" in r.output
    assert SECRET not in r.output
    listed = run(ws, "sources", "--json")
    row = json.loads(listed.output)[0]
    assert row["credentials"] == "found" and row["last_sync"]["status"] == "ok"
    assert SECRET not in listed.output


def test_a_token_in_trustmeter_toml_is_refused(ws: Path) -> None:
    _declare(ws, f'[sources.gh]\ntype = "github"\ntoken = "{SECRET}"\n')
    r = CliRunner().invoke(cli, ["--workspace", str(ws), "sources"])
    assert r.exit_code == 1
    assert "keep credentials out of trustmeter.toml" in " ".join(r.output.split())
    assert SECRET not in r.output


def test_credentials_from_the_secrets_file(ws: Path) -> None:
    _declare(ws, '[sources.jira]\ntype = "jira"\nbase_url = "https://acme.atlassian.net"\n')
    (ws / "trustmeter.secrets.toml").write_text(
        f'[sources.jira]\nuser = "ops@acme.example"\ntoken = "{SECRET}"\n'
    )
    r = run(ws, "sources")
    assert "credentials found" in r.output and SECRET not in r.output

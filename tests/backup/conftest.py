"""Fixtures of the backup tests: a backup key per test, source workspaces, restore targets."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from backup_data import INCIDENTS, PG_URL, fill_every_table, run

from trustmeter.backup.keys import KEY_ENV
from trustmeter.store import connect
from trustmeter.store.accounts import add_user
from trustmeter.store.campaigns import CampaignRow, Invitee, add_invitations, create_campaign


@pytest.fixture(autouse=True)
def backup_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's backup key: a file of the test's own, never the user's ~/.config."""
    path = tmp_path_factory.mktemp("config") / "trustmeter" / "backup.key"
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def _fresh_pg_database() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("TRUSTMETER_REQUIRE_PG"):
            pytest.fail("TRUSTMETER_TEST_PG is not set but TRUSTMETER_REQUIRE_PG is")
        pytest.skip("PostgreSQL not configured (set TRUSTMETER_TEST_PG)")
    name = "tm_restore_" + uuid.uuid4().hex[:10]
    admin = connect(PG_URL)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    admin = connect(PG_URL)
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """An empty PostgreSQL database of its own (not the source's)."""
    yield from _fresh_pg_database()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest) -> str | None:
    """Where a restore goes: None for the embedded DuckDB default, else a fresh PG URL."""
    if request.param == "duckdb":
        return None
    return str(request.getfixturevalue("fresh_pg"))


@pytest.fixture
def source(tmp_path: Path, db_url: str) -> Path:
    """A workspace with imports, a recorded forecast, a user, a campaign and awkward rows."""
    root = tmp_path / "source"
    r = run("init", str(root), "--profile", "small", "--db", db_url, "--timezone", "Europe/Berlin")
    assert r.exit_code == 0, r.output
    f = tmp_path / "incidents.csv"
    f.write_text(INCIDENTS, "utf-8")
    r = run(
        "-w", str(root), "import", "incidents", str(f), "--map", "id=number",
        "--map", "opened_at=opened", "--map", "resolved_at=resolved",
        "--map", "severity=priority", "--value", "severity:critical=P1",
        "--value", "severity:high=P2",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = ["id,created_at,done_at,team,title"]
    first = date(2024, 1, 1)
    for i in range(100):
        day = first + timedelta(days=i)
        for k in range((i * 7) % 5):
            lines.append(f"W{i}-{k},{day} 08:00,{day} {10 + k}:00,Desk,item {i}/{k}")
    items = tmp_path / "items.csv"
    items.write_text("\n".join(lines) + "\n", "utf-8")
    assert run("-w", str(root), "import", "work-items", str(items)).exit_code == 0
    r = run(
        "-w", str(root), "forecast", "how-many", "--by", "2024-04-14",
        "--history-from", "2024-01-02", "--history-to", "2024-03-31", "--seed", "3", "--record",
    )  # fmt: skip
    assert "recorded in the forecast ledger" in r.output, r.output
    store = connect(db_url)
    try:
        now = datetime(2024, 3, 1, 9, 30, 15, 123456)
        add_user(
            store, "ålice o'hara", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "admin", now
        )
        create_campaign(
            store,
            CampaignRow(
                "pulse-1", 'Pulse "Q1"', "stakeholder", now, now + timedelta(days=14),
                json.dumps([["ERP", "Enterprise \"ERP\""], ["CRM", None]]), "ålice o'hara",
                now, None,
            ),
        )  # fmt: skip
        add_invitations(
            store, "pulse-1", [("inv1", Invitee("S1", "Zoë", "zoe@example.com", "Sales"))], now
        )
        fill_every_table(store)
        store.execute("CREATE TABLE their_notes (note TEXT)")  # not trustmeter's
    finally:
        store.close()
    (root / "trustmeter.secrets.toml").write_text('[jira]\ntoken = "s3cret"\n', "utf-8")
    return root


@pytest.fixture
def small_backup(tmp_path: Path) -> Path:
    ws = tmp_path / "small"
    assert run("init", str(ws)).exit_code == 0
    store = connect("duckdb:///trustmeter.duckdb", base=ws)
    try:
        fill_every_table(store)
    finally:
        store.close()
    file = tmp_path / "small.tmbackup"
    r = run("-w", str(ws), "backup", str(file))
    assert r.exit_code == 0, r.output
    return file

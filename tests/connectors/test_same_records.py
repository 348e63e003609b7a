"""The same records by file export or by API give the same canonical rows and scorecard."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import FIXTURES, NOW, Replay, creds, source

from trustmeter import framework as fw
from trustmeter import records
from trustmeter.connectors import import_preset, sync
from trustmeter.ingest import ImportOptions
from trustmeter.periods import Period
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store

Q2 = Period(date(2026, 4, 1), date(2026, 7, 1), "quarter")
TABLES = ("incident", "change", "work_item", "commitment", "service", "person", "team")


def _snapshot(store: Store, table: str) -> list[tuple[Any, ...]]:
    rk = records.kind(table)
    cols = ", ".join(f'"{f}"' for f in rk.field_names)
    return store.fetch(
        f"SELECT {cols}, row_hash FROM \"{table}\" WHERE source <> 'auto' ORDER BY id"
    )


def _card(store: Store) -> str:
    card = Scorer(store, fw.load(), "mid").scorecard(Q2).as_dict()
    card.pop("generated_at")
    return json.dumps(card, sort_keys=True, default=str)


def _wipe(store: Store) -> None:
    for t in (*TABLES, "sync_cursor", "sync_log", "import_log"):
        store.execute(f'DELETE FROM "{t}"')


@pytest.mark.parametrize(
    ("vendor", "kind", "table", "file", "fmt", "options"),
    [
        (
            "pagerduty",
            "incidents",
            "incident",
            "pagerduty/incidents.csv",
            "pagerduty",
            {"page_size": 2},
        ),
        (
            "servicenow",
            "incidents",
            "incident",
            "servicenow/incident.csv",
            "servicenow",
            {"page_size": 2, "tables": ["incident"]},
        ),
        (
            "servicenow",
            "incidents",
            "incident",
            "servicenow/incident.json",
            "servicenow",
            {"page_size": 2, "tables": ["incident"]},
        ),
        ("jira", "work-items", "work_item", "jira/search.json", "jira", {}),
    ],
)
def test_file_and_api_give_the_same_records_and_scorecard(
    store: Store, vendor: str, kind: str, table: str, file: str, fmt: str, options: dict[str, Any]
) -> None:
    # The CSV was exported by a user in Berlin, whose ServiceNow shows local times.
    opts = ImportOptions(timezone="Europe/Berlin", source=vendor)
    import_preset(store, kind, [FIXTURES / file], fmt, opts)
    by_file, card_file = _snapshot(store, table), _card(store)
    _wipe(store)
    sync.run(
        store,
        source(vendor, **options),
        creds(vendor),
        "Europe/Berlin",
        transport=Replay(f"{vendor}/sync.json"),
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    by_api, card_api = _snapshot(store, table), _card(store)
    assert by_file and by_file == by_api
    assert card_file == card_api


def test_github_file_and_api_give_the_same_changes(store: Store) -> None:
    import_preset(store, "changes", [FIXTURES / "github/deployments.json"], "github-deployments")
    import_preset(store, "changes", [FIXTURES / "github/releases.json"], "github-releases")
    by_file = _snapshot(store, "change")
    _wipe(store)
    sync.run(
        store,
        source("github", repos=["acme/webshop"]),
        creds("github"),
        transport=Replay("github/sync.json"),
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    assert by_file == _snapshot(store, "change")


def test_fixture_paths_exist() -> None:
    assert Path(FIXTURES / "pagerduty/incidents.csv").is_file()

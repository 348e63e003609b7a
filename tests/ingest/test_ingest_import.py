"""Importing good files: re-imports, duplicates, time zones, mappings, dry runs, the log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from ingest_helpers import counts, run

from trustmeter.ingest import Mapping, _fastcsv
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]

INCIDENTS = """id,opened_at,severity,service,resolved_at,title
INC1,2024-01-05T10:00:00Z,P1,ERP,2024-01-05T12:00:00Z,ERP down
INC2,2024-01-06T10:00:00+02:00,P2,ERP,,slow
INC3,2024-01-07 10:00,P3,CRM,,"quoted, with comma"
"""


def test_reimport_updates_instead_of_duplicating(store: Store, write: Write) -> None:
    p = write("inc.csv", INCIDENTS)
    first = run(store, "incidents", p)
    assert (first.rows_read, first.inserted, first.updated, first.unchanged) == (3, 3, 0, 0)
    again = run(store, "incidents", p)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = write("inc.csv", INCIDENTS.replace("ERP down", "ERP was down"))
    third = run(store, "incidents", changed)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    assert store.scalar("SELECT count(*) FROM incident") == 3
    assert store.scalar("SELECT title FROM incident WHERE id = 'INC1'") == "ERP was down"


def test_sources_are_kept_apart(store: Store, write: Write) -> None:
    p = write("inc.csv", INCIDENTS)
    run(store, "incidents", p, source="jira")
    run(store, "incidents", p, mapping=Mapping(source="servicenow"))
    assert store.fetch("SELECT source, count(*) FROM incident GROUP BY source ORDER BY source") == [
        ("jira", 3),
        ("servicenow", 3),
    ]


def test_values_are_converted_to_utc(store: Store, write: Write) -> None:
    r = run(store, "incidents", write("inc.csv", INCIDENTS), timezone="America/New_York")
    assert r.zoneless == 1  # only INC3's opened_at has no zone
    rows = dict(store.fetch("SELECT id, opened_at FROM incident"))
    assert rows == {
        "INC1": datetime(2024, 1, 5, 10, 0),
        "INC2": datetime(2024, 1, 6, 8, 0),
        "INC3": datetime(2024, 1, 7, 15, 0),  # 10:00 EST
    }


def test_duplicates_in_a_file_last_wins(store: Store, write: Write) -> None:
    text = "id,opened_at,title\nA,2024-01-05,first\nB,2024-01-05,b\nA,2024-01-05,second\n"
    r = run(store, "incidents", write("dup.csv", text))
    assert (r.rows_read, r.duplicates_in_file, r.inserted) == (3, 1, 2)
    assert store.scalar("SELECT title FROM incident WHERE id = 'A'") == "second"


def test_duplicates_across_files_are_counted(store: Store, write: Write) -> None:
    a = write("a.csv", "id,opened_at,title\nA,2024-01-05,one\n")
    b = write("b.csv", "id,opened_at,title\nA,2024-01-05,two\n")
    r = run(store, "incidents", a, b)
    assert r.duplicates_in_file == 1
    assert store.scalar("SELECT title FROM incident") == "two"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2024-03-31 01:30", datetime(2024, 3, 31, 0, 30)),  # CET, before the change
        ("2024-03-31 02:30", datetime(2024, 3, 31, 1, 30)),  # never happens: read as CET
        ("2024-03-31 03:30", datetime(2024, 3, 31, 1, 30)),  # CEST
        ("2024-10-27 02:30", datetime(2024, 10, 27, 0, 30)),  # happens twice: the first (CEST)
        ("2024-10-27 03:30", datetime(2024, 10, 27, 2, 30)),  # CET
        ("2024-07-01", datetime(2024, 6, 30, 22, 0)),  # a date alone is local midnight
    ],
)
def test_zoneless_times_in_a_zone_with_daylight_saving(
    store: Store, write: Write, local: str, utc: datetime
) -> None:
    p = write("dst.csv", f"id,opened_at,resolved_at\nA,{local},2025-01-01T00:00:00Z\n")
    r = run(store, "incidents", p, mapping=Mapping(timezone="Europe/Berlin"))
    assert r.zoneless == 1 and r.timezone == "Europe/Berlin"
    assert store.scalar("SELECT opened_at FROM incident") == utc


def test_mapping_timezone_wins_over_the_workspace_default(store: Store, write: Write) -> None:
    p = write("t.csv", "id,opened_at\nA,2024-01-05 12:00\n")
    run(store, "incidents", p, mapping=Mapping(timezone="Asia/Tokyo"), timezone="Europe/Berlin")
    assert store.scalar("SELECT opened_at FROM incident") == datetime(2024, 1, 5, 3, 0)


def test_mapping_file_with_value_maps_and_defaults(
    store: Store, write: Write, tmp_path: Path
) -> None:
    export = write(
        "sn.csv",
        "Number;Opened;Priority;Type;Result\n"
        "CHG1;05.01.2024 10:00;1 - Critical;Hotfix;Successful\n"
        "CHG2;06.01.2024 11:30;2 - High;Standard;rolled back\n",
    )
    mapping_file = tmp_path / "changes.toml"
    mapping_file.write_text(
        """
kind = "changes"
source = "servicenow"
timezone = "Europe/Berlin"
date_format = "%d.%m.%Y %H:%M"
delimiter = ";"

[columns]
id = "Number"
deployed_at = "Opened"
kind = "Type"
outcome = "result"   # matched without regard to case

[values.kind]
"hotfix" = "emergency"

[values.outcome]
" Successful " = "success"

[defaults]
environment = "production"
""",
        encoding="utf-8",
    )
    r = run(store, "changes", export, mapping=Mapping.load(mapping_file))
    assert (r.source, r.inserted, r.zoneless) == ("servicenow", 2, 2)
    assert r.ignored_columns == {str(export): ["Priority"]}
    rows = store.fetch(
        'SELECT id, deployed_at, kind, outcome, environment FROM "change" ORDER BY id'
    )
    assert rows == [
        ("CHG1", datetime(2024, 1, 5, 9, 0), "emergency", "success", "production"),
        ("CHG2", datetime(2024, 1, 6, 10, 30), "standard", "rolled_back", "production"),
    ]


def test_cli_overrides_merge_on_top_of_the_mapping(store: Store, write: Write) -> None:
    p = write("x.csv", "number,opened,prio\nI1,2024-01-05,1 - Critical\nI2,2024-01-05,Low\n")
    base = Mapping(columns={"id": "number"}, values={"severity": {"low": "P4"}})
    m = base.merged(
        columns={"opened_at": "opened", "severity": "prio"},
        values={"severity": {"1 - Critical": "P1"}},
    )
    run(store, "incidents", p, mapping=m)
    assert dict(store.fetch("SELECT id, severity FROM incident")) == {"I1": "P1", "I2": "P4"}
    assert base.values == {"severity": {"low": "P4"}}  # merged() leaves the original alone


def test_severity_and_bool_spellings(store: Store, write: Write) -> None:
    p = write(
        "s.csv",
        "id,opened_at,severity,is_maintenance\nA,2024-01-05,1,yes\nB,2024-01-05,p2,N\n"
        "C,2024-01-05, P5 ,\nD,2024-01-05,,TRUE\n",
    )
    run(store, "incidents", p)
    rows = store.fetch("SELECT id, severity, is_maintenance FROM incident ORDER BY id")
    assert rows == [("A", "P1", True), ("B", "P2", False), ("C", "P5", None), ("D", None, True)]


def test_numbers_dates_and_keyless_kinds(store: Store, write: Write) -> None:
    p = write(
        "budget.csv",
        "period,category,planned,actual,line\n"
        '2024-01-01,Run,"1,234,567",1234.5,licences\n'
        "2024-02-01T00:00:00Z,grow,-3e2,,\n",
    )
    r = run(store, "budget", p)
    assert r.inserted == 2
    rows = store.fetch(
        "SELECT period, category, planned, actual, line FROM budget_line ORDER BY period"
    )
    assert rows == [
        (date(2024, 1, 1), "run", 1234567.0, 1234.5, "licences"),
        (date(2024, 2, 1), "grow", -300.0, None, None),
    ]
    assert run(store, "budget", p).unchanged == 2


def test_dry_run_counts_but_writes_nothing(store: Store, write: Write) -> None:
    p = write("inc.csv", INCIDENTS)
    run(store, "incidents", write("one.csv", "id,opened_at\nINC1,2024-01-05T10:00:00Z\n"))
    before = counts(store)
    r = run(store, "incidents", p, dry_run=True)
    assert r.dry_run and (r.inserted, r.updated, r.unchanged, r.stubs) == (2, 1, 0, 2)
    assert counts(store) == before


def test_import_log_records_each_import(store: Store, write: Write) -> None:
    p = write("inc.csv", INCIDENTS)
    run(store, "incidents", p, source="sn")
    run(store, "incidents", p, source="sn", timezone="Europe/Berlin")
    rows = store.fetch(
        "SELECT id, kind, source, files, rows_read, inserted, updated, unchanged, zoneless "
        "FROM import_log ORDER BY id"
    )
    assert rows == [
        (1, "incidents", "sn", json.dumps([str(p)]), 3, 3, 0, 0, 1),
        (2, "incidents", "sn", json.dumps([str(p)]), 3, 0, 1, 2, 1),
    ]


def test_stubs_are_counted(store: Store, write: Write) -> None:
    r = run(store, "incidents", write("inc.csv", INCIDENTS))
    assert r.stubs == 2  # services ERP and CRM
    assert store.scalar("SELECT count(*) FROM service WHERE source = 'auto'") == 2


@pytest.mark.parametrize("quoted", [False, True], ids=["arrow-reader", "exact-reader"])
def test_progress_is_reported(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch, quoted: bool
) -> None:
    # A quote inside a bare value (27") sends the file to the exact, line-by-line reader,
    # which reports every 20,000 rows; the Arrow reader reports every block (64 KiB here).
    monkeypatch.setattr(_fastcsv, "BLOCK_BYTES", 64 << 10)
    title = '27" screen' if quoted else "screen"
    rows = "".join(f"I{i},2024-01-05,{title}\n" for i in range(45_000))
    p = write("big.csv", "id,opened_at,title\n" + rows)
    seen: list[tuple[int, int, int]] = []
    r = run(store, "incidents", p, progress=lambda *a: seen.append(a))
    size = p.stat().st_size
    assert r.inserted == 45_000
    assert store.scalar("SELECT count(*) FROM incident WHERE title = ?", (title,)) == 45_000
    counts = [s[0] for s in seen]
    if quoted:
        assert counts == [20_000, 40_000, 45_000, 45_000]
    else:
        assert len(counts) > 10 and counts == sorted(counts) and counts[-1] == 45_000
    assert all(s[2] == size for s in seen) and seen[-1][1] == size
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)


def test_as_dict(store: Store, write: Write) -> None:
    d = run(store, "incidents", write("inc.csv", INCIDENTS)).as_dict()
    assert d["kind"] == "incidents" and d["inserted"] == 3 and d["files"]
    json.dumps(d)

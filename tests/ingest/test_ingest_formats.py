"""Each reader: CSV, TSV, JSON (array, wrapped, ServiceNow-style), NDJSON, XLSX, compression,
byte-order marks; survey responses; and the real exports in ../shared/data/real."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ingest_helpers import run

from trustmeter.ingest import Mapping
from trustmeter.ingest._times import timestamps
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]
ROWS = [
    {"id": "A", "opened_at": "2024-01-05T10:00:00Z", "severity": "P1", "title": 'één, "twee"'},
    {"id": "B", "opened_at": "2024-01-06T10:00:00Z", "severity": None, "title": "line\nbreak"},
]
EXPECTED = [
    ("A", datetime(2024, 1, 5, 10), "P1", 'één, "twee"'),
    ("B", datetime(2024, 1, 6, 10), None, "line\nbreak"),
]


def stored(store: Store) -> list[tuple[object, ...]]:
    return store.fetch("SELECT id, opened_at, severity, title FROM incident ORDER BY id")


def test_json_array(store: Store, write: Write) -> None:
    run(store, "incidents", write("a.json", json.dumps(ROWS)))
    assert stored(store) == EXPECTED


@pytest.mark.parametrize("key", ["result", "incidents"])
def test_json_object_with_one_list(store: Store, write: Write, key: str) -> None:
    run(store, "incidents", write("w.json", json.dumps({"count": 2, key: ROWS, "more": None})))
    assert stored(store) == EXPECTED


def test_servicenow_display_values(store: Store, write: Write) -> None:
    rows = [
        {
            "number": {"display_value": "INC001", "value": "INC001"},
            "opened_at": {"display_value": "05.01.2024 11:00:00", "value": "2024-01-05 10:00:00"},
            "priority": {"display_value": "1 - Critical", "value": "1"},
            "cmdb_ci": {"display_value": "ERP", "value": "a1b2c3", "link": "https://x/a1b2c3"},
            "work_notes": {"entries": [1, 2]},
            "tags": ["x", "y"],
        }
    ]
    m = Mapping(
        timezone="UTC",
        columns={
            "id": "number",
            "opened_at": "opened_at.value",  # the raw value: UTC in ServiceNow
            "severity": "priority",
            "service": "cmdb_ci",
            "title": "work_notes",
            "problem": "tags",
        },
        values={"severity": {"1 - Critical": "P1"}},
    )
    run(store, "incidents", write("sn.json", json.dumps({"result": rows})), mapping=m)
    assert store.fetch("SELECT id, opened_at, severity, service, title, problem FROM incident") == [
        ("INC001", datetime(2024, 1, 5, 10), "P1", "ERP", '{"entries": [1, 2]}', '["x", "y"]')
    ]


def test_json_numbers_and_booleans_become_values(store: Store, write: Write) -> None:
    rows = [{"id": 7, "name": "ERP", "tier": 1.0, "slo_availability": 99.95}]
    run(store, "services", write("s.json", json.dumps(rows)))
    assert store.fetch("SELECT id, tier, slo_availability FROM service") == [("7", 1, 99.95)]
    rows2 = [{"id": "I", "opened_at": "2024-01-05", "is_maintenance": True}]
    run(store, "incidents", write("i.json", json.dumps(rows2)))
    assert store.scalar("SELECT is_maintenance FROM incident") is True


def test_json_keys_that_appear_only_in_later_records(store: Store, write: Write) -> None:
    rows = [{"id": f"I{i}", "opened_at": "2024-01-05"} for i in range(25_000)]
    rows.append({"id": "LAST", "opened_at": "2024-01-05", "title": "late key"})
    r = run(store, "incidents", write("late.json", json.dumps(rows)))
    assert r.inserted == 25_001
    assert store.scalar("SELECT title FROM incident WHERE id = 'LAST'") == "late key"


def test_ndjson_and_json_lines(store: Store, write: Write) -> None:
    text = "\n".join(json.dumps(r) for r in ROWS) + "\n"
    run(store, "incidents", write("a.ndjson", text))
    assert stored(store) == EXPECTED
    run(store, "incidents", write("b.jsonl", text), source="other")
    assert store.scalar("SELECT count(*) FROM incident") == 4


def test_json_file_holding_ndjson(store: Store, write: Write) -> None:
    text = "\r\n".join(json.dumps(r) for r in ROWS)
    run(store, "incidents", write("lines.json", text))
    assert stored(store) == EXPECTED


def test_empty_json_imports_nothing(store: Store, write: Write) -> None:
    assert run(store, "incidents", write("e.json", "[]")).rows_read == 0
    assert run(store, "incidents", write("e2.json", '{"result": []}')).rows_read == 0


def test_tsv(store: Store, write: Write) -> None:
    text = "id\topened_at\tseverity\ttitle\nA\t2024-01-05T10:00:00Z\tP1\tone, two\n"
    run(store, "incidents", write("a.tsv", text))
    run(store, "incidents", write("b.tab", text.replace("A\t", "B\t")))
    assert store.scalar("SELECT count(*) FROM incident WHERE title = 'one, two'") == 2


def test_explicit_delimiter(store: Store, write: Write) -> None:
    run(store, "incidents", write("p.csv", "id|opened_at\nA|2024-01-05\n"), delimiter="|")
    assert store.scalar("SELECT id FROM incident") == "A"


@pytest.mark.parametrize(
    ("suffix", "pack"),
    [(".gz", gzip.compress), (".xz", lzma.compress), (".bz2", bz2.compress)],
)
def test_compressed_files(
    store: Store, write: Write, suffix: str, pack: Callable[[bytes], bytes]
) -> None:
    text = "id,opened_at\nA,2024-01-05\nB,2024-01-05\n"
    assert run(store, "incidents", write("c.csv" + suffix, pack(text.encode()))).inserted == 2


def test_byte_order_marks(store: Store, write: Write) -> None:
    text = "id,opened_at,title\nA,2024-01-05,Zürich\n"
    run(store, "incidents", write("bom.csv", b"\xef\xbb\xbf" + text.encode()))
    run(store, "incidents", write("u16.csv", text.encode("utf-16")), source="u16")
    assert store.fetch("SELECT DISTINCT id, title FROM incident") == [("A", "Zürich")]


def test_xlsx(store: Store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Notes"
    first.append(["not this sheet"])
    ws = wb.create_sheet("Export")
    ws.append(["Number", "Opened", "Severity", "Effort"])
    ws.append(["W1", datetime(2024, 1, 5, 10, 0), 2, 1.5])
    ws.append(["W2", "06.01.2024 08:00", "3", None])
    p = tmp_path / "w.xlsx"
    wb.save(p)
    m = Mapping(
        sheet="Export",
        columns={"id": "Number", "created_at": "Opened", "effort_hours": "Effort"},
        date_format="%d.%m.%Y %H:%M",
    )
    r = run(store, "work-items", p, mapping=m, timezone="Europe/Berlin")
    assert (r.inserted, r.zoneless) == (2, 2)
    assert r.ignored_columns == {str(p): ["Severity"]}
    assert store.fetch("SELECT id, created_at, effort_hours FROM work_item ORDER BY id") == [
        ("W1", datetime(2024, 1, 5, 9, 0), 1.5),
        ("W2", datetime(2024, 1, 6, 7, 0), None),
    ]


def test_xlsx_unknown_sheet(store: Store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    p = tmp_path / "w.xlsx"
    wb.save(p)
    with pytest.raises(Exception, match=r"no sheet named 'Data'.*'Sheet'"):
        run(store, "incidents", p, sheet="Data")


def test_survey_responses_with_items(store: Store, write: Write) -> None:
    text = (
        "campaign,kind,group,How satisfied are you overall?,comment\n"
        "2024Q1,stakeholder,Finance,6,great\n"
        "2024Q1,stakeholder,Sales,3,\n"
    )
    m = Mapping(
        items={"overall_satisfaction": "How satisfied are you overall?", "comment": "comment"}
    )
    p = write("s.csv", text)
    r = run(store, "survey-responses", p, mapping=m)
    assert (r.inserted, r.answers) == (2, 3)
    answers = store.fetch(
        'SELECT r."group", a.item, a.value_num, a.value_text FROM survey_answer a '
        "JOIN survey_response r ON r.id = a.response_id ORDER BY 1, 2"
    )
    assert answers == [
        ("Finance", "comment", None, "great"),
        ("Finance", "overall_satisfaction", 6.0, None),
        ("Sales", "overall_satisfaction", 3.0, None),
    ]
    # Without an id column the id is a hash of the row: the same file finds the same responses.
    again = run(store, "survey-responses", p, mapping=m)
    assert (again.inserted, again.unchanged) == (0, 2)


def test_survey_item_columns_by_name(store: Store, write: Write) -> None:
    text = "id,campaign,kind,nps,westrum_1\nR1,T1,team,9,6\n"
    r = run(store, "survey-responses", write("t.csv", text))
    assert r.answers == 2
    items = [row[0] for row in store.fetch("SELECT item FROM survey_answer ORDER BY item")]
    assert items == ["nps", "westrum_1"]


# -- real exports ------------------------------------------------------------------------------
def test_github_status_incidents(store: Store, real_data: Path) -> None:
    path = real_data / "github-statuses" / "downtime_windows.csv"
    m = Mapping(
        source="githubstatus",
        columns={
            "id": "incident_id",
            "opened_at": "downtime_start",
            "resolved_at": "downtime_end",
            "severity": "impact",
        },
        values={
            "severity": {
                "critical": "P1",
                "major": "P2",
                "minor": "P3",
                "none": "P5",
                "maintenance": "",
            }
        },
    )
    r = run(store, "incidents", path, mapping=m)
    assert r.rows_read == 819 and r.zoneless == 0 and r.duplicates_in_file == 0
    assert r.inserted == 819
    assert store.scalar("SELECT count(*) FROM incident WHERE resolved_at < opened_at") == 0
    assert store.scalar("SELECT opened_at FROM incident WHERE id = '9632825'") == datetime(
        2022, 3, 26, 1, 43
    )
    assert run(store, "incidents", path, mapping=m).unchanged == 819


def test_lanl_us_style_times(real_data: Path) -> None:
    """23,739 real zoneless M/D/YYYY H:MM times all read with the right date_format."""
    import csv

    path = next((real_data / "lanl").glob("*.csv.xz"))
    with lzma.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    started = pa.array([r["Prob Started"] for r in rows], pa.string())
    parsed = timestamps(started, "America/Denver", "%m/%d/%Y %H:%M")
    assert parsed.bad == -1 and parsed.zoneless == len(rows) == 23_739
    assert parsed.values.null_count == 0
    assert pc.min(parsed.values).as_py() >= datetime(1990, 1, 1)
    assert pc.max(parsed.values).as_py() < datetime(2006, 1, 1)


class _Questionnaire:
    """Stands in for trustmeter.surveys: two items on a 1–7 and a 0–10 scale."""

    ITEMS: ClassVar[dict[str, tuple[int, int]]] = {"overall_satisfaction": (1, 7), "nps": (0, 10)}

    @classmethod
    def item(cls, id: str) -> tuple[int, int]:
        return cls.ITEMS[id]

    @classmethod
    def validate(cls, item: str, raw: str) -> float | str:
        low, high = cls.ITEMS[item]
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return float(raw)


def test_survey_items_checked_by_the_questionnaire(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trustmeter.errors import ConfigError, InputError
    from trustmeter.ingest import _surveys as survey_reader

    # A questionnaire of our own in place of the catalogue the importer reads.
    monkeypatch.setattr(survey_reader, "surveys", _Questionnaire)
    text = "id,campaign,kind,Overall Satisfaction,nps,free text\nR1,Q1,stakeholder,6,9,hi\n"
    r = run(store, "survey-responses", write("ok.csv", text))
    assert r.answers == 2 and r.ignored_columns == {str(write("ok.csv", text)): ["free text"]}
    assert store.fetch("SELECT item, value_num FROM survey_answer ORDER BY item") == [
        ("nps", 9.0),
        ("overall_satisfaction", 6.0),
    ]
    bad = write("bad.csv", text + "R2,Q1,stakeholder,8,9,\n")
    with pytest.raises(InputError) as info:
        run(store, "survey-responses", bad)
    err = info.value
    assert (err.line, err.column, err.value) == (3, "Overall Satisfaction", "8")
    assert err.expected == "a whole number from 1 to 7"
    with pytest.raises(ConfigError, match="'loyalty', which is not a survey item"):
        run(store, "survey-responses", bad, mapping=Mapping(items={"loyalty": "nps"}))


def test_xlsx_label_written_twice_reads_the_first_non_empty_value(
    store: Store, tmp_path: Path
) -> None:
    """As in a CSV: a customised form's export can carry `Severity` twice. Each row reads the
    first non-empty value of the repeated columns, and the summary says so (issue 13)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Number", "Created", "Severity", "severity"])
    ws.append(["INC1", "2025-03-17 06:04", None, "2 - High"])
    ws.append(["INC2", "2025-03-17 07:00", "1 - Critical", "3 - Low"])
    ws.append(["INC3", "2025-03-17 08:00", "4 - Low", None])
    p = tmp_path / "twice.xlsx"
    wb.save(p)
    m = Mapping(columns={"id": "Number", "opened_at": "Created", "severity": "Severity"})
    r = run(store, "incidents", p, mapping=m)
    assert r.rows_read == 3
    assert store.fetch("SELECT id, severity FROM incident ORDER BY id") == [
        ("INC1", "P2"),
        ("INC2", "P1"),
        ("INC3", "P4"),
    ]
    assert r.notes == [
        "twice.xlsx: the header has 'Severity' 2 times (columns 3 and 4): each row's first "
        "non-empty value of them is read; 1 rows had different values there"
    ]

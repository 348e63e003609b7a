"""Implausible values refused like unreadable ones, --skip-invalid with its rejects file, and
the mapping features real exports need: fallbacks, derived fields, ids that must be mapped,
null words and the order of day and month."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import counts, run

from trustmeter.errors import ConfigError, InputError
from trustmeter.ingest import Mapping
from trustmeter.store import Store

Write = Callable[[str, str], Path]
HEAD = "id,opened_at,resolved_at,impact_start,impact_end,severity\n"


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("INC2,2024-01-05 10:00,2024-01-05 09:00,,,P1", "resolved_at", "resolved before it opened"),
        (
            "INC2,2024-01-05 10:00,,2024-01-05 10:00,2024-01-05 09:59,P1",
            "impact_end",
            "impact that ends before it starts",
        ),
        ("INC2,0001-01-01 00:00,,,,P1", "opened_at", "the year 1 is not a real opened_at"),
        ("INC2,2024-01-05 10:00,9999-12-31 00:00,,,P1", "resolved_at", "the year 9999"),
    ],
)
def test_implausible_values_are_refused(
    store: Store, write: Write, row: str, column: str, problem: str
) -> None:
    p = write("bad.csv", HEAD + "INC1,2024-01-05 10:00,2024-01-05 11:00,,,P1\n" + row + "\n")
    before = counts(store)
    with pytest.raises(InputError) as info:
        run(store, "incidents", p)
    e = info.value
    assert (e.file, e.line, e.column) == (str(p), 3, column)
    assert problem in e.problem and e.value is not None and e.expected
    assert counts(store) == before  # atomic: nothing written


def test_skip_invalid_writes_good_rows_and_a_rejects_file(
    store: Store, write: Write, tmp_path: Path
) -> None:
    p = write(
        "mixed.csv",
        HEAD
        + "INC1,2024-01-05 10:00,2024-01-05 11:00,,,P1\n"
        + "INC2,2024-01-05 10:00,2024-01-05 09:00,,,P1\n"
        + "INC3,not a date,,,,P2\n"
        + "INC4,2024-01-06 10:00,,,,P9\n"
        + "INC5,2024-01-07 10:00,,,,P3\n",
    )
    rejects = tmp_path / "rejects.csv"
    r = run(store, "incidents", p, skip_invalid=True, rejects=rejects)
    assert (r.rows_read, r.inserted, r.rejected, r.rejects_file) == (2, 2, 3, str(rejects))
    ids = store.fetch("SELECT id FROM incident WHERE source <> 'auto' ORDER BY id")
    assert ids == [("INC1",), ("INC5",)]
    with open(rejects, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [(g["line"], g["column"], g["value"]) for g in got] == [
        ("3", "resolved_at", "2024-01-05 09:00"),
        ("4", "opened_at", "not a date"),
        ("5", "severity", "P9"),
    ]
    assert "resolved before it opened" in got[0]["reason"]
    assert "not a severity" in got[2]["reason"]


def test_skip_invalid_across_batches(
    store: Store, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trustmeter.ingest import _importer

    monkeypatch.setattr(_importer, "BATCH_ROWS", 3)
    body = "".join(
        f"INC{i},2024-01-05 10:00,{'2024-01-04 10:00' if i % 4 == 0 else ''},,,P2\n"
        for i in range(1, 11)
    )
    p = write("many.csv", HEAD + body)
    r = run(store, "incidents", p, skip_invalid=True, rejects=tmp_path / "r.csv")
    assert (r.rows_read, r.rejected) == (8, 2)


def test_fallbacks_and_derived_fields(store: Store, write: Write) -> None:
    m = Mapping.from_dict(
        {
            "columns": {"id": "number", "opened_at": "opened"},
            "fallbacks": {"resolved_at": ["resolved", "closed"]},
            "derive": {"impact_end": "impact_start + outage"},
            "nulls": ["null", "N/A"],
        }
    )
    p = write(
        "f.csv",
        "number,opened,resolved,closed,impact_start,outage\n"
        "A,2024-01-05 10:00,2024-01-05 11:00,2024-01-06 11:00,2024-01-05 10:00,3600\n"
        "B,2024-01-05 10:00,null,2024-01-06 11:00,2024-01-05 10:00,1970-01-01 00:30:00\n"
        "C,2024-01-05 10:00,N/A,,2024-01-05 10:00,1 Day 2 Hours\n",
    )
    r = run(store, "incidents", p, mapping=m)
    assert r.derived == {"impact_end": 3}
    got = store.fetch("SELECT id, resolved_at, impact_end FROM incident ORDER BY id")
    assert got == [
        ("A", dt.datetime(2024, 1, 5, 11), dt.datetime(2024, 1, 5, 11)),
        ("B", dt.datetime(2024, 1, 6, 11), dt.datetime(2024, 1, 5, 10, 30)),
        ("C", None, dt.datetime(2024, 1, 6, 12)),
    ]


def test_a_bad_duration_names_its_column(store: Store, write: Write) -> None:
    m = Mapping.from_dict({"derive": {"resolved_at": "opened_at + took"}})
    p = write("d.csv", "id,opened_at,took\nA,2024-01-05 10:00,soon\n")
    with pytest.raises(InputError, match="not a duration") as info:
        run(store, "incidents", p, mapping=m)
    assert (info.value.column, info.value.value) == ("took", "soon")


def test_ids_that_must_be_mapped(store: Store, write: Write) -> None:
    m = Mapping.from_dict({"must_map": {"service": "uuid"}})
    uuid = "695bce3d-4621-4630-8ae1-24eb89c22d6e"
    p = write("u.csv", f"id,opened_at,service\nA,2024-01-05 10:00,{uuid}\n")
    with pytest.raises(InputError, match="service is a uuid, not a name") as info:
        run(store, "incidents", p, mapping=m)
    assert f'--value service:"{uuid}"=NAME' in (info.value.hint or "")
    named = m.merged(values={"service": {uuid: "Checkout"}})
    run(store, "incidents", p, mapping=named)
    assert store.scalar("SELECT service FROM incident") == "Checkout"


def test_mapping_tables_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"must_map\.service = 'guid'"):
        Mapping.from_dict({"must_map": {"service": "guid"}})
    with pytest.raises(ConfigError, match=r"FIELD \+ DURATION_COLUMN"):
        Mapping.from_dict({"derive": {"resolved_at": "opened_at"}})
    with pytest.raises(ConfigError, match="date_order must be one of"):
        Mapping.from_dict({"date_order": "sideways"})


@pytest.mark.parametrize(
    ("order", "value", "expected"),
    [
        ("month-first", "03/04/2025 06:04", dt.datetime(2025, 3, 4, 6, 4)),
        ("day-first", "03/04/2025 06:04", dt.datetime(2025, 4, 3, 6, 4)),
        ("day-first", "17.03.2025", dt.datetime(2025, 3, 17)),
    ],
)
def test_date_order(
    store: Store, write: Write, order: str, value: str, expected: dt.datetime
) -> None:
    p = write("o.csv", f"id,opened_at\nA,{value}\n")
    run(store, "incidents", p, mapping=Mapping.from_dict({"date_order": order}))
    assert store.scalar("SELECT opened_at FROM incident") == expected


def test_inferred_date_order_holds_across_the_file(store: Store, write: Write) -> None:
    """3/17/2025 shows month first, so 3/4/2025 is 4 March; a later 17/3 contradicts it."""
    m = Mapping.from_dict({"date_order": "infer"})
    p = write("i.csv", "id,opened_at\nA,3/17/2025 6:04\nB,3/4/2025 6:04\n")
    run(store, "incidents", p, mapping=m)
    got = store.fetch("SELECT id, opened_at FROM incident ORDER BY id")
    assert got[1] == ("B", dt.datetime(2025, 3, 4, 6, 4))
    q = write("j.csv", "id,opened_at\nA,3/17/2025 6:04\nB,17/3/2025 6:04\n")
    with pytest.raises(InputError, match="both day first and month first"):
        run(store, "incidents", q, mapping=m)


def test_servicenow_choice_labels_lead_with_the_level(store: Store, write: Write) -> None:
    p = write("s.csv", "id,opened_at,severity\nA,2024-01-05,3 - Low\nB,2024-01-05,1 - High\n")
    run(store, "incidents", p)
    assert store.fetch("SELECT severity FROM incident ORDER BY id") == [("P3",), ("P1",)]


# -- mapping features: ids, one record per value, which snapshot row wins --------------------
def test_id_from_the_row(store: Store, write: Write) -> None:
    p = write("no-ids.csv", "opened_at,service\n2024-01-05 10:00,ERP\n2024-01-06 10:00,CRM\n")
    r = run(store, "incidents", p, mapping=Mapping.from_dict({"id_from": "row"}))
    assert r.inserted == 2
    got = store.fetch("SELECT id, service FROM incident WHERE source <> 'auto' ORDER BY id")
    assert got == [("no-ids.csv:2", "ERP"), ("no-ids.csv:3", "CRM")]
    again = run(store, "incidents", p, mapping=Mapping.from_dict({"id_from": "row"}))
    assert (again.inserted, again.unchanged) == (0, 2)


def test_id_from_a_hash_of_columns_is_stable_across_exports(store: Store, write: Write) -> None:
    m = Mapping.from_dict({"id_from": ["Ticket", "System"], "columns": {"opened_at": "Opened"}})
    first = write(
        "a.csv", "Ticket,System,Opened\n77,ERP,2024-01-05 10:00\n78,CRM,2024-01-05 11:00\n"
    )
    run(store, "incidents", first, mapping=m)
    # A later export, rows in another order and one more: the same records are found.
    later = write(
        "b.csv",
        "System,Opened,Ticket\nCRM,2024-01-05 11:00,78\nHR,2024-01-07 09:00,79\nERP,2024-01-05 10:00,77\n",
    )
    r = run(store, "incidents", later, mapping=m)
    assert (r.inserted, r.unchanged) == (1, 2)
    ids = [i for (i,) in store.fetch("SELECT id FROM incident WHERE source <> 'auto'")]
    assert len(ids) == 3 and all(i.startswith("h-") and len(i) == 22 for i in ids)


def test_id_from_names_a_missing_column(store: Store, write: Write) -> None:
    p = write("x.csv", "Ticket,opened_at\n1,2024-01-05\n")
    with pytest.raises(InputError, match="id_from names column 'System'"):
        run(store, "incidents", p, mapping=Mapping.from_dict({"id_from": ["Ticket", "System"]}))


def test_one_record_per_value_of_a_multi_valued_column(store: Store, write: Write) -> None:
    m = Mapping.from_dict({"split": {"service": ";"}})
    p = write(
        "multi.csv",
        "id,opened_at,resolved_at,severity,service\n"
        "INC1,2024-01-05 10:00,2024-01-05 11:00,P1,ERP; CRM ;\n"
        "INC2,2024-01-06 10:00,,P2,\n"
        "INC3,2024-01-07 10:00,,P2,Mail\n",
    )
    r = run(store, "incidents", p, mapping=m)
    assert r.rows_read == 4
    got = store.fetch(
        "SELECT id, service, resolved_at FROM incident WHERE source <> 'auto' ORDER BY id"
    )
    assert got == [
        ("INC1/CRM", "CRM", dt.datetime(2024, 1, 5, 11)),
        ("INC1/ERP", "ERP", dt.datetime(2024, 1, 5, 11)),
        ("INC2", None, None),
        ("INC3/Mail", "Mail", None),
    ]


SNAPSHOT = (
    "id,created_at,done_at,title\n"
    "W1,2024-01-01,,week 1 snapshot\n"
    "W2,2024-01-01,,other\n"
    "W1,2024-01-01,2024-01-20,week 2 snapshot\n"
    "W1,2024-01-01,2024-01-10,week 3 snapshot\n"
)


@pytest.mark.parametrize(
    ("pick", "title"),
    [
        (None, "week 3 snapshot"),
        ("last", "week 3 snapshot"),
        ("first", "week 1 snapshot"),
        ("latest done_at", "week 2 snapshot"),
        ("earliest done_at", "week 3 snapshot"),
    ],
)
def test_which_row_of_a_snapshot_export_wins(
    store: Store, write: Write, pick: str | None, title: str
) -> None:
    p = write("snap.csv", SNAPSHOT)
    m = Mapping.from_dict({"pick": pick} if pick else {})
    r = run(store, "work-items", p, mapping=m)
    assert r.duplicates_in_file == 2
    got = store.fetch("SELECT id, title FROM work_item ORDER BY id")
    assert got == [("W1", title), ("W2", "other")]


def test_a_wrong_pick_is_refused(store: Store, write: Write) -> None:
    p = write("snap.csv", SNAPSHOT)
    with pytest.raises(ConfigError, match="earliest FIELD"):
        run(store, "work-items", p, mapping=Mapping.from_dict({"pick": "newest"}))
    with pytest.raises(ConfigError, match="not a field of work-items"):
        run(store, "work-items", p, mapping=Mapping.from_dict({"pick": "latest week"}))


def test_a_field_combined_from_several_columns(store: Store, write: Write) -> None:
    m = Mapping.from_dict({"combine": {"problem": ["Cause", "Cause detail"]}, "nulls": ["null"]})
    p = write(
        "c.csv",
        "id,opened_at,Cause,Cause detail\n"
        "A,2024-01-05,Network,DNS\nB,2024-01-05,Hardware,null\nC,2024-01-05,,\n",
    )
    r = run(store, "incidents", p, mapping=m)
    assert r.ignored_columns == {}
    got = store.fetch("SELECT id, problem FROM incident WHERE source <> 'auto' ORDER BY id")
    assert got == [("A", "Network / DNS"), ("B", "Hardware"), ("C", None)]
    with pytest.raises(ConfigError, match="only a text field"):
        run(store, "incidents", p, mapping=Mapping.from_dict({"combine": {"opened_at": ["Cause"]}}))

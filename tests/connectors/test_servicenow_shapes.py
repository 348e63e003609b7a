"""ServiceNow exports in the shapes real instances produce (the samples themselves cannot be
shared): the default list export, a 10,000-row Windows-1252 production export, a file Excel
re-saved, a customised form export with a label written twice, the Table API's raw values,
and a closed standard change without planned dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from trustmeter.connectors import import_preset
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions
from trustmeter.store import Store

NEW_YORK = ImportOptions(timezone="America/New_York")
UTC = ImportOptions(timezone="UTC")


def incidents(
    store: Store, cols: str = "id, opened_at, resolved_at, severity, service, resolver"
) -> list[tuple[Any, ...]]:
    return store.fetch(f"SELECT {cols} FROM incident WHERE source <> 'auto' ORDER BY id")


def raw_api_body(**extra: Any) -> dict[str, Any]:
    """The Table API's default answer (no sysparm_display_value), as the issue quotes it."""
    return {
        "result": [
            {
                "number": "INC0000060",
                "opened_at": "2016-12-12 15:19:57",
                "resolved_at": "2016-12-13 21:43:14",
                "priority": "3",
                "state": "7",
                "short_description": "Unable to connect to email",
                "cmdb_ci": {
                    "link": "https://dev.service-now.com/api/now/table/cmdb_ci/109562a3c611227500a7b7ff98cc0dc7",
                    "value": "109562a3c611227500a7b7ff98cc0dc7",
                },
                "resolved_by": {
                    "link": "https://dev.service-now.com/api/now/table/sys_user/5137153cc611227c000bbd1bd8cd2007",
                    "value": "5137153cc611227c000bbd1bd8cd2007",
                },
                **extra,
            }
        ]
    }


def test_table_api_raw_references_are_refused_not_made_names(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(raw_api_body()))
    with pytest.raises(InputError) as info:
        import_preset(store, "incidents", [path], "servicenow", NEW_YORK)
    e = info.value
    assert e.column == "cmdb_ci" and e.value == "109562a3c611227500a7b7ff98cc0dc7"
    assert "sys_id" in e.problem and "sysparm_display_value=all" in (e.hint or "")
    assert store.scalar("SELECT count(*) FROM service") == 0  # no placeholder named by a sys_id


def test_table_api_raw_values_with_mapped_ids_read_times_as_utc(
    store: Store, tmp_path: Path
) -> None:
    from trustmeter.ingest import Mapping

    path = tmp_path / "incident.json"
    path.write_text(json.dumps(raw_api_body()))
    names = Mapping().merged(
        values={
            "service": {"109562a3c611227500a7b7ff98cc0dc7": "Email"},
            "resolver": {"5137153cc611227c000bbd1bd8cd2007": "Beth Anglin"},
        }
    )
    r = import_preset(store, "incidents", [path], "servicenow", NEW_YORK, overrides=names)
    assert r.zoneless == 0  # raw values are UTC: no workspace zone involved
    assert incidents(store) == [
        (
            "INC0000060",
            dt.datetime(2016, 12, 12, 15, 19, 57),
            dt.datetime(2016, 12, 13, 21, 43, 14),
            "P3",
            "Email",
            "Beth Anglin",
        )
    ]


def test_table_api_display_value_all_with_a_dangling_reference(
    store: Store, tmp_path: Path
) -> None:
    """sysparm_display_value=all: a reference to a deleted record shows "" — no name, and no
    record named by its sys_id either."""
    body = {
        "result": [
            {
                "number": {"display_value": "INC1", "value": "INC1"},
                "opened_at": {
                    "display_value": "2026-04-02 04:14:00",
                    "value": "2026-04-02 08:14:00",
                },
                "cmdb_ci": {"display_value": "", "value": "a9c0c8d2c6112276018f7705562f9cb0"},
            }
        ]
    }
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(body))
    import_preset(store, "incidents", [path], "servicenow", NEW_YORK)
    assert incidents(store, "id, opened_at, service") == [
        ("INC1", dt.datetime(2026, 4, 2, 8, 14), None)
    ]


def test_default_list_export_says_it_has_no_resolved_time(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,opened_at,short_description,caller_id,priority,state,assignment_group,assigned_to\n"
        "INC0010001,2025-03-17 06:04:00,VPN down,Abel Tuter,2 - High,Closed,Network,Beth Anglin\n"
    )
    r = import_preset(store, "incidents", [path], "servicenow", UTC)
    assert r.rows_read == 1
    assert any("no resolved time" in n and "imported as still open" in n for n in r.notes)


def production_export(path: Path, rows: int) -> None:
    """ServiceNow's production export: Windows-1252, incident_state, calendar_duration
    (seconds from opened to resolved), closed_at and closed_by; all but two rows Closed."""
    lines = [
        "number,opened_at,priority,cmdb_ci,incident_state,calendar_duration,closed_at,"
        "closed_by,short_description"
    ]
    start = dt.datetime(2025, 1, 1, 8, 0)
    for i in range(rows):
        opened = start + dt.timedelta(minutes=37 * i)
        head = f"INC{i:07d},{opened:%Y-%m-%d %H:%M:%S},{i % 4 + 1} - x,Caf\u00e9 ERP"
        if i < rows - 2:
            closed = opened + dt.timedelta(days=7)
            lines.append(
                f"{head},Closed,{5400 + i},{closed:%Y-%m-%d %H:%M:%S},Jos\u00e9 Admin,"
                f"R\u00e9seau lent {i}"
            )
        else:
            lines.append(f"{head},In Progress,,,,R\u00e9seau lent {i}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def test_production_export_of_exactly_10000_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    production_export(path, 10_000)
    opts = ImportOptions(timezone="UTC", encoding="cp1252")
    r = import_preset(store, "incidents", [path], "servicenow", opts)
    assert r.rows_read == 10_000 and r.inserted == 10_000
    assert r.derived == {"resolved_at": 9_998}
    assert any("probably cut off at ServiceNow's export limit" in n for n in r.notes)
    assert any("opened_at + calendar_duration" in n for n in r.notes)
    first = store.fetch(
        "SELECT opened_at, resolved_at, service FROM incident WHERE id = 'INC0000001'"
    )
    assert first == [
        (dt.datetime(2025, 1, 1, 8, 37), dt.datetime(2025, 1, 1, 10, 7, 1), "Caf\u00e9 ERP")
    ]
    assert (
        store.scalar("SELECT count(*) FROM incident WHERE source <> 'auto' AND resolved_at IS NULL")
        == 2
    )


def test_an_export_below_the_limit_gets_no_warning(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    production_export(path, 9_999)
    r = import_preset(store, "incidents", [path], "servicenow", ImportOptions(encoding="cp1252"))
    assert not any("cut off" in n for n in r.notes)


def test_closed_at_stands_in_when_there_is_no_duration(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,opened_at,priority,closed_at\nINC1,2025-03-17 06:04:00,1 - Critical,2025-03-24 06:10:00\n"
    )
    r = import_preset(store, "incidents", [path], "servicenow", UTC)
    assert incidents(store, "resolved_at") == [(dt.datetime(2025, 3, 24, 6, 10),)]
    assert any("resolved_at is closed_at" in n for n in r.notes)


def test_excel_resaved_export_with_null_and_us_dates(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,opened_at,priority,cmdb_ci,resolved_at,resolved_by,short_description\n"
        "INC1,3/17/2025 6:04,2 - High,ERP,3/17/2025 9:30,null,SAP slow\n"
        "INC2,3/5/2025 14:00,3 - Moderate,null,null,null,Printer\n"
    )
    r = import_preset(store, "incidents", [path], "servicenow", UTC)
    assert r.rows_read == 2
    assert incidents(store) == [
        (
            "INC1",
            dt.datetime(2025, 3, 17, 6, 4),
            dt.datetime(2025, 3, 17, 9, 30),
            "P2",
            "ERP",
            None,
        ),
        ("INC2", dt.datetime(2025, 3, 5, 14, 0), None, "P3", None, None),
    ]
    assert store.scalar("SELECT count(*) FROM person WHERE id = 'null'") == 0


def test_excel_resaved_dates_that_could_be_either_way_are_refused(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "incident.csv"
    path.write_text("number,opened_at,priority\nINC1,3/5/2025 6:04,2 - High\n")
    with pytest.raises(InputError, match="day first or month first") as info:
        import_preset(store, "incidents", [path], "servicenow", UTC)
    assert "--date-format" in (info.value.hint or "")


def test_customised_form_export_with_severity_twice(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    path.write_text(
        "Number,Created,Last update,Urgency,Severity,Short description,Severity\n"
        "INC1,03-17-2025 06:04:00,03-18-2025 10:00:00,1 - High,,Payroll down,1 - High\n"
        "INC2,03-02-2025 10:00:00,03-18-2025 10:00:00,3 - Low,3 - Low,Typo,3 - Low\n"
    )
    r = import_preset(store, "incidents", [path], "servicenow", UTC)
    assert incidents(store, "id, opened_at, severity, title") == [
        ("INC1", dt.datetime(2025, 3, 17, 6, 4), "P1", "Payroll down"),
        ("INC2", dt.datetime(2025, 3, 2, 10, 0), "P3", "Typo"),
    ]
    assert any("'Severity' 2 times (columns 5 and 7)" in n for n in r.notes)


def test_closed_standard_change_without_planned_dates(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "change_request.csv"
    path.write_text(
        "number,type,state,cmdb_ci,opened_at,start_date,end_date,work_end,closed_at,close_code\n"
        "CHG1,Normal,Closed,ERP,2026-03-20 09:00:00,2026-04-01 20:00:00,2026-04-01 22:00:00,"
        "2026-04-01 21:40:00,2026-04-02 08:00:00,successful\n"
        "CHG2,Standard,Closed,Network,2026-04-20 09:00:00,,,,2026-04-20 11:15:00,successful\n"
    )
    r = import_preset(store, "changes", [path], "servicenow", UTC)
    assert r.rows_read == 2
    got = store.fetch("SELECT id, deployed_at FROM change WHERE source <> 'auto' ORDER BY id")
    assert got == [
        ("CHG1", dt.datetime(2026, 4, 1, 21, 40)),
        ("CHG2", dt.datetime(2026, 4, 20, 11, 15)),
    ]


def test_sync_does_not_stop_at_a_standard_change_without_dates(store: Store) -> None:
    from connector_helpers import NOW, Replay, creds, source

    from trustmeter.connectors import sync

    r = sync.run(
        store,
        source("servicenow", tables=["change_request"]),
        creds("servicenow"),
        "Europe/Berlin",
        transport=Replay("servicenow/sync-standard-change.json"),
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    assert r.records == 2
    got = store.fetch("SELECT id, deployed_at, kind FROM change WHERE source <> 'auto' ORDER BY id")
    assert got == [
        ("CHG0040001", dt.datetime(2026, 4, 1, 21, 40), "normal"),
        ("CHG0040002", dt.datetime(2026, 4, 20, 11, 15), "standard"),
    ]


@pytest.mark.parametrize(
    ("zone", "stamp"),
    [
        (None, "2025-12-31 12:00:00"),  # 12 h early: right for any zone of the API user
        ("America/New_York", "2025-12-31 18:55:00"),  # 19:00 EST, 5 minutes' overlap
        ("Asia/Tokyo", "2026-01-01 08:55:00"),
    ],
)
def test_sync_writes_its_cursor_in_the_api_users_zone(
    store: Store, zone: str | None, stamp: str
) -> None:
    """ServiceNow reads an encoded query's times in the API user's zone, not UTC."""
    from connector_helpers import NOW, Replay, creds, source

    from trustmeter.connectors import sync

    replay = Replay("servicenow/sync-standard-change.json")
    options: dict[str, Any] = {"tables": ["change_request"]}
    if zone:
        options["timezone"] = zone
    sync.run(
        store,
        source("servicenow", **options),
        creds("servicenow"),
        "UTC",
        transport=replay,
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    query = replay.requests[0].url.params["sysparm_query"]
    assert query == f"sys_updated_on>={stamp}^ORDERBYsys_updated_on"


def test_explain_reads_the_excel_resave_as_the_import_does(tmp_path: Path, db_url: str) -> None:
    from click.testing import CliRunner

    from trustmeter.cli import cli

    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root), "--db", db_url]).exit_code == 0
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,opened_at,priority,resolved_at,resolved_by\n"
        "INC1,3/17/2025 6:04,2 - High,3/17/2025 9:30,null\n"
    )
    r = CliRunner().invoke(
        cli,
        [
            "--workspace",
            str(root),
            "import",
            "incidents",
            str(path),
            "--format",
            "servicenow",
            "--explain",
            "--dry-run",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "resolver: 0 distinct names" in r.output and "✗" not in r.output


def test_a_semicolon_export_still_gets_the_delimiter_hint(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "incident.csv"
    path.write_text("number;opened_at;priority\nINC1;2025-03-17 06:04:00;1 - Critical\n")
    with pytest.raises(InputError) as info:
        import_preset(store, "incidents", [path], "servicenow", UTC)
    assert "--delimiter ';'" in (info.value.hint or "") and info.value.line == 1


def test_business_duration_alone_is_never_read_as_the_resolution(
    store: Store, tmp_path: Path
) -> None:
    """business_duration counts working hours only: opened + it is not when the incident was
    resolved (here a Friday-evening incident fixed on Monday has 1 working hour). With no
    resolved_at, calendar_duration or closed_at, every incident is imported as open, and the
    summary says why business_duration was not used and what to add (issue 13)."""
    path = tmp_path / "incident.csv"
    path.write_text(
        "number,opened_at,priority,incident_state,business_duration\n"
        "INC1,2025-03-14 17:30:00,2 - High,Resolved,3600\n"
        "INC2,2025-03-17 09:00:00,3 - Moderate,Closed,1970-01-01 02:00:00\n"
    )
    r = import_preset(store, "incidents", [path], "servicenow", UTC)
    assert r.rows_read == 2 and r.derived == {}
    assert incidents(store, "id, resolved_at") == [("INC1", None), ("INC2", None)]
    (note,) = [n for n in r.notes if "no resolved time" in n]
    assert "imported as still open" in note
    assert "business_duration is not used: it counts working hours only" in note
    assert "add the Resolved column (or calendar_duration)" in note

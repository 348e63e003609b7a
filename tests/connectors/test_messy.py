"""Messy exports: unknown values, renamed columns, missing zones; and nothing half-imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from connector_helpers import FIXTURES

from trustmeter.connectors import get_preset, import_preset
from trustmeter.connectors.explain import explain, render
from trustmeter.connectors.importing import fitted, opener, read_options
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions, Mapping
from trustmeter.store import Store

HEADER = "number,opened_at,priority,cmdb_ci,resolved_at,short_description\n"


def _csv(tmp_path: Path, name: str, body: str, header: str = HEADER) -> Path:
    p = tmp_path / name
    p.write_text(header + body, encoding="utf-8")
    return p


def _count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM incident"))


def test_unknown_value_names_the_value_and_how_to_map_it(store: Store, tmp_path: Path) -> None:
    good = _csv(tmp_path, "a.csv", "INC1,2026-04-02 10:00:00,1 - Critical,ERP,,ok\n")
    bad = _csv(
        tmp_path,
        "b.csv",
        "INC2,2026-04-02 11:00:00,2 - High,ERP,,ok\nINC3,2026-04-02 12:00:00,0 - Catastrophic,ERP,,bad\n",
    )
    with pytest.raises(InputError) as info:
        import_preset(store, "incidents", [good, bad], "servicenow")
    msg = str(info.value)
    assert "b.csv, line 3, column 'priority'" in msg
    assert "'0 - Catastrophic'" in msg
    assert '--value severity:"0 - Catastrophic"=P1' in msg
    assert _count(store) == 0  # the good file was not imported either


def test_a_value_map_on_the_command_line_fixes_it(store: Store, tmp_path: Path) -> None:
    bad = _csv(tmp_path, "b.csv", "INC3,2026-04-02 12:00:00,0 - Catastrophic,ERP,,bad\n")
    over = Mapping().merged(values={"severity": {"0 - Catastrophic": "P1"}})
    import_preset(store, "incidents", [bad], "servicenow", overrides=over)
    assert store.fetch("SELECT severity FROM incident") == [("P1",)]


def test_renamed_column_says_which_and_what_the_file_has(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "renamed.csv",
        "INC1,2026-04-02 10:00:00,1 - Critical,ERP,,x\n",
        header="Incident number,opened_at,priority,cmdb_ci,resolved_at,short_description\n",
    )
    with pytest.raises(InputError) as info:
        import_preset(store, "incidents", [path], "servicenow")
    msg = str(info.value)
    assert "takes id from column 'number', which the file lacks" in msg
    assert "'Incident number'" in msg and "--map id=COLUMN" in msg
    assert _count(store) == 0
    over = Mapping().merged(columns={"id": "Incident number"})
    import_preset(store, "incidents", [path], "servicenow", overrides=over)
    assert _count(store) == 1


def test_missing_time_zone_is_read_in_the_workspace_zone_and_counted(
    store: Store, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path, "tz.csv", "INC1,2026-04-02 10:00:00,1 - Critical,ERP,2026-04-02T09:30:00Z,x\n"
    )
    r = import_preset(
        store, "incidents", [path], "servicenow", ImportOptions(timezone="Europe/Berlin")
    )
    assert r.zoneless == 1 and r.timezone == "Europe/Berlin"
    assert store.fetch("SELECT opened_at, resolved_at FROM incident")[0][0].hour == 8


def test_explain_shows_columns_reasons_and_values(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "x.csv",
        "INC1,2026-04-02 10:00:00,1 - Critical,ERP,,a\nINC2,2026-04-03 10:00:00,9 - Whatever,CRM,,b\n",
        header="number,opened_at,priority,cmdb_ci,resolved_at,short_description,closed_at,u_colour\n".replace(
            ",closed_at,u_colour", ""
        ),
    )
    preset = get_preset("servicenow", "incidents")
    opts = ImportOptions(timezone="Europe/Berlin")
    m = fitted(preset, [path], None, None, opts)
    e = explain(
        "incidents", [path], m, opener(preset, read_options(m, opts)), "Europe/Berlin", preset
    )
    text = render(e)
    assert "id                 ← 'number'  (preset servicenow-incidents)" in text
    assert "'1 - Critical' ×1 → P1" in text
    assert "'9 - Whatever' ×1 → ✗ not a severity" in text
    assert '--value severity:"9 - Whatever"=P1' in text
    assert "opened_at: 2 values have no time zone and are read as Europe/Berlin" in text
    assert "service: 2 distinct names" in text


def test_explain_gives_the_preset_reason_for_an_ignored_column() -> None:
    path = FIXTURES / "servicenow/incident.csv"
    preset = get_preset("servicenow", "incidents")
    opts = ImportOptions()
    m = fitted(preset, [path], None, None, opts)
    e = explain("incidents", [path], m, opener(preset, read_options(m, opts)), "UTC", preset)
    ignored = dict(e.files[0].ignored)
    assert ignored["closed_at"].startswith("closing is administrative")
    assert ignored["state"] == "the lifecycle state is implied by resolved_at"

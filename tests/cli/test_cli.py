"""The command line as a user drives it: init, import, score, trend, explain, report, framework."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli

INCIDENTS = """number,opened,priority,service,resolved,title
INC1,2024-02-01 10:00,critical,ERP,2024-02-01 12:00,ERP down
INC2,2024-02-03 10:00,critical,ERP,2024-02-03 11:00,<script>alert(1)</script>
INC3,2024-02-05 10:00,high,<img src=x onerror=alert(1)>,2024-02-05 14:00,"CRM slow & ""odd"" day"
INC4,2024-02-07 10:00,high,ERP,2024-02-07 13:00,ERP again
INC5,2024-03-09 10:00,critical,ERP,2024-03-09 15:00,ERP batch
"""


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Path:
    root = tmp_path / "ws"
    r = CliRunner().invoke(
        cli,
        ["init", str(root), "--profile", "small", "--db", db_url, "--timezone", "Europe/Berlin"],
    )
    assert r.exit_code == 0, r.output
    return root


def run(ws: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--workspace", str(ws), *args], catch_exceptions=False)


def _import(ws: Path, tmp_path: Path, *extra: str) -> object:
    f = tmp_path / "incidents.csv"
    f.write_text(INCIDENTS)
    return run(
        ws,
        "import",
        "incidents",
        str(f),
        "--map",
        "id=number",
        "--map",
        "opened_at=opened",
        "--map",
        "resolved_at=resolved",
        "--map",
        "severity=priority",
        "--value",
        "severity:critical=P1",
        "--value",
        "severity:high=P2",
        *extra,
    )


def test_import_summary_counts_and_reimport_is_safe(ws: Path, tmp_path: Path) -> None:
    r = _import(ws, tmp_path)
    assert r.exit_code == 0, r.output
    assert "5 inserted, 0 updated, 0 unchanged" in r.output
    # 10 timestamps (opened and resolved) had no zone: read in the workspace's Europe/Berlin
    assert "10 timestamps had no time zone" in r.output and "Europe/Berlin" in r.output
    r = _import(ws, tmp_path)
    assert "0 inserted, 0 updated, 5 unchanged" in r.output


def test_dry_run_writes_nothing(ws: Path, tmp_path: Path) -> None:
    r = _import(ws, tmp_path, "--dry-run")
    assert r.exit_code == 0 and "dry run: nothing was written" in r.output
    assert "5 inserted" in r.output
    r = _import(ws, tmp_path)
    assert "5 inserted" in r.output


def test_bad_value_is_one_clean_error_and_nothing_written(ws: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(INCIDENTS.replace("INC4,2024-02-07 10:00,high", "INC4,2024-02-07 10:00,urgent"))
    r = CliRunner().invoke(
        cli,
        [
            "--workspace",
            str(ws),
            "import",
            "incidents",
            str(f),
            "--map",
            "id=number",
            "--map",
            "opened_at=opened",
            "--map",
            "severity=priority",
            "--value",
            "severity:critical=P1",
            "--value",
            "severity:high=P2",
        ],
    )
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "bad.csv" in r.output and "line 5" in r.output and "urgent" in r.output
    r = run(ws, "score", "--from", "2024-01-01", "--to", "2024-04-01", "--json")
    card = json.loads(r.output)
    mttr = next(m for a in card["areas"] for m in a["metrics"] if m["id"] == "mttr")
    assert mttr["status"] == "no_data"


def test_score_json_shape_and_values(ws: Path, tmp_path: Path) -> None:
    _import(ws, tmp_path)
    r = run(ws, "score", "--from", "2024-01-01", "--to", "2024-04-01", "--json")
    assert r.exit_code == 0, r.output
    card = json.loads(r.output)
    assert card["period"]["from"] == "2024-01-01" and card["period"]["to"] == "2024-04-01"
    assert set(card) >= {"period", "trust_index", "predictability_index", "stage", "areas", "focus"}
    assert set(card["stage"]) >= {"level", "name", "blocked_by"}
    assert [a["id"] for a in card["areas"]] == [
        "stability",
        "delivery",
        "planning",
        "relationships",
        "talent",
    ]
    for a in card["areas"]:
        assert set(a) >= {"id", "score", "coverage", "metrics"}
        for m in a["metrics"]:
            assert set(m) >= {"id", "value", "unit", "target", "score", "n", "status"}
    mttr = next(m for m in card["areas"][0]["metrics"] if m["id"] == "mttr")
    # restore times 2, 1, 4, 3, 5 h (Berlin local, same offset both ends) → median 3 h
    assert mttr["value"] == pytest.approx(3.0) and mttr["n"] == 5 and mttr["status"] == "ok"
    assert mttr["evidence"][0]["name"] == "ERP"


def test_score_text_trend_and_explain(ws: Path, tmp_path: Path) -> None:
    _import(ws, tmp_path)
    r = run(ws, "score", "--as-of", "2024-04-15")
    assert r.exit_code == 0, r.output
    # stability has 3 of its 7 counted metrics (small profile) → not measured → stage 0
    assert "2024-Q1" in r.output and "Stage 0: Unstable" in r.output
    assert "Blocked from Order Taker by" in r.output
    r = run(ws, "trend", "--periods", "3", "--as-of", "2024-04-15", "--json")
    labels = [c["period"]["label"] for c in json.loads(r.output)["periods"]]
    assert labels == ["2023-Q3", "2023-Q4", "2024-Q1"]
    r = run(ws, "explain", "mttr", "--as-of", "2024-04-15", "--json")
    ex = json.loads(r.output)
    assert ex["records"]["total"] == 5
    assert sorted(row[ex["records"]["columns"].index("id")] for row in ex["records"]["rows"]) == [
        "INC1",
        "INC2",
        "INC3",
        "INC4",
        "INC5",
    ]
    r = run(ws, "explain", "nonsense")
    assert r.exit_code == 1 and "unknown metric 'nonsense'" in r.output


def test_report_escapes_imported_text(ws: Path, tmp_path: Path) -> None:
    _import(ws, tmp_path)
    out = tmp_path / "r.html"
    r = run(ws, "report", "--out", str(out), "--as-of", "2024-04-15", "--periods", "2")
    assert r.exit_code == 0, r.output
    html = out.read_text()
    # The service name with markup reaches the report through the metrics' evidence.
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_framework_show_and_validate(ws: Path, tmp_path: Path) -> None:
    r = run(ws, "framework", "show")
    assert r.exit_code == 0 and "[metrics.mttr]" in r.output
    assert "valid (5 areas" in run(ws, "framework", "validate").output
    bad = tmp_path / "bad.toml"
    bad.write_text("[metrics.mttr]\ntarget = 'soon'\n")
    r = CliRunner().invoke(cli, ["framework", "validate", str(bad)])
    assert r.exit_code == 1 and "metrics.mttr.target: expected a number" in r.output


def test_workspace_from_environment(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTMETER_WORKSPACE", str(ws))
    r = CliRunner().invoke(cli, ["framework", "validate"])
    assert r.exit_code == 0 and str(ws) in r.output


def test_no_workspace_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRUSTMETER_WORKSPACE", raising=False)
    r = CliRunner().invoke(cli, ["score"])
    assert r.exit_code == 1 and "no trustmeter workspace here" in r.output


def test_usage_errors(ws: Path) -> None:
    r = CliRunner().invoke(cli, ["--workspace", str(ws), "score", "--from", "2024-01-01"])
    assert r.exit_code == 2 and "give both --from and --to" in r.output
    r = CliRunner().invoke(cli, ["--workspace", str(ws), "score", "--as-of", "01/02/2024"])
    assert r.exit_code == 2 and "expected a date as YYYY-MM-DD" in r.output


def test_explain_takes_the_id_as_people_type_it(ws: Path, tmp_path: Path) -> None:
    _import(ws, tmp_path)
    by_id = json.loads(run(ws, "explain", "mttr", "--as-of", "2024-04-15", "--json").output)
    for typed in ("MTTR", " Mttr ", "mean time to restore (median)"):
        r = run(ws, "explain", typed, "--as-of", "2024-04-15", "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["metric"] == by_id["metric"]


def test_help_examples_keep_their_lines_on_a_narrow_terminal() -> None:
    r = CliRunner().invoke(cli, ["--help"], terminal_width=60)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    # each example stays one line of its own, however narrow the terminal
    assert "      trustmeter -w acme-it score" in lines
    assert any(
        line.strip()
        == "trustmeter -w acme-it import incidents incidents.csv --mapping servicenow.toml"
        for line in lines
    )
    r = CliRunner().invoke(cli, ["init", "--help"], terminal_width=60)
    assert "      trustmeter init team-ws --db postgresql://trustmeter@db.internal/trustmeter" in (
        r.output.splitlines()
    )


def test_scorecard_and_trend_fit_80_columns_without_cutting(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(ws, tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    for args in (("score",), ("trend", "--periods", "8")):
        r = run(ws, *args, "--as-of", "2024-04-15")
        assert r.exit_code == 0, r.output
        assert "…" not in r.output, r.output
        assert max(len(line) for line in r.output.splitlines()) <= 80
    r = run(ws, "score", "--as-of", "2024-04-15")
    for metric_id in ("change_failure_rate", "repeat_incidents", "lead_time_for_changes"):
        assert metric_id in r.output

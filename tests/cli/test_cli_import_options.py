"""`import --encoding`, `--skip-invalid` and `--rejects`, and the summary lines they add."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from trustmeter.cli import cli


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Path:
    root = tmp_path / "ws"
    r = CliRunner().invoke(cli, ["init", str(root), "--profile", "small", "--db", db_url])
    assert r.exit_code == 0, r.output
    return root


def run(ws: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(ws), *args])


def test_encoding_option_reads_a_windows_1252_file(ws: Path, tmp_path: Path) -> None:
    f = tmp_path / "incidents.csv"
    f.write_bytes("id,opened_at,service\nINC1,2024-02-01 10:00,Caf\u00e9 ERP\n".encode("cp1252"))
    refused = run(ws, "import", "incidents", str(f))
    assert refused.exit_code != 0 and "--encoding cp1252" in refused.output
    r = run(ws, "import", "incidents", str(f), "--encoding", "cp1252")
    assert r.exit_code == 0, r.output
    assert "1 inserted" in r.output


def test_encoding_option_with_a_preset(ws: Path, tmp_path: Path) -> None:
    f = tmp_path / "incident.csv"
    f.write_bytes(
        "number,opened_at,priority,cmdb_ci\nINC1,2024-02-01 10:00:00,1 - Critical,Caf\u00e9\n".encode(
            "cp1252"
        )
    )
    r = run(ws, "import", "incidents", str(f), "--format", "servicenow", "--encoding", "cp1252")
    assert r.exit_code == 0, r.output
    assert "the export has no resolved time" in r.output


def test_skip_invalid_writes_rejects_and_says_so(ws: Path, tmp_path: Path) -> None:
    f = tmp_path / "incidents.csv"
    f.write_text(
        "id,opened_at,resolved_at\n"
        "INC1,2024-02-01 10:00,2024-02-01 11:00\n"
        "INC2,2024-02-01 10:00,2024-02-01 09:00\n"
        "INC3,9999-12-31 00:00,\n"
    )
    refused = run(ws, "import", "incidents", str(f))
    assert refused.exit_code != 0 and "line 3" in refused.output
    rejects = tmp_path / "out" / "refused.csv"
    rejects.parent.mkdir()
    r = run(ws, "import", "incidents", str(f), "--skip-invalid", "--rejects", str(rejects))
    assert r.exit_code == 0, r.output
    assert "1 inserted" in r.output
    assert f"2 invalid rows were refused, each listed in {rejects}" in r.output
    with open(rejects, newline="") as fh:
        assert [row["line"] for row in csv.DictReader(fh)] == ["3", "4"]

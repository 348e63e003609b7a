"""`trustmeter ordering` end to end on a small workspace, on DuckDB and PostgreSQL.

Six months of P1 incidents that fall from six a month to one: with the workspace's framework
(stability measured by major incidents alone) stability crosses 40 in April and holds 70 for
two periods from June. The default framework cannot measure stability from incidents alone,
so its stages differ: the side-by-side must show both, each as `trend` computes it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from trustmeter.cli import cli

PER_MONTH = {1: 6, 2: 5, 3: 4, 4: 2, 5: 1, 6: 1}
ONLY_MAJOR_INCIDENTS = "".join(
    f"\n[framework.metrics.{m}]\nenabled = false\n"
    for m in (
        "availability",
        "mttr",
        "mtta",
        "change_failure_rate",
        "repeat_incidents",
        "unplanned_work",
    )
)


def run(ws: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(ws), *args], catch_exceptions=False)


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Path:
    root = tmp_path / "ws"
    r = CliRunner().invoke(cli, ["init", str(root), "--profile", "small", "--db", db_url])
    assert r.exit_code == 0, r.output
    rows = ["number,opened,priority,service,resolved"]
    for month, count in PER_MONTH.items():
        for i in range(count):
            day = f"2024-{month:02d}-{i + 2:02d}"
            rows.append(f"INC{month}{i},{day} 10:00,critical,ERP,{day} 10:30")
    f = tmp_path / "incidents.csv"
    f.write_text("\n".join(rows) + "\n")
    maps = ["id=number", "opened_at=opened", "resolved_at=resolved", "severity=priority"]
    args = [a for m in maps for a in ("--map", m)]
    r = run(root, "import", "incidents", str(f), *args, "--value", "severity:critical=P1")
    assert r.exit_code == 0, r.output
    config = root / "trustmeter.toml"
    config.write_text(config.read_text() + ONLY_MAJOR_INCIDENTS)
    return root


def _trend(ws: Path) -> list[dict[str, Any]]:
    r = run(ws, "trend", "--periods", "6", "--period", "month", "--as-of", "2024-07-01", "--json")
    assert r.exit_code == 0, r.output
    periods: list[dict[str, Any]] = json.loads(r.output)["periods"]
    return periods


def test_ordering_json_on_a_small_workspace(ws: Path) -> None:
    r = run(
        ws, "ordering", "--period", "month", "--from", "2024-01-01", "--to", "2024-07-01", "--json"
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    labels = [p["label"] for p in out["periods"]]
    assert labels == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]

    # The time line is the trend's: the same area scores and stages, period by period.
    trend = _trend(ws)
    for mine, card in zip(out["periods"], trend, strict=True):
        assert mine["stage"]["level"] == card["stage"]["level"]
        for area in card["areas"]:
            assert mine["scores"][area["id"]] == area["score"]
    stability = [p["scores"]["stability"] for p in out["periods"]]
    assert stability[3] >= 40 > stability[2] and min(stability[4:]) >= 70 > stability[3]

    # Crossed for good: ≥ 40 from April; ≥ 70 in this period and the one before from June.
    gates = {(g["area"], g["min"]): g["crossed"] for g in out["gates"]}
    assert gates[("stability", 40)] == "2024-04-01"
    assert gates[("stability", 70)] == "2024-06-01"
    assert out["crossings"]["stability"] == "2024-06-01"
    assert out["crossings"]["relationships"] is None

    # Under the default framework stability is not measured from incidents alone: the
    # default stages are what `trend` gives once the override is gone.
    assert out["same_framework"] is False
    config = ws / "trustmeter.toml"
    config.write_text(config.read_text().replace(ONLY_MAJOR_INCIDENTS, ""))
    default = _trend(ws)
    assert [p["default_stage"]["level"] for p in out["periods"]] == [
        c["stage"]["level"] for c in default
    ]
    assert [p["stage"]["level"] for p in out["periods"]] != [
        p["default_stage"]["level"] for p in out["periods"]
    ]

    # Six months are too short for any pair: not demonstrable, with what is needed.
    assert out["verdict"] == "not_demonstrable"
    assert {(p["leader"], p["follower"]) for p in out["pairs"]} >= {
        ("stability", "relationships"),
        ("stability", "planning"),
        ("delivery", "relationships"),
        ("delivery", "planning"),
    }
    for pair in out["pairs"]:
        assert pair["verdict"] == "not_demonstrable" and pair["lag_periods"] is None
        assert pair["needs"]["text"]
    rel = next(p for p in out["pairs"] if p["follower"] == "relationships")
    assert rel["observed_at"] == "survey campaigns" and rel["needs"]["campaigns"] == 9
    assert out["needs"]["campaigns"] == 9 and out["campaigns"] == []


def test_ordering_text_says_not_demonstrable_yet_and_what_would_decide(ws: Path) -> None:
    r = run(ws, "ordering", "--period", "month", "--from", "2024-01-01", "--to", "2024-07-01")
    assert r.exit_code == 0, r.output
    assert "Verdict: not demonstrable yet" in r.output
    assert "What would decide it" in r.output and "survey campaigns" in r.output
    assert "default" in r.output and "Order Taker" in r.output and "Unstable" in r.output


def test_ordering_usage_errors(ws: Path) -> None:
    r = CliRunner().invoke(cli, ["-w", str(ws), "ordering", "--from", "2024-13-01"])
    assert r.exit_code == 2 and "expected a date as YYYY-MM-DD" in r.output
    r = CliRunner().invoke(
        cli, ["-w", str(ws), "ordering", "--from", "2024-06-01", "--to", "2024-01-01"]
    )
    assert r.exit_code == 2 and "--to must be after --from" in r.output

"""`trustmeter forecast …` as a user drives it, on a workspace of imported work items."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli

FIRST = date(2024, 1, 1)


def per_day(i: int) -> int:
    return (i * 7) % 5  # 0, 2, 4, 1, 3, 0, … : a fifth of the days see nothing


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Path:
    root = tmp_path / "ws"
    r = CliRunner().invoke(cli, ["init", str(root), "--profile", "small", "--db", db_url])
    assert r.exit_code == 0, r.output
    lines = ["id,created_at,done_at,team,title"]
    for i in range(120):  # January 1 to April 29, 2024
        day = FIRST + timedelta(days=i)
        for k in range(per_day(i)):
            team = "Desk" if k % 2 == 0 else "Platform"
            lines.append(f"W{i}-{k},{day} 08:00,{day} {10 + k}:00,{team},item {i}/{k}")
    lines.append("OPEN1,2024-03-20 08:00,,Desk,[bold]still open")
    f = tmp_path / "items.csv"
    f.write_text("\n".join(lines) + "\n")
    r = run(root, "import", "work-items", str(f))
    assert r.exit_code == 0, r.output
    return root


def flat(text: str) -> str:
    """Output without the terminal's line wrapping."""
    return " ".join(text.split())


def run(ws: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--workspace", str(ws), *args], catch_exceptions=False)


HISTORY = ("--history-from", "2024-01-02", "--history-to", "2024-03-31")


def test_when_how_many_and_likelihood(ws: Path) -> None:
    r = run(ws, "forecast", "when", "--items", "30", *HISTORY, "--seed", "1", "--json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    dates = [date.fromisoformat(body["percentiles"][k]) for k in ("50", "70", "85", "95")]
    assert dates == sorted(dates) and dates[0] > date(2024, 4, 1)
    assert body["start"] == "2024-04-01" and body["seed"] == 1
    assert body["history"]["days"] == 90 and body["stability"]["stable"] is not None
    again = run(ws, "forecast", "when", "--items", "30", *HISTORY, "--seed", "1", "--json")
    assert json.loads(again.output)["percentiles"] == body["percentiles"]

    r = run(ws, "forecast", "how-many", "--by", "2024-04-14", *HISTORY, "--seed", "1", "--json")
    body = json.loads(r.output)
    counts = body["percentiles"]
    assert counts["95"] <= counts["85"] <= counts["70"] <= counts["50"]
    # four months of history cannot replay 20 forecasts from the year before: plain
    assert body["calibrated"] is False and body["calibration"] is None
    r = run(ws, "forecast", "how-many", "--by", "2024-04-14", *HISTORY)
    assert "plain Monte Carlo: fewer than 20 past forecasts" in flat(r.output)

    r = run(ws, "forecast", "likelihood", "--items", "5", "--by", "2024-04-14", *HISTORY)
    assert r.exit_code == 0
    assert "Chance of 5 items done from 2024-04-01 to 2024-04-14" in flat(r.output)
    assert ">99 %" in r.output and "100 %" not in r.output
    assert r.output.index("throughput is") < r.output.index("Chance of")  # stability first
    assert "seed" in r.output  # a random seed is shown, so the answer can be reproduced

    r = run(ws, "forecast", "when", "--items", "10", "--team", "Desk", *HISTORY, "--seed", "2")
    assert flat(r.output).startswith("team Desk: history 2024-01-02 to 2024-03-31")
    assert "  85 %  by 2024-04-" in r.output


def test_weekends_blackouts_and_start(ws: Path) -> None:
    r = run(
        ws,
        "forecast",
        "how-many",
        "--by",
        "2024-04-14",
        *HISTORY,
        "--exclude-weekends",
        "--blackout",
        "2024-04-08:2024-04-09",
        "--start",
        "2024-04-03",
        "--json",
    )
    body = json.loads(r.output)
    # April 3-14 has 8 weekdays, 2 of them in the blackout
    assert body["working_days"] == 6 and body["start"] == "2024-04-03"
    assert body["calendar"] == "weekends left out; blackout 2024-04-08 to 2024-04-09"


def test_record_then_calibration(ws: Path) -> None:
    r = run(ws, "forecast", "how-many", "--by", "2024-04-14", *HISTORY, "--seed", "3", "--record")
    assert "recorded in the forecast ledger as" in r.output
    r = run(
        ws, "forecast", "likelihood", "--items", "5", "--by", "2024-04-14", *HISTORY, "--record"
    )
    r = run(ws, "forecast", "calibration", "--as-of", "2024-04-29", "--json")
    body = json.loads(r.output)
    assert body["forecasts"] == 2 and body["settled_now"] == 5 and body["pending"] == 0
    assert body["brier"]["n"] == 1 and body["brier"]["score"] == pytest.approx(0.0001)
    assert set(body["coverage"]) == {"50", "70", "85", "95"}
    r = run(ws, "forecast", "calibration", "--as-of", "2024-04-29")
    assert "2 forecasts recorded; 0 figures settled now, 0 still open" in flat(r.output)
    assert "Brier score of 1 likelihood forecasts: 0.000" in flat(r.output)


def test_backtest_and_flow(ws: Path) -> None:
    args = ("--window", "30", "--horizon", "7", "--every", "7", "--trials", "500", "--json")
    body = json.loads(run(ws, "forecast", "backtest", *args).output)
    # the replay runs from the first completion (January 2; nothing was done on January 1)
    # to the last (April 29): origins from February 1, weekly, while 7 days remain
    assert body["origins"] == 12 and body["first_origin"] == "2024-02-01"
    assert body["last_origin"] == "2024-04-18"
    assert set(body["coverage"]) == {"50", "70", "85", "95"}
    r = run(ws, "forecast", "backtest", "--window", "30", "--horizon", "7", "--calibrated")
    assert r.exit_code == 0 and "no origin could be scored" in r.output  # too few for warm-up

    body = json.loads(run(ws, "forecast", "flow", *HISTORY, "--json").output)
    assert body["throughput"]["completions"] == sum(per_day(i) for i in range(1, 91))
    assert body["cycle_time_days"]["n"] == body["throughput"]["completions"]
    # OPEN1, created March 20 08:00, is in progress at the end: 11 days 16 hours old, far
    # beyond the 85th-percentile cycle time (every item took a few hours)
    assert body["wip"]["open"] == 1 and body["wip"]["age_days"]["50"] == 11.7
    assert body["wip"]["aged"][0]["id"] == "OPEN1"
    r = run(ws, "forecast", "flow", "--team", "Desk", *HISTORY)
    assert r.exit_code == 0 and "cycle time" in r.output and "throughput is" in r.output
    # imported text is shown as written, never read as markup
    assert "OPEN1 [bold]still open: 12 days, since 2024-03-20" in flat(r.output)


def test_refusals_are_clean_errors(ws: Path) -> None:
    # The last 90 days before today, long after the records end (April 29, 2024): refused,
    # not read as months when nothing was done.
    r = run(ws, "forecast", "when", "--items", "5")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert flat(r.output).startswith("error: the work-item records run to 2024-04-29, but ")
    assert "--history-to 2024-04-29 --start 2024-04-30" in flat(r.output)
    # Within the records' span but on days without completions: too little history.
    r = run(
        ws,
        "forecast",
        "when",
        "--items",
        "5",
        "--history-from",
        "2023-06-01",
        "--history-to",
        "2023-08-31",
    )
    assert r.exit_code == 1
    assert flat(r.output).startswith("error: the history from 2023-06-01 to 2023-08-31")
    assert "has no day with a completed item" in flat(r.output)
    r = run(ws, "forecast", "when", "--items", "5", "--blackout", "2024-01-01")
    assert r.exit_code == 2 and "expected FROM:TO" in r.output
    r = run(ws, "forecast", "when", "--items", "5", *HISTORY, "--start", "2024-03-15")
    assert r.exit_code == 2 and "may not use what happened after" in r.output
    r = run(ws, "forecast", "when", "--items", "5", "--team", "Nobody", *HISTORY)
    assert r.exit_code == 1 and "no completed work items (team Nobody)" in flat(r.output)


def test_a_history_may_run_a_fortnight_past_the_records(ws: Path) -> None:
    """Up to 14 days past the records' last day is a quiet spell, not a stale export."""
    ok = ("--history-from", "2024-02-13", "--history-to", "2024-05-13")  # 14 days past April 29
    r = run(ws, "forecast", "when", "--items", "5", *ok)
    assert r.exit_code == 0, r.output
    late = ("--history-from", "2024-02-14", "--history-to", "2024-05-14")  # 15 days past
    r = run(ws, "forecast", "when", "--items", "5", *late)
    assert r.exit_code == 1 and "the 15 days between" in flat(r.output)


def test_the_same_question_gets_the_same_answer(ws: Path) -> None:
    """Without --seed the seed comes from the question: asking twice gives the same dates;
    another question (more items) gets a seed of its own."""
    ask = ("forecast", "when", "--items", "60", *HISTORY, "--json")
    first, again = (json.loads(run(ws, *ask).output) for _ in range(2))
    assert first == again
    other = json.loads(run(ws, *ask[:3], "61", *ask[4:]).output)
    assert other["seed"] != first["seed"]
    # the same question as text prints the same seed as its JSON twin
    text = run(ws, *ask[:-1]).output
    assert f"seed {first['seed']}" in flat(text)


def test_help_has_examples() -> None:
    for cmd in ("when", "how-many", "likelihood", "calibration", "backtest", "flow"):
        r = CliRunner().invoke(cli, ["forecast", cmd, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output and f"forecast {cmd}" in r.output


def test_every_option_is_documented() -> None:
    """docs/forecasting.md names every forecast command and every option it takes."""
    import click

    from trustmeter.cli.forecast import forecast

    docs = (Path(__file__).resolve().parents[2] / "docs" / "forecasting.md").read_text()
    for name, cmd in forecast.commands.items():
        assert f"forecast {name}" in docs, name
        for param in cmd.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    assert opt in docs, (name, opt)

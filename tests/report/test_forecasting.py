"""The report's "Forecasts and flow" section: rendering a hand-made dict, and gathering it.

Rendering is checked with a dict written by hand (every string from the data is hostile);
`forecasting_data` runs on a small store on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from report_cards import make_empty_card
from test_html import EVIL, parse, render

from artifacts import artifacts_dir
from trustmeter.forecast import Calendar, MonteCarlo, Subject, daily_completions, ledger
from trustmeter.report.forecasting import forecasting_data
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

LEVELS = ("50", "70", "85", "95")


def weeks(values: list[int]) -> list[dict[str, Any]]:
    first = date(2026, 7, 6)
    return [
        {"week": (first + timedelta(days=7 * i)).isoformat(), "completions": n}
        for i, n in enumerate(values)
    ]


def subject(name: str, stable: bool = True) -> dict[str, Any]:
    w = weeks([8, 9, 7, 30 if not stable else 8, 9, 8, 7, 10, 8, 9, 8, 7])
    return {
        "name": name,
        "team": name,
        "flow": {
            "throughput": {"completions": 98, "per_day": 1.09, "per_week": 7.6, "weeks": w},
            "cycle_time_days": {"n": 98, "50": 3.2, "85": 9.1, "95": 19.5},
            "wip": {"open": 8, "age_days": {"50": 4.0, "85": 12.0}, "older_than_p85_cycle_time": 3},
            "stability": {
                "stable": stable,
                "weeks": w,
                "mean": 8.2,
                "lower_limit": 1.5,
                "upper_limit": 17.7,
                "signals": [] if stable else ["the week of 2026-07-27 (30) is above the limits"],
                "verdict": f"{name} verdict",
            },
        },
        "forecast": {
            "percentiles": {"50": 34, "70": 29, "85": 25, "95": 19},
            "plain_percentiles": {"50": 34, "70": 30, "85": 26, "95": 22},
            "calibrated": True,
            "working_days": 30,
            "method": f"calibrated with 48 replayed forecasts {name}",
            "histogram": {
                "trials": 10000,
                "bins": [
                    {"lo": 9 + 2 * i, "hi": 10 + 2 * i, "trials": n}
                    for i, n in enumerate([10, 90, 400, 1500, 3000, 2800, 1600, 500, 90, 10])
                ],
            },
        },
        "backtest": {
            "origins": 31,
            "warmup": 20,
            "every": 14,
            "horizon": 14,
            "window": 90,
            "coverage": {"50": 0.4839, "70": 0.6129, "85": 0.8065, "95": 0.9032},
            "plain_coverage": {"50": 0.5484, "70": 0.7097, "85": 0.9355, "95": 1.0},
        },
    }


def fixture_data(name: str = "Service Desk") -> dict[str, Any]:
    return {
        "as_of": "2026-10-01",
        "history": {"from": "2026-07-03", "to": "2026-09-30"},
        "horizon": {"from": "2026-10-01", "to": "2026-10-30", "days": 30},
        "subjects": [
            subject(name, stable=False),
            {
                "name": "Security",
                "team": "Security",
                "flow": subject("Security")["flow"],
                "forecast": {"error": "not enough history: only 4 days with a completed item"},
                "backtest": {"error": "not enough history: too short to backtest"},
            },
        ],
        "teams_left_out": [],
        "backtest": {
            "origins": 62,
            "window": 90,
            "horizon": 14,
            "every": 14,
            "calibrated": {"50": 0.5, "70": 0.7, "85": 0.85, "95": 1.0},
            "plain": {"50": 0.55, "70": 0.75, "85": 0.9, "95": 0.97},
            "warmup": 40,
        },
        "ledger": {
            "forecasts": 3,
            "pending": 2,
            "resolved": 10,
            "levels": {
                lvl: {"resolved": 2 + i, "came_true": 1 + i, "share": (1 + i) / (2 + i)}
                for i, lvl in enumerate(LEVELS)
            },
            "brier": {"n": 4, "score": 0.1825},
        },
        "trials": 10000,
        "seed": 0,
    }


def offline(html: str) -> None:
    p = parse(html)
    for tag, attrs in p.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    low = html.lower()
    assert "url(" not in low and "@import" not in low and "http://" not in low
    assert "https://" not in low


def test_section_renders_with_charts_tables_and_ranges(card: dict[str, Any]) -> None:
    html = render(card, [card], forecasting=fixture_data())
    (artifacts_dir() / "report-forecasting.html").write_text(html, "utf-8")
    p = parse(html)
    text = p.all_text
    assert "Forecasts and flow" in text
    # throughput with XmR limits, forecast histogram, calibration plot: titled SVGs
    titles = [t for t in p.text if t.startswith(("Weekly throughput", "Forecast distribution"))]
    assert len(titles) >= 3
    assert "Calibration: stated confidence against the share that came true" in text
    assert "upper 17.7" in text and "mean 8.2" in text and "lower 1.5" in text
    # the week outside the limits is drawn in red and says so
    assert "Week of 27 Jul 2026: 30 done (outside the natural limits)" in text
    # ranges, lower tail, never "100 %"
    assert "at least 25 with 85 % confidence" in text
    assert p.row("Forecast")[1:] == ["at least 34", "at least 29", "at least 25", "at least 19"]
    assert p.row("Plain Monte Carlo")[1:] == [
        "at least 34",
        "at least 30",
        "at least 26",
        "at least 22",
    ]
    a, b = html.index('aria-labelledby="forecast-h"'), html.index('aria-labelledby="scorecard-h"')
    section = parse(html[a:b]).all_text
    assert "100 %" not in section and "100%" not in section
    assert "all 31" in text  # plain coverage 31 of 31 at 95 %
    # cycle time and WIP per team
    row = p.row("Service Desk", 9)
    assert row[1:] == ["98", "7.6", "3.2 d", "9.1 d", "19.5 d", "8", "3", "no"]
    # backtest table: calibrated then plain per level; the pooled row
    bt = p.row("Service Desk", 10)
    assert bt[2:] == ["48 %", "55 %", "61 %", "71 %", "81 %", "94 %", "90 %", "all 31"]
    assert p.row("All together")[2:4] == ["50 %", "55 %"]
    # ledger and Brier
    assert p.row("85 %", 4)[1:] == ["4", "3", "75 %"]
    assert "0.182" in text or "0.183" in text
    # the "not enough history" path is said plainly
    assert "No forecast: not enough history: only 4 days with a completed item" in text
    offline(html)


def test_every_string_from_the_data_is_escaped(card: dict[str, Any]) -> None:
    data = fixture_data(EVIL)
    data["subjects"][1]["forecast"]["error"] = EVIL
    data["teams_left_out"] = [EVIL]
    html = render(card, [], forecasting=data)
    assert "<script>" not in html
    assert EVIL not in html
    p = parse(html)
    assert EVIL in p.all_text  # round-trips as text
    assert any(EVIL in t for t in p.svg_text)  # inside SVG <title> too
    offline(html)


@pytest.mark.parametrize("junk", [None, {}, [], "x", {"subjects": "x", "backtest": 3}])
def test_missing_or_malformed_data(card: dict[str, Any], junk: Any) -> None:
    html = render(card, [], forecasting=junk)
    if junk and isinstance(junk, dict):
        assert "Forecasts and flow" in parse(html).all_text
    else:
        assert "Forecasts and flow" not in html
    assert "Forecasts and flow" not in render(card, [])  # the old signature still works


def test_subject_with_broken_parts_still_renders(card: dict[str, Any]) -> None:
    data = fixture_data()
    s = data["subjects"][0]
    s["flow"]["stability"] = {"weeks": "bad"}
    s["forecast"]["histogram"] = {"bins": [{"lo": "a"}]}
    s["forecast"]["percentiles"] = {"50": None}
    html = render(card, [], forecasting=data)
    assert "Forecasts and flow" in parse(html).all_text


# --------------------------------------------------------------------------- gathering

AS_OF = date(2025, 1, 1)


def done_items(team: str, days: int, every: int = 1, per_day: int = 1) -> list[dict[str, Any]]:
    """Items done on every `every`-th day of the `days` days before AS_OF, 2 days each."""
    out = []
    for d in range(0, days, every):
        day = AS_OF - timedelta(days=days - d)
        for k in range(per_day):
            done = datetime(day.year, day.month, day.day, 10 + k)
            out.append(
                {
                    "id": f"{team}-{d}-{k}",
                    "created_at": done - timedelta(days=2),
                    "done_at": done,
                    "team": team,
                    "kind": "story",
                }
            )
    return out


def test_forecasting_data_from_a_store(store: Store) -> None:
    assert forecasting_data(store, "UTC", AS_OF) is None  # no work items at all
    items = done_items("Desk", 500, per_day=2) + done_items("Tiny", 90, every=15)
    items.append({"id": "open-1", "created_at": datetime(2024, 12, 1), "team": "Desk"})
    items.append(  # after as_of: never used
        {"id": "late", "created_at": datetime(2025, 1, 2), "done_at": datetime(2025, 1, 3)}
    )
    insert_records(store, "work_item", items)
    data = forecasting_data(store, "UTC", AS_OF)
    assert data is not None
    assert data["history"] == {"from": "2024-10-03", "to": "2024-12-31"}
    assert data["horizon"] == {"from": "2025-01-01", "to": "2025-01-30", "days": 30}
    names = [s["name"] for s in data["subjects"]]
    assert names == ["Desk", "Tiny"]  # busiest first
    desk, tiny = data["subjects"]
    # flow: 2 a day for 90 days, each item 2 days from start to done, one open item
    assert desk["flow"]["throughput"]["completions"] == 180
    assert desk["flow"]["cycle_time_days"]["50"] == 2.0
    assert desk["flow"]["wip"]["open"] == 1
    assert desk["flow"]["wip"]["older_than_p85_cycle_time"] == 1
    assert "aged" not in desk["flow"]["wip"]
    st = desk["flow"]["stability"]
    assert st["stable"] is True and st["upper_limit"] == 14.0  # 14 a week, no moving range
    # a constant 2 a day: exactly 60 in 30 days at every level, calibrated (a year of replays)
    fc = desk["forecast"]
    assert fc["percentiles"] == {lvl: 60 for lvl in LEVELS}
    assert fc["calibrated"] is True and fc["method"].startswith("calibrated with")
    assert fc["histogram"]["bins"] == [{"lo": 60, "hi": 60, "trials": 10000}]
    assert desk["backtest"]["origins"] > 0
    assert desk["backtest"]["every"] == 14
    # too little history: said plainly, no number
    assert tiny["forecast"]["error"].startswith("not enough history: ")
    assert "percentiles" not in tiny["forecast"]
    assert tiny["backtest"]["error"].startswith("not enough history: ")
    assert data["backtest"]["origins"] == desk["backtest"]["origins"]
    assert data["ledger"] is None  # nothing recorded
    # the whole thing renders
    html = render(make_empty_card(), [], forecasting=data)
    assert "at least 60 with 85 % confidence" in parse(html).all_text
    offline(html)


def test_no_teams_means_all_work_items_and_a_plain_forecast(store: Store) -> None:
    items = done_items("x", 100)
    for i in items:
        i["team"] = None
    insert_records(store, "work_item", items)
    data = forecasting_data(store, "UTC", AS_OF)
    assert data is not None
    (only,) = data["subjects"]
    assert only["name"] == "All work items" and only["team"] is None
    assert only["forecast"]["calibrated"] is False
    assert only["forecast"]["method"].startswith("plain Monte Carlo")
    assert only["forecast"]["percentiles"]["85"] == 30


def test_ledger_counts_only_what_was_settled_before_as_of(store: Store) -> None:
    insert_records(store, "work_item", done_items("Desk", 200))
    first = AS_OF - timedelta(days=120)
    hist = daily_completions(store, first, first + timedelta(days=59), Subject(team="Desk"))
    hm = MonteCarlo(hist, seed=1).how_many(first + timedelta(days=69))
    made = datetime.combine(first + timedelta(days=60), datetime.min.time())
    ledger.record(store, hm, Subject(team="Desk"), Calendar(), now=made)
    assert forecasting_data(store, "UTC", AS_OF)["ledger"]["resolved"] == 0  # type: ignore[index]
    ledger.resolve(store, AS_OF - timedelta(days=1))
    data = forecasting_data(store, "UTC", AS_OF)
    assert data is not None and data["ledger"]["resolved"] == 4
    assert data["ledger"]["levels"]["85"]["came_true"] == 1
    # a report for a date before the forecast was settled does not see the outcome
    early = forecasting_data(store, "UTC", first + timedelta(days=62))
    assert early is not None and early["ledger"]["resolved"] == 0
    html = render(make_empty_card(), [], forecasting=data)
    assert re.search(r"Forecast ledger: 1 forecasts recorded", parse(html).all_text)

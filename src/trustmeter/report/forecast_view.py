"""The "Forecasts and flow" section's view: plain strings, numbers and chart geometry.

It reads the dict `report.forecasting.forecasting_data` returns (any part may be missing or
of the wrong type: the section still renders) and, like html.py, builds only plain values
for the templates to lay out with autoescape on. Forecasts read as ranges ("at least 42
items with 85 % confidence"); an observed share is never printed as "100 %".
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.forecast_charts import LEVELS, calibration_plot, histogram, throughput_chart
from trustmeter.report.format import DASH, as_dict, as_list, fmt_date, fmt_num, num, share, text


def forecast_view(data: Any) -> dict[str, Any] | None:
    d = as_dict(data)
    if not d:
        return None
    history, horizon = as_dict(d.get("history")), as_dict(d.get("horizon"))
    subjects = [_subject(as_dict(s), i) for i, s in enumerate(as_list(d.get("subjects")))]
    return {
        "history": _span(history),
        "horizon": _span(horizon),
        "horizon_days": fmt_num(horizon.get("days"), 0),
        "subjects": subjects,
        "left_out": [text(t) for t in as_list(d.get("teams_left_out"))],
        "calibration": calibration_plot(as_dict(d.get("backtest")), d.get("ledger")),
        "backtest": _backtest_table(subjects, as_dict(d.get("backtest"))),
        "ledger": _ledger(d.get("ledger")),
        "trials": fmt_num(d.get("trials"), 0),
        "seed": text(d.get("seed"), DASH),
    }


def _span(s: dict[str, Any]) -> str:
    a, b = fmt_date(s.get("from")), fmt_date(s.get("to"))
    return "" if a == DASH and b == DASH else f"{a} to {b}"


def _subject(s: dict[str, Any], i: int) -> dict[str, Any]:
    fl = as_dict(s.get("flow"))
    tp, ct, wip = (
        as_dict(fl.get("throughput")),
        as_dict(fl.get("cycle_time_days")),
        as_dict(fl.get("wip")),
    )
    stab = as_dict(fl.get("stability"))
    fc = as_dict(s.get("forecast"))
    name = text(s.get("name"), DASH)

    def days(v: Any) -> str:
        return DASH if num(v) is None else f"{fmt_num(v, 1)} d"

    stable = stab.get("stable")
    return {
        "id": f"fc{i}",
        "name": name,
        "completions": fmt_num(tp.get("completions"), 0),
        "per_week": fmt_num(tp.get("per_week"), 1),
        "cycle": {p: days(ct.get(p)) for p in ("50", "85", "95")},
        "cycle_n": fmt_num(ct.get("n"), 0),
        "wip": fmt_num(wip.get("open"), 0),
        "aged": fmt_num(wip.get("older_than_p85_cycle_time"), 0),
        "stable": "yes" if stable is True else "no" if stable is False else "not judged",
        "stable_class": "pass" if stable is True else "fail" if stable is False else "unknown",
        "verdict": text(stab.get("verdict")),
        "throughput": throughput_chart(name, stab, tp),
        "forecast": _forecast(name, fc),
        "bt": _bt_row(name, as_dict(s.get("backtest"))),
    }


def _bt_row(name: str, bt: dict[str, Any]) -> dict[str, Any]:
    """One backtest row: calibrated coverage, plain at the same origins, per level."""
    if bt.get("error") is not None or not bt:
        return {"name": name, "error": text(bt.get("error"), "no backtest"), "cells": []}
    n = num(bt.get("origins"))
    cal, plain = as_dict(bt.get("coverage")), as_dict(bt.get("plain_coverage"))
    return {
        "name": name,
        "error": None,
        "origins": fmt_num(n, 0),
        "warmup": fmt_num(bt.get("warmup"), 0),
        "cells": [
            {"cal": share(cal.get(lvl), n), "plain": share(plain.get(lvl), n)} for lvl in LEVELS
        ],
    }


def _forecast(name: str, fc: dict[str, Any]) -> dict[str, Any]:
    if fc.get("error") is not None or not fc:
        return {"error": text(fc.get("error"), "no forecast could be made"), "chart": None}
    pct = as_dict(fc.get("percentiles"))
    plain = as_dict(fc.get("plain_percentiles"))
    marks = {lvl: num(pct.get(lvl)) for lvl in LEVELS}
    rows = [
        {
            "level": lvl,
            "sentence": f"at least {fmt_num(marks[lvl], 0)} items with {lvl} % confidence",
            "value": fmt_num(marks[lvl], 0),
            "plain": fmt_num(plain.get(lvl), 0) if plain else "",
        }
        for lvl in LEVELS
    ]
    lo, hi = marks["95"], marks["50"]
    headline = (
        f"Most likely between {fmt_num(lo, 0)} and {fmt_num(hi, 0)} items; "
        f"at least {fmt_num(marks['85'], 0)} with 85 % confidence."
        if lo is not None and hi is not None
        else ""
    )
    return {
        "error": None,
        "calibrated": fc.get("calibrated") is True,
        "method": text(fc.get("method")),
        "rows": rows,
        "has_plain": bool(plain),
        "headline": headline,
        "working_days": fmt_num(fc.get("working_days"), 0),
        "chart": histogram(name, as_dict(fc.get("histogram")), marks),
    }


def _backtest_table(subjects: list[dict[str, Any]], pooled: dict[str, Any]) -> dict[str, Any]:
    rows = [s["bt"] for s in subjects]
    total = None
    n = num(pooled.get("origins"))
    if n:
        cal, plain = as_dict(pooled.get("calibrated")), as_dict(pooled.get("plain"))
        total = {
            "name": "All together" if len(rows) > 1 else "",
            "origins": fmt_num(n, 0),
            "warmup": fmt_num(pooled.get("warmup"), 0),
            "cells": [
                {"cal": share(cal.get(lvl), n), "plain": share(plain.get(lvl), n)} for lvl in LEVELS
            ],
        }
    return {
        "rows": rows,
        "total": total if total and len(rows) > 1 else None,
        "every": fmt_num(pooled.get("every"), 0),
        "horizon": fmt_num(pooled.get("horizon"), 0),
        "window": fmt_num(pooled.get("window"), 0),
        "any": any(r["error"] is None for r in rows),
    }


def _ledger(ledger: Any) -> dict[str, Any] | None:
    led = as_dict(ledger)
    if not led:
        return None
    levels = as_dict(led.get("levels"))
    rows = []
    for lvl in LEVELS:
        row = as_dict(levels.get(lvl))
        n = num(row.get("resolved"))
        rows.append(
            {
                "level": lvl,
                "resolved": fmt_num(n, 0) if n else "0",
                "came_true": fmt_num(row.get("came_true"), 0) if n else DASH,
                "share": share(row.get("share"), n) if n else DASH,
            }
        )
    brier = as_dict(led.get("brier"))
    return {
        "forecasts": fmt_num(led.get("forecasts"), 0),
        "pending": fmt_num(led.get("pending"), 0),
        "resolved": num(led.get("resolved")) or 0,
        "rows": rows,
        "brier": fmt_num(brier.get("score"), 3) if num(brier.get("score")) is not None else None,
        "brier_n": fmt_num(brier.get("n"), 0),
    }

"""The "Forecasts and flow" section's view: plain strings, numbers and chart geometry.

It reads the dict `report.forecasting.forecasting_data` returns (any part may be missing or
of the wrong type: the section still renders) and, like html.py, builds only plain values
for the templates to lay out with autoescape on. Forecasts read as ranges ("at least 42
items with 85 % confidence"); an observed share is never printed as "100 %".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from trustmeter.report.html import DASH, _dict, _list, fmt_date, fmt_num, num, r1, text

LEVELS = ("50", "70", "85", "95")
ACCENT, SOFT, WARM, INK, MUTED, GRID = (
    "#1f4e79",
    "#b9cde2",
    "#b4432a",
    "#1c2430",
    "#5b6573",
    "#e6e9ee",
)
MARK_COLOURS = {"50": "#8fb1d3", "70": "#5a8dbf", "85": "#1f4e79", "95": "#0f2a44"}


def forecast_view(data: Any) -> dict[str, Any] | None:
    d = _dict(data)
    if not d:
        return None
    history, horizon = _dict(d.get("history")), _dict(d.get("horizon"))
    subjects = [_subject(_dict(s), i) for i, s in enumerate(_list(d.get("subjects")))]
    return {
        "history": _span(history),
        "horizon": _span(horizon),
        "horizon_days": fmt_num(horizon.get("days"), 0),
        "subjects": subjects,
        "left_out": [text(t) for t in _list(d.get("teams_left_out"))],
        "calibration": _calibration_plot(_dict(d.get("backtest")), d.get("ledger")),
        "backtest": _backtest_table(subjects, _dict(d.get("backtest"))),
        "ledger": _ledger(d.get("ledger")),
        "trials": fmt_num(d.get("trials"), 0),
        "seed": text(d.get("seed"), DASH),
    }


def _span(s: dict[str, Any]) -> str:
    a, b = fmt_date(s.get("from")), fmt_date(s.get("to"))
    return "" if a == DASH and b == DASH else f"{a} to {b}"


def share(v: Any, n: Any = None) -> str:
    """An observed share as a reader should see it: never "100 %" or "0 %" alone."""
    f, m = num(v), num(n)
    if f is None:
        return DASH
    if m is not None and m > 0:
        hits = round(f * m)
        if hits >= m:
            return f"all {m:.0f}"
        if hits <= 0:
            return f"none of {m:.0f}"
    pct = round(f * 100)
    if pct >= 100:
        return ">99 %"
    if pct <= 0:
        return "<1 %"
    return f"{pct} %"


# --------------------------------------------------------------------------- one team


def _subject(s: dict[str, Any], i: int) -> dict[str, Any]:
    fl = _dict(s.get("flow"))
    tp, ct, wip = (
        _dict(fl.get("throughput")),
        _dict(fl.get("cycle_time_days")),
        _dict(fl.get("wip")),
    )
    stab = _dict(fl.get("stability"))
    fc = _dict(s.get("forecast"))
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
        "throughput": _throughput_chart(name, stab, tp),
        "forecast": _forecast(name, fc),
        "bt": _bt_row(name, _dict(s.get("backtest"))),
    }


def _bt_row(name: str, bt: dict[str, Any]) -> dict[str, Any]:
    """One backtest row: calibrated coverage, plain at the same origins, per level."""
    if bt.get("error") is not None or not bt:
        return {"name": name, "error": text(bt.get("error"), "no backtest"), "cells": []}
    n = num(bt.get("origins"))
    cal, plain = _dict(bt.get("coverage")), _dict(bt.get("plain_coverage"))
    return {
        "name": name,
        "error": None,
        "origins": fmt_num(n, 0),
        "warmup": fmt_num(bt.get("warmup"), 0),
        "cells": [
            {"cal": share(cal.get(lvl), n), "plain": share(plain.get(lvl), n)} for lvl in LEVELS
        ],
    }


def _throughput_chart(name: str, stab: dict[str, Any], tp: dict[str, Any]) -> dict[str, Any] | None:
    weeks = [_dict(w) for w in _list(stab.get("weeks")) or _list(tp.get("weeks"))]
    values = [num(w.get("completions")) or 0.0 for w in weeks]
    if not weeks:
        return None
    mean, lo, hi = num(stab.get("mean")), num(stab.get("lower_limit")), num(stab.get("upper_limit"))
    width, height = 460.0, 210.0
    left, right, top, bottom = 34.0, 452.0, 14.0, 172.0
    ymax = max([*values, hi or 0.0, 1.0])
    ymax = _nice(ymax)

    def y(v: float) -> float:
        return r1(bottom - (bottom - top) * max(0.0, min(v, ymax)) / ymax)

    n = len(weeks)
    slot = (right - left) / n
    bars = []
    for i, (w, v) in enumerate(zip(weeks, values, strict=True)):
        out = (hi is not None and v > hi) or (lo is not None and lo > 0 and v < lo)
        label = fmt_date(w.get("week"))
        bars.append(
            {
                "x": r1(left + slot * i + slot * 0.15),
                "y": y(v),
                "w": r1(slot * 0.7),
                "h": r1(bottom - y(v)),
                "fill": WARM if out else ACCENT,
                "title": f"Week of {label}: {fmt_num(v, 0)} done"
                + (" (outside the natural limits)" if out else ""),
            }
        )
    k = max(1, -(-n // 6))
    xticks = [
        {"x": r1(left + slot * (i + 0.5)), "label": _short_date(text(w.get("week")))}
        for i, w in enumerate(weeks)
        if i % k == 0
    ]
    lines = []
    if mean is not None:
        lines.append({"y": y(mean), "dash": "", "label": f"mean {fmt_num(mean, 1)}", "c": INK})
    if hi is not None:
        lines.append({"y": y(hi), "dash": "5 4", "label": f"upper {fmt_num(hi, 1)}", "c": WARM})
    if lo is not None and lo > 0:
        lines.append({"y": y(lo), "dash": "5 4", "label": f"lower {fmt_num(lo, 1)}", "c": WARM})
    grid = [{"y": y(g), "label": fmt_num(g, 0)} for g in _ticks(ymax)]
    desc = (
        f"{name}: completions in each of {n} full weeks, "
        + ", ".join(fmt_num(v, 0) for v in values)
        + (f"; mean {fmt_num(mean, 1)} a week" if mean is not None else "")
        + (
            f", natural process limits {fmt_num(lo, 1)} to {fmt_num(hi, 1)}"
            if hi is not None
            else "; too few weeks for process limits"
        )
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "bars": bars,
        "xticks": xticks,
        "lines": lines,
        "grid": grid,
        "desc": desc,
    }


def _forecast(name: str, fc: dict[str, Any]) -> dict[str, Any]:
    if fc.get("error") is not None or not fc:
        return {"error": text(fc.get("error"), "no forecast could be made"), "chart": None}
    pct = _dict(fc.get("percentiles"))
    plain = _dict(fc.get("plain_percentiles"))
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
        "chart": _histogram(name, _dict(fc.get("histogram")), marks),
    }


def _histogram(
    name: str, h: dict[str, Any], marks: dict[str, float | None]
) -> dict[str, Any] | None:
    bins = [_dict(b) for b in _list(h.get("bins"))]
    bins = [b for b in bins if num(b.get("lo")) is not None and num(b.get("hi")) is not None]
    if not bins:
        return None
    trials = num(h.get("trials")) or sum(num(b.get("trials")) or 0 for b in bins) or 1.0
    width, height = 460.0, 210.0
    left, right, top, bottom = 34.0, 452.0, 58.0, 172.0
    x_lo = min(num(b["lo"]) or 0 for b in bins)
    x_hi = max(num(b["hi"]) or 0 for b in bins) + 1
    for v in marks.values():
        if v is not None:
            x_lo, x_hi = min(x_lo, v), max(x_hi, v + 1)
    span = max(x_hi - x_lo, 1.0)

    def x(v: float) -> float:
        return r1(left + (right - left) * (v - x_lo) / span)

    peak = max(num(b.get("trials")) or 0 for b in bins) or 1.0
    bars = []
    for b in bins:
        blo, bhi, n = num(b["lo"]) or 0, num(b["hi"]) or 0, num(b.get("trials")) or 0
        hgt = (bottom - top) * n / peak
        rng = fmt_num(blo, 0) if blo == bhi else f"{fmt_num(blo, 0)}–{fmt_num(bhi, 0)}"
        bars.append(
            {
                "x": x(blo) + 0.5,
                "w": max(r1(x(bhi + 1) - x(blo) - 1), 0.8),
                "y": r1(bottom - hgt),
                "h": r1(hgt),
                "title": f"{rng} items: {share(n / trials)} of trials",
            }
        )
    mark_list = []
    for row, lvl in enumerate(("50", "70", "85", "95")):
        v = marks[lvl]
        if v is None:
            continue
        mx = x(v + 0.5)
        mark_list.append(
            {
                "x": mx,
                "label_y": r1(12 + 12 * row),
                "anchor": "end" if mx > right - 70 else "start" if mx < left + 70 else "middle",
                "label": f"{lvl} %: ≥ {fmt_num(v, 0)}",
                "colour": MARK_COLOURS[lvl],
            }
        )
    k = max(1, -(-len(bins) // 8))
    xticks = [
        {"x": x((num(b["lo"]) or 0) + 0.5), "label": fmt_num(b["lo"], 0)}
        for i, b in enumerate(bins)
        if i % k == 0
    ]
    desc = (
        f"{name}: simulated items done in the horizon, {fmt_num(trials, 0)} trials; "
        + "; ".join(
            f"at least {fmt_num(v, 0)} with {lvl} % confidence"
            for lvl, v in marks.items()
            if v is not None
        )
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "bars": bars,
        "marks": mark_list,
        "xticks": xticks,
        "desc": desc,
    }


# --------------------------------------------------------------------------- calibration


def _calibration_plot(pooled: dict[str, Any], ledger: Any) -> dict[str, Any] | None:
    size, ox, oy = 300.0, 58.0, 14.0
    lo = 40.0  # both axes run from 40 % to 100 %; lower shares sit on the edge, labelled

    def x(level: float) -> float:
        return r1(ox + size * (level - lo) / (100 - lo))

    def y(s: float) -> float:
        return r1(oy + size - size * (max(s * 100, lo) - lo) / (100 - lo))

    series = []
    n_bt = num(pooled.get("origins"))
    for key, name, colour, dash in (
        ("plain", "Backtest, plain Monte Carlo", MUTED, "4 3"),
        ("calibrated", "Backtest, calibrated", ACCENT, ""),
    ):
        cov = _dict(pooled.get(key))
        pts = [
            (float(lvl), num(cov.get(lvl)), n_bt) for lvl in LEVELS if num(cov.get(lvl)) is not None
        ]
        if pts:
            series.append(_series(name, colour, dash, pts, x, y))
    led = _dict(ledger)
    levels = _dict(led.get("levels"))
    pts = []
    for lvl in LEVELS:
        row = _dict(levels.get(lvl))
        n = num(row.get("resolved"))
        if n:
            pts.append((float(lvl), num(row.get("share")), n))
    if pts:
        series.append(_series("Recorded forecasts (ledger)", WARM, "", pts, x, y))
    if not series:
        return None
    ticks = [{"v": str(t), "x": x(t), "y": y(t / 100)} for t in (40, 50, 60, 70, 80, 90, 100)]
    desc = "; ".join(
        s["name"]
        + ": "
        + ", ".join(f"{p['level']} % stated, {p['share']} came true" for p in s["points"])
        for s in series
    )
    return {
        "width": ox + size + 16,
        "height": oy + size + 46,
        "ox": ox,
        "oy": oy,
        "size": size,
        "diag": {"x1": x(lo), "y1": y(lo / 100), "x2": x(100), "y2": y(1.0)},
        "ticks": ticks,
        "series": series,
        "desc": desc,
    }


def _series(
    name: str,
    colour: str,
    dash: str,
    pts: list[tuple[float, float | None, float | None]],
    x: Any,
    y: Any,
) -> dict[str, Any]:
    points = [
        {
            "x": x(lvl),
            "y": y(s or 0.0),
            "level": fmt_num(lvl, 0),
            "share": share(s, n),
            "n": fmt_num(n, 0),
        }
        for lvl, s, n in pts
    ]
    path = " ".join(("M" if i == 0 else "L") + f"{p['x']},{p['y']}" for i, p in enumerate(points))
    return {"name": name, "colour": colour, "dash": dash, "points": points, "path": path}


def _backtest_table(subjects: list[dict[str, Any]], pooled: dict[str, Any]) -> dict[str, Any]:
    rows = [s["bt"] for s in subjects]
    total = None
    n = num(pooled.get("origins"))
    if n:
        cal, plain = _dict(pooled.get("calibrated")), _dict(pooled.get("plain"))
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
    led = _dict(ledger)
    if not led:
        return None
    levels = _dict(led.get("levels"))
    rows = []
    for lvl in LEVELS:
        row = _dict(levels.get(lvl))
        n = num(row.get("resolved"))
        rows.append(
            {
                "level": lvl,
                "resolved": fmt_num(n, 0) if n else "0",
                "came_true": fmt_num(row.get("came_true"), 0) if n else DASH,
                "share": share(row.get("share"), n) if n else DASH,
            }
        )
    brier = _dict(led.get("brier"))
    return {
        "forecasts": fmt_num(led.get("forecasts"), 0),
        "pending": fmt_num(led.get("pending"), 0),
        "resolved": num(led.get("resolved")) or 0,
        "rows": rows,
        "brier": fmt_num(brier.get("score"), 3) if num(brier.get("score")) is not None else None,
        "brier_n": fmt_num(brier.get("n"), 0),
    }


# --------------------------------------------------------------------------- helpers


def _nice(v: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if v <= step * 4:
            return float(step * -(-v // step))
    return float(v)


def _ticks(ymax: float) -> list[float]:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if ymax / step <= 5:
            return [step * i for i in range(int(ymax // step) + 1)]
    return [0.0, ymax]


def _short_date(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d %b")
    except ValueError:
        return iso

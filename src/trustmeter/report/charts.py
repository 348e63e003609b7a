"""Chart geometry for the area bars and the trend lines: plain numbers the SVG templates place.

Colours and dash patterns come from the fixed palette below, never from the data, so every
line also reads in greyscale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from trustmeter.report.format import DASH, fmt_num, fmt_pct, fmt_score, num, r1, wrap
from trustmeter.scorecard.model import Area, Blocker, Scorecard

# Restrained palette; every colour used for text has at least 4.5:1 contrast on white.
AREA_COLOURS = {
    "stability": "#2b6cb0",
    "delivery": "#a65e00",
    "planning": "#2f7d4f",
    "relationships": "#8e3b7a",
    "talent": "#5b6573",
}


FALLBACK_COLOURS = ["#2b6cb0", "#a65e00", "#2f7d4f", "#8e3b7a", "#5b6573", "#7a5c2e", "#3d6b73"]


AREA_DASHES = {
    "stability": "",
    "delivery": "7 4",
    "planning": "2 4",
    "relationships": "10 4 2 4",
    "talent": "4 4",
}


FALLBACK_DASHES = ["", "7 4", "2 4", "10 4 2 4", "4 4", "1 3", "12 3"]


TRUST_COLOUR = "#111827"


def area_bars(areas: list[Area], stage: dict[str, Any]) -> list[dict[str, Any]]:
    blocked: list[Blocker] = stage["blocked_by"]
    blocked_ids = {b.target for b in blocked if b.kind == "area"}
    # The score each area needs for the next stage (from the blocked stage's conditions).
    gate: dict[str, float] = {}
    blocked_level = blocked[0].stage if blocked else None
    for st in stage["ladder"]:
        if blocked_level is None or st.level != blocked_level:
            continue
        for c in st.conditions:
            req = num(c.required)
            if c.kind == "area" and req is not None:
                gate[c.target] = max(req, gate.get(c.target, 0.0))
    out = []
    for i, a in enumerate(areas):
        aid = a.id
        score = num(a.score)
        measured = score is not None and a.status != "not_measured"
        out.append(
            {
                "id": aid,
                "name": a.name,
                "measured": measured,
                "score_value": score if measured else None,
                "score": fmt_score(score) if measured else DASH,
                "coverage": fmt_pct(a.coverage),
                "measure_with": a.measure_with,
                "partial": fmt_score(a.partial_score) if num(a.partial_score) is not None else "",
                "blocking": aid in blocked_ids,
                "gate": gate.get(aid),
                "colour": AREA_COLOURS.get(aid, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)]),
                "dash": AREA_DASHES.get(aid, FALLBACK_DASHES[i % len(FALLBACK_DASHES)]),
            }
        )
    return out


def area_chart(area_view: list[dict[str, Any]]) -> dict[str, Any]:
    width = 960.0
    label_w, x0, x1 = 250.0, 262.0, 730.0
    span = x1 - x0
    rows = []
    y = 30.0
    for a in area_view:
        row: dict[str, Any] = dict(a)
        row["y"] = r1(y)
        row["name_lines"] = wrap(a["name"], 30, 2)
        if a["measured"]:
            row["bar_w"] = r1(span * max(0.0, min(100.0, a["score_value"])) / 100)
            row["needs_lines"] = []
            h = 46.0
        else:
            row["bar_w"] = 0.0
            needs = f"Needs {a['measure_with']}" if a["measure_with"] else "Needs more data."
            row["needs_lines"] = wrap(needs, 112, 3)
            h = 46.0 + 16.0 * len(row["needs_lines"])
        g = a["gate"]
        row["gate_x"] = r1(x0 + span * g / 100) if g is not None else None
        row["gate_label"] = fmt_num(g) if g is not None else ""
        row["h"] = h
        rows.append(row)
        y += h
    ticks = [{"x": r1(x0 + span * t / 100), "label": str(t)} for t in (0, 25, 50, 75, 100)]
    has_gate = any(r["gate_x"] is not None for r in rows)
    desc = "; ".join(
        f"{r['name']}: {r['score']}" if r["measured"] else f"{r['name']}: not measured"
        for r in rows
    )
    return {
        "width": width,
        "height": r1(y + 8),
        "label_w": label_w,
        "x0": x0,
        "x1": x1,
        "axis_y": 18.0,
        "rows": rows,
        "ticks": ticks,
        "has_gate": has_gate,
        "any_blocking": any(r["blocking"] for r in rows),
        "any_unmeasured": any(not r["measured"] for r in rows),
        "desc": desc,
    }


def trend_chart(series: list[Scorecard], areas: list[Area]) -> dict[str, Any]:
    labels = [c.period.label for c in series]
    # Area order and names follow the current scorecard; areas only in history come after.
    order: list[tuple[str, str]] = [(a.id, a.name) for a in areas]
    known = {o[0] for o in order}
    for c in series:
        for a in c.areas:
            if a.id and a.id not in known:
                known.add(a.id)
                order.append((a.id, a.name))
    width, height = 960.0, 320.0
    left, right, top, bottom = 48.0, 712.0, 16.0, 268.0
    n = len(series)

    def xpos(i: int) -> float:
        if n <= 1:
            return (left + right) / 2
        return left + 24 + (right - left - 48) * i / (n - 1)

    def ypos(v: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(100.0, v)) / 100

    lines = []
    rows = []
    for i, (aid, name) in enumerate(order):
        values = []
        for c in series:
            match = c.area(aid)
            values.append(num(match.score) if match is not None else None)
        lines.append(
            _line(
                name,
                values,
                labels,
                xpos,
                ypos,
                AREA_COLOURS.get(aid, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)]),
                AREA_DASHES.get(aid, FALLBACK_DASHES[i % len(FALLBACK_DASHES)]),
                2.0,
                3.0,
            )
        )
        rows.append(
            {"name": name, "cells": [fmt_score(v) for v in values], "bold": False, "suffix": ""}
        )
    tvals = [num(c.trust_index) for c in series]
    lines.append(
        _line("Trust Index", tvals, labels, xpos, ypos, TRUST_COLOUR, "", 3.5, 4.5, bold=True)
    )
    rows.append(
        {"name": "Trust Index", "cells": [fmt_score(v) for v in tvals], "bold": True, "suffix": ""}
    )
    stages = []
    for c in series:
        lv = c.stage.level
        if n > 6:  # keep a long history legible: the level alone
            stages.append(f"{lv:g}")
        else:
            stages.append(f"{lv:g} · {c.stage.name}".rstrip(" ·"))
    rows.append(
        {"name": "Stage", "cells": stages, "bold": False, "suffix": "(level)" if n > 6 else ""}
    )
    _place_labels([ln for ln in lines if ln["end"] is not None], top, bottom)
    grid = [{"y": r1(ypos(t)), "label": str(t)} for t in (0, 20, 40, 60, 80, 100)]
    xticks = [{"x": r1(xpos(i)), "label": lab} for i, lab in enumerate(labels)]
    if n > 8:  # keep the axis legible: label every k-th period, and always the last
        k = math.ceil(n / 8)
        xticks = [t for i, t in enumerate(xticks) if i % k == 0 or i == n - 1]
    return {
        "enough": n >= 2,
        "count": n,
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "grid": grid,
        "xticks": xticks,
        "lines": lines,
        "labels": labels,
        "rows": rows,
        "desc": f"Area scores and Trust Index, {labels[0]} to {labels[-1]}" if labels else "",
    }


def _line(
    name: str,
    values: list[float | None],
    labels: list[str],
    xpos: Callable[[int], float],
    ypos: Callable[[float], float],
    colour: str,
    dash: str,
    stroke: float,
    radius: float,
    bold: bool = False,
) -> dict[str, Any]:
    segments: list[str] = []
    cur: list[str] = []
    points = []
    for i, v in enumerate(values):
        if v is None:
            if len(cur) > 1:
                segments.append(" ".join(cur))
            cur = []
            continue
        x, y = r1(xpos(i)), r1(ypos(v))
        cur.append(("M" if not cur else "L") + f"{x},{y}")
        points.append({"x": x, "y": y, "value": fmt_score(v), "period": labels[i]})
    if len(cur) > 1:
        segments.append(" ".join(cur))
    end = dict(points[-1]) if points else None
    return {
        "name": name,
        "short": name if len(name) <= 28 else name[:27].rstrip() + "…",
        "paths": segments,
        "points": points,
        "colour": colour,
        "dash": dash,
        "stroke": stroke,
        "radius": radius,
        "bold": bold,
        "end": end,
        "label_y": end["y"] if end else None,
    }


def _place_labels(
    lines: list[dict[str, Any]], top: float, bottom: float, gap: float = 15.0
) -> None:
    """Spread the end-of-line labels so that none overlap, keeping them near their line."""
    lines.sort(key=lambda ln: ln["end"]["y"])
    ys = [ln["end"]["y"] + 4 for ln in lines]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    overflow = ys[-1] - (bottom + 4) if ys else 0
    if overflow > 0:
        ys = [y - overflow for y in ys]
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    for ln, y in zip(lines, ys, strict=True):
        ln["label_y"] = r1(max(y, top + 4))

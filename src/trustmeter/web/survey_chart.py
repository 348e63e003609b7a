"""Importance against satisfaction per service: the geometry of a dumbbell chart, plain numbers
the SVG template places (like report/charts.py does for the area bars).

One row per service, most important first: a filled circle at its importance and an open
square at its satisfaction on one 0–100 axis, joined by a line. A service the importance-gap
metric counts is drawn in the warning colour and says "gap" in words, so the chart reads in
greyscale and to a screen reader (the <desc> lists every service).
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import fmt_score, r1, wrap

GAP_COLOUR = "#b4432a"  # 5.2:1 on white
PLAIN_COLOUR = "#1f4e79"


def services_chart(services: list[dict[str, Any]]) -> dict[str, Any]:
    """`services`: rows of `survey_items.services_view` (name, importance, satisfaction, gap,
    flagged), already in order."""
    width = 960.0
    x0, x1 = 262.0, 760.0
    span = x1 - x0
    y = 40.0
    rows = []

    def xpos(v: float) -> float:
        return r1(x0 + span * max(0.0, min(100.0, v)) / 100)

    for s in services:
        lines = wrap(str(s["name"]), 30, 2)
        rows.append(
            {
                "name": s["name"],
                "name_lines": lines,
                "y": r1(y),
                "imp_x": xpos(s["importance"]),
                "sat_x": xpos(s["satisfaction"]),
                "importance": fmt_score(s["importance"]),
                "satisfaction": fmt_score(s["satisfaction"]),
                "gap": fmt_score(s["gap"]),
                "flagged": bool(s["flagged"]),
                "colour": GAP_COLOUR if s["flagged"] else PLAIN_COLOUR,
            }
        )
        y += 40.0 + 17.0 * (len(lines) - 1)
    ticks = [{"x": xpos(t), "label": str(t)} for t in (0, 25, 50, 75, 100)]
    desc = "; ".join(
        f"{r['name']}: importance {r['importance']}, satisfaction {r['satisfaction']}"
        + (f", a gap of {r['gap']} points" if r["flagged"] else "")
        for r in rows
    )
    return {
        "width": width,
        "height": r1(y + 8),
        "x0": x0,
        "x1": x1,
        "axis_y": 24.0,
        "rows": rows,
        "ticks": ticks,
        "desc": desc,
        "gap_colour": GAP_COLOUR,
    }

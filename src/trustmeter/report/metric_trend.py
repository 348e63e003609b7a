"""One metric over the last periods: chart geometry for the metric pages and the report's small
multiples.

The points are the metric's own values (in its unit, not its score), one per period, each with
the sample it rests on in words ("7 P1/P2 incidents resolved"). A figure below the minimum
sample is drawn hollow (provisional); a period without one (no data, left out) is a gap in
the line, never a zero. The target and the floor are drawn as reference lines when they fall
inside the range, so "better" reads the same way for a time (lower) as for a share (higher).
Nothing here computes a figure: it places the scorecards' values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trustmeter.report.format import num, r1
from trustmeter.report.plain import plain_value
from trustmeter.scorecard.model import Scorecard
from trustmeter.scorecard.samples import sample_phrase

SIZES = {"page": (640.0, 210.0), "small": (300.0, 118.0)}


def metric_trend(cards: Sequence[Scorecard], metric_id: str, size: str = "page") -> dict[str, Any]:
    """The metric's value in each of `cards` (oldest first), placed in an SVG of `size`."""
    width, height = SIZES[size]
    small = size == "small"
    left, right = (34.0, width - 8.0) if small else (56.0, width - 16.0)
    top, bottom = (10.0, height - 22.0) if small else (14.0, height - 34.0)
    entries = [c.metric(metric_id) for c in cards]
    first = next((e for e in entries if e is not None), None)
    name = first.name if first is not None else metric_id.replace("_", " ")
    unit = first.unit if first is not None else ""
    points_in: list[dict[str, Any]] = []
    for card, e in zip(cards, entries, strict=True):
        shown = e is not None and e.status in ("ok", "insufficient") and num(e.value) is not None
        points_in.append(
            {
                "period": card.period.label,
                "value": num(e.value) if shown and e is not None else None,
                "provisional": e is not None and e.status == "insufficient",
                "sample": sample_phrase(e) if e is not None else "",
                "status": e.status if e is not None else "no_data",
                "text": plain_value(e.value, unit) if shown and e is not None else "no data",
            }
        )
    values: list[float] = [p["value"] for p in points_in if p["value"] is not None]
    refs: list[tuple[str, float | None]] = []
    if first is not None:
        refs = [("target", num(first.target)), ("floor", num(first.floor))]
    lo: float = min(values) if values else 0.0
    hi: float = max(values) if values else 1.0
    # Show the target and floor when they are near the figures (within the figures' own span).
    span0 = (hi - lo) or abs(hi) or 1.0
    shown_refs = [(k, v) for k, v in refs if v is not None and lo - span0 <= v <= hi + span0]
    for _, ref in shown_refs:
        lo, hi = min(lo, ref), max(hi, ref)
    if hi == lo:
        hi, lo = hi + (abs(hi) * 0.1 or 1.0), lo - (abs(lo) * 0.1 or 1.0)
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    if min(values, default=0.0) >= 0 and lo < 0:
        lo = 0.0
    n = len(points_in)

    def xpos(i: int) -> float:
        return (left + right) / 2 if n <= 1 else left + 10 + (right - left - 20) * i / (n - 1)

    def ypos(v: float) -> float:
        return bottom - (bottom - top) * (v - lo) / (hi - lo)

    points: list[dict[str, Any]] = []
    paths: list[str] = []
    cur: list[str] = []
    for i, p in enumerate(points_in):
        x = r1(xpos(i))
        if p["value"] is None:
            if len(cur) > 1:
                paths.append(" ".join(cur))
            cur = []
            points.append({**p, "x": x, "y": None})
            continue
        y = r1(ypos(p["value"]))
        cur.append(("M" if not cur else "L") + f"{x},{y}")
        points.append({**p, "x": x, "y": y})
    if len(cur) > 1:
        paths.append(" ".join(cur))
    lines = [
        {"kind": k, "y": r1(ypos(v)), "label": f"{k} {plain_value(v, unit)}"}
        for k, v in shown_refs
        if v is not None
    ]
    # Every period labelled when they fit, else every other one counted back from the last.
    label_every = 1 if n <= (4 if small else 8) else 2
    xticks = [
        {"x": pt["x"], "label": pt["period"]}
        for i, pt in enumerate(points)
        if (n - 1 - i) % label_every == 0
    ]
    axis = [{"y": r1(ypos(v)), "label": _axis(v, unit, small)} for v in (lo, (lo + hi) / 2, hi)]
    described = "; ".join(
        f"{p['period']}: {p['text']}" + (f" ({p['sample']})" if p["sample"] else "")
        for p in points_in
    )
    return {
        "id": metric_id,
        "name": name,
        "unit": unit,
        "small": small,
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "paths": paths,
        "points": points,
        "refs": lines,
        "xticks": xticks,
        "axis": axis,
        "any": bool(values),
        "desc": f"{name}, {points_in[0]['period']} to {points_in[-1]['period']}: {described}"
        if points_in
        else name,
    }


def _axis(v: float, unit: str, small: bool) -> str:
    """An axis label; a small multiple's drops the words its title already implies."""
    text = plain_value(v, unit)
    if small:
        for words in (" out of 100", " out of 7", " days a week"):
            text = text.replace(words, "")
    return text


def metric_trends(cards: Sequence[Scorecard]) -> list[dict[str, Any]]:
    """A small multiple for every metric of the last card, grouped by area, for the report."""
    if not cards:
        return []
    last = cards[-1]
    out = []
    for area in last.areas:
        charts = [
            metric_trend(cards, m.id, "small") for m in area.metrics if m.status != "left_out"
        ]
        out.append({"id": area.id, "name": area.name, "charts": [c for c in charts if c["any"]]})
    return [a for a in out if a["charts"]]

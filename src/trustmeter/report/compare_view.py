"""The dashboard's comparison of two periods, as text: the compare use case's result formatted.

`Comparison` (scorecard/compare.py) holds every figure, change and noise verdict; this view
only words them: names, never ids; values in units that suit them (report/plain.py); every
sample with what it counts ("136 production changes"). It computes nothing.
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.plain import change_text, plain_value
from trustmeter.scorecard.compare import Comparison, MetricChange, ScoreChange, Side

STATUS_WORDS = {
    "no_data": "no data",
    "left_out": "left out",
    "insufficient": "too little data",
}


def signed_change(v: float | None, unit: str) -> str:
    """A change in the metric's unit: '+2.5 pp', '−3.1 h', '0'."""
    if v is None:
        return "\u2014"
    if v == 0:
        return "0"
    sign = "+" if v > 0 else "\u2212"
    if unit in ("pp", "%"):
        return f"{sign}{plain_value(abs(v), '%').replace(' %', '')} pp"
    return sign + plain_value(abs(v), unit)


def _side(side: Side, unit: str) -> dict[str, Any]:
    shown = side.value is not None and side.status in ("ok", "insufficient")
    band = side.benchmark
    return {
        "value": plain_value(side.value, unit) if shown else STATUS_WORDS.get(side.status, "—"),
        "provisional": shown and side.status == "insufficient",
        "sample": side.sample,
        "benchmark": (f"{band.band} ({band.source} {band.year})" if band and band.band else ""),
    }


def verdict_text(m: MetricChange | ScoreChange) -> str:
    words = m.noise.words
    if isinstance(m, MetricChange) and m.better is not None and m.noise.verdict == "beyond_noise":
        words += ", better" if m.better else ", worse"
    return words


def verdict_class(m: MetricChange | ScoreChange) -> str:
    if m.noise.verdict != "beyond_noise":
        return "quiet"
    if isinstance(m, MetricChange):
        return "better" if m.better else "worse"
    return "better" if (m.change or 0) > 0 else "worse"


def _score_row(s: ScoreChange) -> dict[str, Any]:
    def score(v: float | None) -> str:
        return "not measured" if v is None else f"{v:.1f}"

    return {
        "name": s.name,
        "a": score(s.a),
        "b": score(s.b),
        "change": change_text(s.change),
        "verdict": verdict_text(s),
        "verdict_class": verdict_class(s),
        "reason": s.noise.reason,
    }


def _metric_row(m: MetricChange) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "a": _side(m.a, m.unit),
        "b": _side(m.b, m.unit),
        "change": signed_change(m.change, m.change_unit),
        "verdict": verdict_text(m),
        "verdict_class": verdict_class(m),
        "reason": m.noise.reason,
    }


def _sentence(m: MetricChange) -> str:
    way = "rose" if (m.change or 0) > 0 else "fell"
    judged = "better" if m.better else "worse"
    return (
        f"{m.name} {way} from {plain_value(m.a.value, m.unit)} to "
        f"{plain_value(m.b.value, m.unit)} ({signed_change(m.change, m.change_unit)}), "
        f"{judged}: {m.noise.reason}."
    )


def compare_view(c: Comparison) -> dict[str, Any]:
    """Everything the comparison page shows, in reading order."""
    areas = []
    for area in c.areas:
        rows = [_metric_row(m) for m in c.metrics if m.area == area.id]
        areas.append({"id": area.id, "name": area.name, "score": _score_row(area), "rows": rows})
    moved = [m for m in c.metrics if m.noise.verdict == "beyond_noise"]
    moved.sort(key=lambda m: (not m.better, m.name))
    return {
        "a": c.period_a.label,
        "b": c.period_b.label,
        "history": [p.label for p in c.history],
        "stage_a": f"{c.stage_a[0]} · {c.stage_a[1]}",
        "stage_b": f"{c.stage_b[0]} · {c.stage_b[1]}",
        "stage_change": c.stage_b[0] - c.stage_a[0],
        "headline": [_score_row(c.trust_index), _score_row(c.area_average)],
        "areas": areas,
        "moved": [_sentence(m) for m in moved],
        "better": sum(1 for m in moved if m.better),
        "worse": sum(1 for m in moved if not m.better),
    }

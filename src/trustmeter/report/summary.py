"""The headline tiles and the plain-English summary: where we stand, what holds us back, the trend.

Sentences are built from the scorecard's figures only; the report computes nothing beyond a
difference between two periods.
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import DASH, fmt_delta, fmt_num, fmt_score, fmt_value, num
from trustmeter.report.stage import cond_view
from trustmeter.scorecard.model import Blocker, MetricEntry, Scorecard


def headline_view(
    current: Scorecard,
    stage: dict[str, Any],
    series: list[Scorecard],
    metrics: dict[str, MetricEntry],
) -> dict[str, Any]:
    trust = current.indices.trust
    pred = current.indices.predictability
    ti = num(current.trust_index)
    ceiling = num(trust.ceiling)
    pi = num(current.predictability_index)
    pred_parts = [
        f"{_lower_first(metrics[k].name if k in metrics else k.replace('_', ' '))} {fmt_score(v)}"
        for k, v in pred.metrics.items()
        if num(v) is not None
    ]
    delta = None
    if len(series) >= 2:
        a = num(series[-2].trust_index)
        b = num(series[-1].trust_index)
        if a is not None and b is not None:
            d = round(b - a, 1)
            delta = {
                "value": fmt_delta(d) if d else "0.0",
                "dir": "up" if d > 0 else ("down" if d < 0 else "flat"),
                "since": series[-2].period.label,
                "uncapped": "",
            }
            ua = num(series[-2].indices.trust.uncapped)
            ub = num(series[-1].indices.trust.uncapped)
            if ua is not None and ub is not None and round(ub - ua, 1) != d:
                delta["uncapped"] = fmt_delta(ub - ua)
    return {
        "stage_level": str(stage["level"]),
        "stage_top": str(stage["top"]),
        "stage_name": stage["name"] or "not determined",
        "trust": fmt_score(ti),
        "trust_missing": ti is None,
        "trust_capped": trust.capped,
        "trust_uncapped": fmt_score(trust.uncapped),
        "trust_ceiling": fmt_num(ceiling),
        "areas_measured": trust.areas_measured,
        "predictability": fmt_score(pi),
        "predictability_missing": pi is None,
        "predictability_parts": pred_parts,
        "delta": delta,
        "next_name": next(
            (x.name for x in stage["ladder"] if x.level == stage["level"] + 1),
            "",
        ),
    }


def summary_view(
    current: Scorecard,
    stage: dict[str, Any],
    ctx: dict[str, Any],
    series: list[Scorecard],
    area_view: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """The plain-English paragraph in three parts: where we stand, what holds us back, the trend."""
    label = current.period.label
    h = headline_view(current, stage, series, ctx["metrics"])
    s = f"In {label} IT is at stage {stage['level']} of {stage['top']}, {h['stage_name']}."
    if not h["trust_missing"]:
        s += f" The Trust Index is {h['trust']}"
        if h["trust_capped"]:
            s += f", held at the stage ceiling of {h['trust_ceiling']} (the areas average {h['trust_uncapped']})"
        s += (
            f"; the Predictability Index is {h['predictability']}."
            if not h["predictability_missing"]
            else "."
        )
    else:
        s += " No area could be scored, so there is no Trust Index yet."
        if not h["predictability_missing"]:
            s += f" The Predictability Index is {h['predictability']}."
    measured = [a for a in area_view if a["measured"]]
    if len(measured) >= 2:
        best = max(measured, key=lambda a: a["score_value"])
        worst = min(measured, key=lambda a: a["score_value"])
        s += f" {best['name']} is strongest ({best['score']}), {worst['name']} weakest ({worst['score']})"
    unmeasured = [a["name"] for a in area_view if not a["measured"]]
    if unmeasured:
        verb = "is" if len(unmeasured) == 1 else "are"
        s += ("; " if len(measured) >= 2 else " ") + f"{_join(unmeasured)} {verb} not measured yet."
    elif len(measured) >= 2:
        s += "."
    parts = [{"lead": "Where we stand.", "text": s}]

    blocked: list[Blocker] = stage["blocked_by"]
    items = current.focus.items
    s = ""
    if blocked:
        first = blocked[0]
        c = cond_view(first, ctx)
        now = "not measured" if num(first.actual) is None else c["now"].split(" (")[0]
        s = f"Reaching {first.stage_name} needs {c['label']} ({now})"
        if len(blocked) > 1:
            more = len(blocked) - 1
            s += f", and {more} more {'condition' if more == 1 else 'conditions'} listed below"
        s += "."
    elif stage["level"] >= stage["top"]:
        s = "Nothing: every gate passes, and the task now is to hold that standard."
    if items:
        top = items[0]
        area = ctx["area_names"].get(top.area, top.area)
        s += f" The biggest lever is {_lower_first(top.name)}"
        if area:
            s += f" in {area}"
        val = fmt_value(top.value, top.unit)
        if val != DASH:
            s += f": {val}"
            tgt = num(top.target)
            if tgt is not None:
                s += f" against a target of {fmt_value(tgt, top.unit)}"
        s += "."
    if s:
        parts.append({"lead": "What holds us back.", "text": s.strip()})
    parts.append({"lead": "Are we getting better?", "text": _trend_sentence(series, ctx)})
    return parts


def _lower_first(s: str) -> str:
    """'Mean time to restore' -> 'mean time to restore', but 'SLO attainment' stays."""
    if len(s) > 1 and s[0].isupper() and s[1].islower():
        return s[0].lower() + s[1:]
    return s


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _trend_sentence(series: list[Scorecard], ctx: dict[str, Any]) -> str:
    if len(series) < 2:
        return "This is the first period on record, so there is nothing to compare with yet."
    prev, cur = series[-2], series[-1]
    since = prev.period.label
    a, b = num(prev.trust_index), num(cur.trust_index)
    ua = num(prev.indices.trust.uncapped)
    ub = num(cur.indices.trust.uncapped)
    head = ""
    if a is not None and b is not None:
        if b - a >= 0.5:
            head = f"Since {since} the Trust Index has risen from {fmt_score(a)} to {fmt_score(b)}"
        elif b - a <= -0.5:
            head = f"Since {since} the Trust Index has fallen from {fmt_score(a)} to {fmt_score(b)}"
        else:
            head = f"Since {since} the Trust Index has held at {fmt_score(b)}"
        if ua is not None and ub is not None and abs((ub - ua) - (b - a)) >= 0.5:
            head += f", while the areas' average moved from {fmt_score(ua)} to {fmt_score(ub)}"
    before = {x.id: num(x.score) for x in prev.areas}
    deltas = []
    for x in cur.areas:
        s0, s1 = before.get(x.id), num(x.score)
        if s0 is not None and s1 is not None:
            deltas.append((s1 - s0, ctx["area_names"].get(x.id, x.name)))
    movers = []
    if deltas:
        up = max(deltas)
        down = min(deltas)
        if up[0] >= 1:
            movers.append(f"{up[1]} improved most ({fmt_delta(up[0])})")
        if down[0] <= -1:
            movers.append(f"{down[1]} slipped most ({fmt_delta(down[0])})")
        elif up[0] >= 1:
            movers.append("no area slipped")
        if not movers:
            movers.append("no area moved by more than a point")
    if not head and not movers:
        return f"There is not enough data in {since} and now to say whether IT is getting better."
    if head:
        return head + ("; " + ", ".join(movers) if movers else "") + "."
    return f"Since {since}, " + ", ".join(movers) + "."

"""Render scorecards (`scorecard_model.Scorecard`) as one self-contained HTML report.

The work is split in two. This module reads the scorecard's attributes into a *view*: plain
strings, numbers and chart geometry, with every missing value already decided ("—", "not
measured", no bar). The Jinja2 templates in `templates/` only lay the view out. Autoescape is
on for every template and nothing is ever marked safe, so any text that came from the data
(names, evidence, notes, the workspace, the title) reaches the page escaped, inside SVG as
well.

Nothing in the output points outside the file: no scripts, stylesheets, fonts or images are
referenced, the CSS is inline, and the charts are inline SVG drawn here.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from trustmeter.periods import Period
from trustmeter.scorecard_model import (
    Area,
    Blocker,
    Evidence,
    FocusItem,
    GateResult,
    MetricEntry,
    Rung,
    Scorecard,
)

DEFAULT_TITLE = "IT trust report"

MINUS = "\u2212"
DASH = "\u2014"

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

DEFAULT_STAGES = [
    (0, "Unstable", 20),
    (1, "Order Taker", 40),
    (2, "Reliable Operator", 60),
    (3, "Trusted Advisor", 80),
    (4, "Trusted Partner", 100),
]

STATUS_LABELS = {
    "ok": "scored",
    "insufficient": "too little data",
    "no_data": "no data",
    "left_out": "left out",
}

QUADRANTS = {
    # (measured high, perceived high): (key, heading, explanation)
    (True, True): (
        "trusted",
        "Trusted",
        "Measured and perceived reliability agree, and both are high.",
    ),
    (True, False): (
        "invisible_improvement",
        "Invisible improvement",
        "The figures are better than the business feels they are: communicate it.",
    ),
    (False, True): (
        "borrowed_trust",
        "Borrowed trust",
        "The business trusts IT more than the figures justify: a risk if an outage comes.",
    ),
    (False, False): (
        "order_taker",
        "Order taker",
        "Both the figures and the business's view are low.",
    ),
}


# --------------------------------------------------------------------------- entry point


def render_html(
    current: Scorecard,
    trend: Sequence[Scorecard],
    title: str = DEFAULT_TITLE,
    forecasting: dict[str, Any] | None = None,
    ordering: dict[str, Any] | None = None,
) -> str:
    """Render the executive report for `current`, with `trend` (oldest first) as history.

    `trend` may be empty, may or may not contain `current`, and may be a single period.
    `forecasting` is what `report.forecasting.forecasting_data` returns; with it the report
    gains a "Forecasts and flow" section (docs/report.md).
    """
    from trustmeter.report.forecast_view import forecast_view
    from trustmeter.report.ordering_view import ordering_view

    view = build_view(current, trend, title or DEFAULT_TITLE)
    view["forecasting"] = forecast_view(forecasting)
    view["ordering"] = ordering_view(ordering, current)  # `trustmeter ordering --json`
    return _env().get_template("report.html.j2").render(v=view)


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("trustmeter.report", "templates"),
        autoescape=True,  # every template, whatever its name; never disabled
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --------------------------------------------------------------------------- formatting


def num(v: Any) -> float | None:
    """A finite number, or None for anything else (None, NaN, strings, booleans)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _sign(s: str) -> str:
    return s.replace("-", MINUS)


def fmt_num(v: Any, digits: int = 2) -> str:
    """A figure as a reader expects it: up to `digits` decimals, no trailing zeros."""
    f = num(v)
    if f is None:
        return DASH
    if abs(f) >= 1000:
        return _sign(f"{f:,.0f}")
    s = f"{f:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{f:.0f}"
    if s in ("-0", ""):
        s = "0"
    return _sign(s)


def fmt_score(v: Any) -> str:
    """Scores and indices: one decimal, always (38.5, 70.0)."""
    f = num(v)
    if f is None:
        return DASH
    return _sign(f"{f:.1f}")


def fmt_delta(d: float) -> str:
    s = f"{d:+.1f}"
    return s.replace("-", MINUS)


def fmt_pct(v: Any) -> str:
    f = num(v)
    return DASH if f is None else f"{f * 100:.0f}%"


def fmt_unit(unit: Any) -> str:
    return "" if unit is None else str(unit)


def fmt_value(v: Any, unit: Any) -> str:
    """A value with its unit: '99.95%', '5.2 h', '3 per month', '4.8 of 7'."""
    s = fmt_num(v)
    if s == DASH:
        return s
    u = fmt_unit(unit)
    if u == "%":
        return s + "%"
    if u in ("", "count", "0–100", "−100…100", "-100…100"):
        return s
    if u == "1–7":
        return f"{s} of 7"
    return f"{s} {u}"


def fmt_timestamp(v: Any) -> str:
    if not isinstance(v, str) or not v:
        return DASH
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return v
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
        return dt.strftime("%d %b %Y, %H:%M UTC")
    return dt.strftime("%d %b %Y, %H:%M")


def fmt_date(v: Any) -> str:
    if not isinstance(v, str) or not v:
        return DASH
    try:
        return datetime.fromisoformat(v).strftime("%d %b %Y")
    except ValueError:
        return v


def text(v: Any, default: str = "") -> str:
    """Any data value as text (never markup: the templates escape it)."""
    if v is None:
        return default
    return str(v)


def wrap(s: str, width: int, max_lines: int = 4) -> list[str]:
    lines = textwrap.wrap(s, width=max(width, 8)) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines


def r1(x: float) -> float:
    return round(x, 1)


# The forecasting view (forecast_view.py) reads free-form dicts with these.
def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


# --------------------------------------------------------------------------- the view


def build_view(current: Scorecard, trend: Sequence[Scorecard], title: str) -> dict[str, Any]:
    areas = list(current.areas)
    area_names = {a.id: a.name for a in areas}
    metrics = {m.id: m for m in current.metrics()}
    series = _series(current, trend)
    stage = _stage(current)
    ctx = {
        "areas": areas,
        "area_names": area_names,
        "metrics": metrics,
        "stage": stage,
    }
    area_view = _areas(areas, stage)
    return {
        "title": title,
        "workspace": text(current.workspace.get("name")),
        "profile": text(current.workspace.get("profile")),
        "period_label": current.period.label,
        "period_dates": _period_dates(current.period),
        "computed_at": fmt_timestamp(current.generated_at),
        "rendered_at": datetime.now(UTC).strftime("%d %b %Y, %H:%M UTC"),
        "version": current.trustmeter,
        "headline": _headline(current, stage, series, metrics),
        "summary": _summary(current, stage, ctx, series, area_view),
        "ladder": _ladder_view(stage, ctx),
        "area_chart": _area_chart(area_view),
        "trend": _trend(series, areas),
        "focus": _focus(current, ctx),
        "tables": _tables(areas),
        "perception": _perception(current),
    }


def _period_dates(period: Period) -> str:
    """`period.end` is exclusive; the reader wants the last day inside the period."""
    last = period.end - timedelta(days=1)
    return f"{fmt_date(period.start.isoformat())} to {fmt_date(last.isoformat())}"


def _series(current: Scorecard, trend: Sequence[Scorecard]) -> list[Scorecard]:
    """The history up to and including `current`, oldest first, one card per period."""

    def key(card: Scorecard) -> tuple[date, str]:
        return (card.period.start, card.period.label)

    ck = key(current)
    seen: set[tuple[date, str]] = set()
    out: list[Scorecard] = []
    for card in trend:
        k = key(card)
        if k == ck or k in seen:
            continue
        seen.add(k)
        out.append(card)
    out.append(current)
    out.sort(key=lambda c: c.period.start)
    return [c for c in out if c.period.start <= current.period.start]


def _stage(current: Scorecard) -> dict[str, Any]:
    s = current.stage
    ladder = list(s.ladder) or [Rung(lv, n, c, False, ()) for lv, n, c in DEFAULT_STAGES]
    return {
        "level": s.level,
        "name": s.name,
        "ceiling": num(s.ceiling),
        "blocked_by": list(s.blocked_by),
        "ladder": ladder,
        "top": max(x.level for x in ladder),
    }


def _cond_now(cond: GateResult, ctx: dict[str, Any]) -> str:
    """'now 55.1 (48.0 the period before)' for an area, the metric's own unit for a metric."""
    unit = None
    if cond.kind == "metric" and cond.target in ctx["metrics"]:
        unit = ctx["metrics"][cond.target].unit
    actual = num(cond.actual)
    if actual is None:
        return "now not measured"
    now = fmt_score(actual) if cond.kind == "area" else fmt_value(actual, unit)
    out = f"now {now}"
    prev = num(cond.previous)
    if prev is not None and cond.periods != 1:
        p = fmt_score(prev) if cond.kind == "area" else fmt_value(prev, unit)
        out += f" ({p} the period before)"
    return out


def _cond_view(cond: GateResult, ctx: dict[str, Any]) -> dict[str, Any]:
    label = cond.condition or f"{cond.target} ≥ {fmt_num(cond.required)}"
    return {
        "label": label,
        "now": _cond_now(cond, ctx),
        "reason": cond.reason,
        "passed": cond.passed,
        "state": "pass" if cond.passed else "fail",
    }


# ---- headline and summary


def _headline(
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


def _summary(
    current: Scorecard,
    stage: dict[str, Any],
    ctx: dict[str, Any],
    series: list[Scorecard],
    area_view: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """The plain-English paragraph in three parts: where we stand, what holds us back, the trend."""
    label = current.period.label
    h = _headline(current, stage, series, ctx["metrics"])
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
        c = _cond_view(first, ctx)
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


# ---- stage ladder


def _ladder_view(stage: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    ladder: list[Rung] = sorted(stage["ladder"], key=lambda x: x.level)
    n = max(len(ladder), 1)
    width, gap = 960.0, 8.0
    step_w = (width - gap * (n - 1)) / n
    base_h, rise = 72.0, 30.0
    top_pad = 34.0
    height = top_pad + base_h + rise * (n - 1) + 4
    level = stage["level"]
    blocked_level = None
    if stage["blocked_by"]:
        blocked_level = stage["blocked_by"][0].stage
    elif level < stage["top"]:
        blocked_level = level + 1
    steps = []
    for i, st in enumerate(ladder):
        lv = st.level
        h = base_h + rise * i
        x = i * (step_w + gap)
        y = height - h - 2
        if lv == level:
            state = "current"
        elif lv < level:
            state = "passed"
        elif lv == blocked_level:
            state = "next"
        else:
            state = "ahead"
        name = st.name
        ceiling = num(st.ceiling)
        steps.append(
            {
                "x": r1(x),
                "y": r1(y),
                "w": r1(step_w),
                "h": r1(h),
                "cx": r1(x + step_w / 2),
                "name_lines": wrap(name, int(step_w / 8.5), 2),
                "sub": f"Stage {lv}"
                + (f" · ceiling {fmt_num(ceiling)}" if ceiling is not None else ""),
                "state": state,
                "level": lv,
                "name": name,
                "conditions": [_cond_view(c, ctx) for c in st.conditions],
                "passed": st.passed,
            }
        )
    current_step = next((s for s in steps if s["state"] == "current"), None)
    needs = [_cond_view(b, ctx) for b in stage["blocked_by"]]
    next_name: str = ""
    if stage["blocked_by"]:
        next_name = stage["blocked_by"][0].stage_name
    if not next_name and blocked_level is not None:
        next_name = next((str(s["name"]) for s in steps if s["level"] == blocked_level), "")
    desc = f"Stage {level} of {stage['top']}: {stage['name'] or 'not determined'}."
    return {
        "width": width,
        "height": r1(height),
        "steps": steps,
        "marker": current_step,
        "needs": needs,
        "next_name": next_name,
        "at_top": level >= stage["top"] and not stage["blocked_by"],
        "desc": desc,
        "gates": [s for s in steps if s["conditions"]],
    }


# ---- area bars


def _areas(areas: list[Area], stage: dict[str, Any]) -> list[dict[str, Any]]:
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


def _area_chart(area_view: list[dict[str, Any]]) -> dict[str, Any]:
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


# ---- trend


def _trend(series: list[Scorecard], areas: list[Area]) -> dict[str, Any]:
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


# ---- focus


def _focus(current: Scorecard, ctx: dict[str, Any]) -> dict[str, Any]:
    focus = current.focus
    stage = ctx["stage"]

    def item_view(i: FocusItem) -> dict[str, Any]:
        n = num(i.n)
        return {
            "name": i.name,
            "area": ctx["area_names"].get(i.area, i.area),
            "value": fmt_value(i.value, i.unit),
            "target": fmt_value(i.target, i.unit),
            "score": fmt_score(i.score),
            "gap": fmt_score(i.gap),
            "n": fmt_num(n) if n is not None else "",
            "status": _status_label(i.status),
            "status_class": _status_class(i.status),
            "reason": i.reason,
            "note": text(i.note),
            "evidence": _evidence(i.evidence),
            "actions": [a for a in i.actions if a],
        }

    at_top = stage["level"] >= stage["top"] and not stage["blocked_by"]
    return {
        "stage_name": focus.stage_name,
        "summary": focus.summary,
        "cards": [item_view(i) for i in focus.items],
        "unmeasured": [item_view(i) for i in focus.unmeasured],
        "at_top": at_top,
    }


def _evidence(evidence: Sequence[Evidence]) -> list[str]:
    """Each contributor's sentence (its name when it has none)."""
    return [e.detail or e.name for e in evidence if e.detail or e.name]


# ---- scorecard tables


def _status_class(status: str) -> str:
    return status if status in STATUS_LABELS else "unknown"


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status or "unknown")


def _tables(areas: list[Area]) -> list[dict[str, Any]]:
    out = []
    for a in areas:
        score = num(a.score)
        measured = score is not None and a.status != "not_measured"
        rows = []
        for m in a.metrics:
            status = m.status
            n = num(m.n)
            min_sample = num(m.min_sample)
            ok = status == "ok"
            detail = ""
            if status == "insufficient" and not m.note:
                detail = f"n = {fmt_num(n)}" + (
                    f", needs {fmt_num(min_sample)}" if min_sample is not None else ""
                )
            rows.append(
                {
                    "name": m.name,
                    "id": m.id,
                    "value": fmt_num(m.value) if status in ("ok", "insufficient") else DASH,
                    "provisional": status == "insufficient" and num(m.value) is not None,
                    "unit": fmt_unit(m.unit),
                    "target": fmt_num(m.target),
                    "floor": fmt_num(m.floor),
                    "score": fmt_score(m.score) if ok else DASH,
                    "score_w": r1(max(0.0, min(100.0, num(m.score) or 0.0))) if ok else None,
                    "n": fmt_num(n, 0)
                    if n is not None and status in ("ok", "insufficient")
                    else DASH,
                    "status": _status_label(status),
                    "status_detail": detail,
                    "status_class": _status_class(status),
                    "note": text(m.note),
                    "evidence": _evidence(m.evidence[:3]),
                }
            )
        out.append(
            {
                "id": a.id,
                "name": a.name,
                "measured": measured,
                "score": fmt_score(score) if measured else DASH,
                "coverage": fmt_pct(a.coverage),
                "measure_with": a.measure_with,
                "weight": fmt_num(a.weight),
                "rows": rows,
            }
        )
    return out


# ---- perception


def _perception(current: Scorecard) -> dict[str, Any] | None:
    p = current.perception
    if p is None:
        return None
    perceived, measured = num(p.perceived), num(p.measured)
    if perceived is None or measured is None:
        return None
    t = num(p.threshold)
    t = 60.0 if t is None else max(1.0, min(99.0, t))
    # The scorecard's quadrant, decided on the unrounded figures; the chart only places it.
    qkey = p.quadrant
    heading, explain = next((h, e) for k, h, e in QUADRANTS.values() if k == qkey)
    size, ox, oy = 300.0, 76.0, 16.0

    def px(v: float) -> float:
        return r1(ox + size * max(0.0, min(100.0, v)) / 100)

    def py(v: float) -> float:
        return r1(oy + size - size * max(0.0, min(100.0, v)) / 100)

    tx, ty = px(t), py(t)
    dx, dy = px(perceived), py(measured)
    quads = []
    heading_y = heading_end = -1000.0
    for (mh, ph), (k, head, _) in QUADRANTS.items():
        x = tx if ph else ox
        w = (ox + size - tx) if ph else (tx - ox)
        y = oy if mh else ty
        h = (ty - oy) if mh else (oy + size - ty)
        lines = wrap(head, max(int(w / 8), 8), 3)
        block = 16 * (len(lines) - 1)
        # Headings sit at the outer edge, away from the threshold lines; in our own quadrant
        # the heading moves to the inner edge when the dot would cover it.
        outer = y + 22 if mh else y + h - 14 - block
        inner = y + h - 12 - block if mh else y + 22
        cy = outer
        if k == qkey:
            if outer - 26 <= dy <= outer + block + 16:
                cy = inner
            heading_y, heading_end = cy, cy + block
        quads.append(
            {
                "key": k,
                "x": r1(x),
                "y": r1(y),
                "w": r1(w),
                "h": r1(h),
                "cx": r1(x + w / 2),
                "cy": r1(cy),
                "lines": lines,
                "active": k == qkey,
            }
        )
    q_left, q_right = (tx, ox + size) if perceived >= t else (ox, tx)
    label_x = min(max(dx, q_left + 44), q_right - 44) if q_right - q_left >= 88 else dx

    # The "we are here" label goes on the side of the dot away from the quadrant's heading.
    def clear(y: float) -> bool:
        return oy + 12 < y < oy + size - 4 and not heading_y - 22 < y < heading_end + 22

    above, below = dy - 16, dy + 27
    label_y = below if clear(below) or not clear(above) else above
    return {
        "label_x": r1(label_x),
        "label_y": r1(label_y),
        "key": qkey,
        "heading": heading,
        "label": p.label,
        "explain": explain,
        "perceived": fmt_score(perceived),
        "measured": fmt_score(measured),
        "threshold": fmt_num(t),
        "dot_x": dx,
        "dot_y": dy,
        "tx": tx,
        "ty": ty,
        "ox": ox,
        "oy": oy,
        "size": size,
        "quads": quads,
        "width": ox + size + 20,
        "height": oy + size + 48,
    }

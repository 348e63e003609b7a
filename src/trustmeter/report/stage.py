"""The stage ladder's view: the steps as rising blocks, where we are, and what the next gate needs."""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import fmt_num, fmt_score, fmt_value, num, r1, wrap
from trustmeter.scorecard.model import GateResult, Rung, Scorecard

DEFAULT_STAGES = [
    (0, "Unstable", 20),
    (1, "Order Taker", 40),
    (2, "Reliable Operator", 60),
    (3, "Trusted Advisor", 80),
    (4, "Trusted Partner", 100),
]


def stage_of(current: Scorecard) -> dict[str, Any]:
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


def cond_view(cond: GateResult, ctx: dict[str, Any]) -> dict[str, Any]:
    label = cond.condition or f"{cond.target} ≥ {fmt_num(cond.required)}"
    # Names, not ids: "Stakeholder satisfaction ≥ 70 %", "Planning & Optimization ≥ 60".
    metric = ctx["metrics"].get(cond.target) if cond.kind == "metric" else None
    name = metric.name if metric is not None else ctx["area_names"].get(cond.target)
    if name and label.startswith(cond.target):
        label = name + label[len(cond.target) :]
    return {
        "label": label,
        "now": _cond_now(cond, ctx),
        "reason": cond.reason,
        "passed": cond.passed,
        "state": "pass" if cond.passed else "fail",
    }


def ladder_view(stage: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
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
                "conditions": [cond_view(c, ctx) for c in st.conditions],
                "passed": st.passed,
            }
        )
    current_step = next((s for s in steps if s["state"] == "current"), None)
    needs = [cond_view(b, ctx) for b in stage["blocked_by"]]
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

"""Stages and gates: the highest stage whose gate passes together with every gate below it.

A stage is never an average: strong relationships cannot hide outages. A condition whose
figure is missing (area not measured, metric without enough data) fails, because the
organisation cannot show it meets it; its reason says what data is missing.
"""

from __future__ import annotations

from typing import Any

from trustmeter.framework.model import Condition, Framework


def _metric(areas: list[dict[str, Any]], metric_id: str) -> dict[str, Any] | None:
    for a in areas:
        for m in a["metrics"]:
            if m["id"] == metric_id:
                found: dict[str, Any] = m
                return found
    return None


def _area(areas: list[dict[str, Any]], area_id: str) -> dict[str, Any]:
    return next(a for a in areas if a["id"] == area_id)


def check(cond: Condition, history: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Evaluate one condition; an area condition on '*' expands to one result per area."""
    targets = [a["id"] for a in history[0]] if cond.target == "*" else [cond.target]
    results = []
    for target in targets:
        res: dict[str, Any] = {
            "condition": cond.describe() if cond.target != "*" else f"{target} ≥ {cond.min:g}",
            "kind": cond.kind,
            "target": target,
            "required": cond.min,
            "periods": cond.periods,
            "actual": None,
            "previous": None,
            "passed": False,
            "reason": "",
        }
        values = []
        for areas in history[: cond.periods]:
            if cond.kind == "area":
                a = _area(areas, target)
                values.append(a["score"])
            else:
                m = _metric(areas, target)
                values.append(m["value"] if m and m["status"] == "ok" else None)
        res["actual"] = values[0] if values else None
        if len(values) > 1:
            res["previous"] = values[1]
        if len(values) < cond.periods:
            res["reason"] = "not enough history for this gate"
        elif values[0] is None:
            res["reason"] = _missing_reason(cond, target, history[0])
        elif any(v is None for v in values[1:]):
            res["reason"] = f"{target} was not measured in the period before"
        elif values[0] < cond.min:
            what = "scored" if cond.kind == "area" else "is"
            res["reason"] = f"{target} {what} {values[0]:g}, below {cond.min:g}"
        elif any(v < cond.min for v in values[1:]):
            res["reason"] = f"{target} was {values[1]:g} in the period before, below {cond.min:g}"
        else:
            res["passed"] = True
            res["reason"] = "met"
        results.append(res)
    return results


def _missing_reason(cond: Condition, target: str, areas: list[dict[str, Any]]) -> str:
    if cond.kind == "area":
        a = _area(areas, target)
        return f"{a['name']} is not measured (coverage {a['coverage']:.0%}); it needs {a['measure_with']}"
    m = _metric(areas, target)
    if m is None:
        return f"{target} is not computed"
    return f"{target} has status {m['status']}" + (f" ({m['note']})" if m.get("note") else "")


def evaluate_stage(fw: Framework, history: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """The stage reached, the ladder with every condition, and what blocks the next stage."""
    ladder = []
    level = 0
    blocked_by: list[dict[str, Any]] = []
    still_climbing = True
    for stage in fw.stages:
        conds = [r for c in stage.gate for r in check(c, history)]
        passed = all(r["passed"] for r in conds)
        ladder.append(
            {
                "level": stage.level,
                "name": stage.name,
                "ceiling": stage.ceiling,
                "passed": passed,
                "conditions": conds,
            }
        )
        if still_climbing and passed:
            level = stage.level
        elif still_climbing:
            still_climbing = False
            blocked_by = [
                dict(r, stage=stage.level, stage_name=stage.name) for r in conds if not r["passed"]
            ]
    current = fw.stages[level]
    return {
        "level": level,
        "name": current.name,
        "ceiling": current.ceiling,
        "blocked_by": blocked_by,
        "ladder": ladder,
    }


QUADRANTS = {
    (True, True): ("trusted", "trusted"),
    (True, False): ("invisible_improvement", "invisible improvement: communicate it"),
    (False, True): ("borrowed_trust", "borrowed trust: a risk"),
    (False, False): ("order_taker", "order taker"),
}


def perception(fw: Framework, areas: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Stakeholder-rated reliability against measured stability and delivery."""
    tc = _metric(areas, "trust_components")
    if not tc or tc["status"] != "ok":
        return None
    perceived = (tc.get("breakdown") or {}).get("reliability")
    measured_scores = [
        a["score"] for a in areas if a["id"] in ("stability", "delivery") and a["score"] is not None
    ]
    if perceived is None or not measured_scores:
        return None
    measured = sum(measured_scores) / len(measured_scores)
    threshold = float(fw.params.get("perception_threshold", 60))
    key, label = QUADRANTS[(measured >= threshold, float(perceived) >= threshold)]
    return {
        "quadrant": key,
        "label": label,
        "perceived": round(float(perceived), 1),
        "measured": round(measured, 1),
        "threshold": threshold,
    }

"""Stages and gates: the highest stage whose gate passes together with every gate below it.

A stage is never an average: strong relationships cannot hide outages. A condition whose
figure is missing (area not measured, metric without enough data) fails, because the
organisation cannot show it meets it; its reason says what data is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

from trustmeter.framework.model import Condition, Framework
from trustmeter.scorecard.model import (
    Area,
    Blocker,
    GateResult,
    Perception,
    Quadrant,
    Rung,
    Stage,
    find_metric,
)

# The areas of each period, newest first: this period, then the ones before it.
History = Sequence[Sequence[Area]]


def _area(areas: Sequence[Area], area_id: str) -> Area:
    return next(a for a in areas if a.id == area_id)


def check(cond: Condition, history: History) -> list[GateResult]:
    """Evaluate one condition; an area condition on '*' expands to one result per area."""
    targets = [a.id for a in history[0]] if cond.target == "*" else [cond.target]
    results = []
    for target in targets:
        values: list[float | None] = []
        for areas in history[: cond.periods]:
            if cond.kind == "area":
                values.append(_area(areas, target).score)
            else:
                m = find_metric(areas, target)
                values.append(m.value if m and m.status == "ok" else None)
        now = values[0] if values else None
        before = values[1:]
        known = [v for v in before if v is not None]
        passed = False
        if len(values) < cond.periods:
            reason = "not enough history for this gate"
        elif now is None:
            reason = _missing_reason(cond, target, history[0])
        elif len(known) < len(before):
            reason = f"{target} was not measured in the period before"
        elif now < cond.min:
            what = "scored" if cond.kind == "area" else "is"
            reason = f"{target} {what} {now:g}, below {cond.min:g}"
        elif any(v < cond.min for v in known):
            reason = f"{target} was {known[0]:g} in the period before, below {cond.min:g}"
        else:
            passed, reason = True, "met"
        results.append(
            GateResult(
                condition=cond.describe() if cond.target != "*" else f"{target} ≥ {cond.min:g}",
                kind=cond.kind,
                target=target,
                required=cond.min,
                periods=cond.periods,
                actual=now,
                previous=values[1] if len(values) > 1 else None,
                passed=passed,
                reason=reason,
            )
        )
    return results


def _missing_reason(cond: Condition, target: str, areas: Sequence[Area]) -> str:
    if cond.kind == "area":
        a = _area(areas, target)
        return f"{a.name} is not measured (coverage {a.coverage:.0%}); it needs {a.measure_with}"
    m = find_metric(areas, target)
    if m is None:
        return f"{target} is not computed"
    return f"{target} has status {m.status}" + (f" ({m.note})" if m.note else "")


def evaluate_stage(fw: Framework, history: History) -> Stage:
    """The stage reached, the ladder with every condition, and what blocks the next stage."""
    ladder = []
    level = 0
    blocked_by: tuple[Blocker, ...] = ()
    still_climbing = True
    for stage in fw.stages:
        conds = [r for c in stage.gate for r in check(c, history)]
        passed = all(r.passed for r in conds)
        ladder.append(Rung(stage.level, stage.name, stage.ceiling, passed, tuple(conds)))
        if still_climbing and passed:
            level = stage.level
        elif still_climbing:
            still_climbing = False
            blocked_by = tuple(
                Blocker.of(r, stage.level, stage.name) for r in conds if not r.passed
            )
    current = fw.stages[level]
    return Stage(
        level=level,
        name=current.name,
        ceiling=current.ceiling,
        blocked_by=blocked_by,
        ladder=tuple(ladder),
    )


QUADRANTS: dict[tuple[bool, bool], tuple[Quadrant, str]] = {
    (True, True): ("trusted", "trusted"),
    (True, False): ("invisible_improvement", "invisible improvement: communicate it"),
    (False, True): ("borrowed_trust", "borrowed trust: a risk"),
    (False, False): ("order_taker", "order taker"),
}


def perception(fw: Framework, areas: Sequence[Area]) -> Perception | None:
    """Stakeholder-rated reliability against measured stability and delivery."""
    tc = find_metric(areas, "trust_components")
    if not tc or tc.status != "ok":
        return None
    perceived = tc.breakdown.get("reliability")
    measured_scores = [
        a.score for a in areas if a.id in ("stability", "delivery") and a.score is not None
    ]
    if perceived is None or not measured_scores:
        return None
    measured = sum(measured_scores) / len(measured_scores)
    threshold = fw.settings.perception_threshold
    key, label = QUADRANTS[(measured >= threshold, float(perceived) >= threshold)]
    return Perception(
        quadrant=key,
        label=label,
        perceived=round(float(perceived), 1),
        measured=round(measured, 1),
        threshold=threshold,
    )

"""The one-pager's three focus items: the scorecard's next focus, then the gates after it.

The Scorer's focus lists the metrics that hold back the *next* gate, ordered by gap × weight
(FRAMEWORK.md, "Next focus"); often that is one item. A CEO asked for the top three, so when
the focus has fewer, the one-pager continues up the ladder: the failing conditions of the
following gates, in ladder order, each with the evidence its metric (or, for an area, its
weakest scored metric) already carries. Nothing is re-scored; the items are read from the card.
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import num
from trustmeter.report.plain import condition_text, plain_text, plain_value
from trustmeter.scorecard.model import Evidence, FocusItem, GateResult, MetricEntry, Scorecard

# Evidence about one person names a pseudonym (E1017): useful in the full report, noise here.
HIDDEN_EVIDENCE_KINDS = frozenset({"person"})


def _evidence(evidence: tuple[Evidence, ...], limit: int = 2) -> list[str]:
    shown = [e for e in evidence if e.kind not in HIDDEN_EVIDENCE_KINDS and (e.detail or e.name)]
    return [plain_text(e.detail or e.name) for e in shown[:limit]]


def _from_focus(item: FocusItem, stage_name: str) -> dict[str, Any]:
    if num(item.value) is None:
        figure = f"{item.name} has too little data to score yet"
    else:
        figure = (
            f"{item.name} is {plain_value(item.value, item.unit)}; "
            f"the target is {plain_value(item.target, item.unit)}"
        )
    return {
        "name": item.name,
        "for": stage_name,
        "figure": figure,
        "evidence": _evidence(item.evidence),
        "action": next((a for a in item.actions if a), ""),
    }


def _weakest(card: Scorecard, area_id: str) -> MetricEntry | None:
    area = card.area(area_id)
    scored = [m for m in area.metrics if m.scored and num(m.score) is not None] if area else []
    return min(scored, key=lambda m: (num(m.score) or 0.0) - m.weight) if scored else None


def _from_condition(card: Scorecard, cond: GateResult, stage_name: str) -> dict[str, Any]:
    metrics = {m.id: m for m in card.metrics()}
    areas = {a.id: a.name for a in card.areas}
    figure = condition_text(cond, metrics, areas)
    if cond.kind == "area":
        name = areas.get(cond.target, cond.target)
        weakest = _weakest(card, cond.target)
        evidence = []
        if weakest is not None:
            evidence.append(
                f"Weakest part: {weakest.name}, {plain_value(weakest.value, weakest.unit)}"
            )
            evidence += _evidence(weakest.evidence, 1)
    else:
        m = metrics.get(cond.target)
        name = m.name if m else figure
        evidence = _evidence(m.evidence) if m else []
    return {"name": name, "for": stage_name, "figure": figure, "evidence": evidence, "action": ""}


def focus_items(card: Scorecard, limit: int = 3) -> list[dict[str, Any]]:
    """Up to `limit` items: the next focus first, then failing conditions of higher gates."""
    focus = card.focus
    out = [_from_focus(i, focus.stage_name) for i in (*focus.items, *focus.unmeasured)]
    seen = {i.metric for i in (*focus.items, *focus.unmeasured)}
    seen |= {b.target for b in card.stage.blocked_by if b.kind == "metric"}
    for b in card.stage.blocked_by:
        if len(out) >= limit:
            break
        if b.kind == "area" and b.target not in seen:
            out.append(_from_condition(card, b, b.stage_name))
            seen.add(b.target)
    for rung in sorted(card.stage.ladder, key=lambda r: r.level):
        if rung.level <= focus.stage:
            continue
        for cond in rung.conditions:
            if len(out) >= limit:
                return out[:limit]
            if cond.passed or cond.target in seen:
                continue
            out.append(_from_condition(card, cond, rung.name))
            seen.add(cond.target)
    return out[:limit]

"""The next focus: what holds the organisation back most, with its evidence and actions.

Start from the lowest failing gate. Within it, the metrics that hold the gate back are
ordered by gap × weight, except that Production Stability and Delivery stay first until
their gate passes (as an SRE team freezes features while its error budget is spent).
A figure that cannot be computed is listed after the scored ones, as data to collect.
"""

from __future__ import annotations

from collections.abc import Sequence

from trustmeter.framework.model import Framework
from trustmeter.scorecard.model import Area, Focus, FocusItem, MetricEntry, Stage

FIRST_AREAS = ("stability", "delivery")
MAX_ITEMS = 5

# What holds a gate back: (kind, target, reason), kind "area" or "metric".
Need = tuple[str, str, str]


def _item(fw: Framework, m: MetricEntry, reason: str) -> FocusItem:
    weight = float(m.weight)
    gap = round(100.0 - float(m.score), 1) if m.status == "ok" and m.score is not None else None
    return FocusItem(
        metric=m.id,
        name=m.name,
        area=m.area,
        status=m.status,
        value=m.value,
        unit=m.unit,
        target=m.target,
        score=m.score,
        n=m.n,
        gap=gap,
        weight=weight,
        priority=round(gap * weight, 1) if gap is not None else None,
        reason=reason,
        evidence=m.evidence[:3],
        actions=tuple(fw.metrics[m.id].actions),
        note=m.note,
    )


def _candidates(fw: Framework, areas: Sequence[Area], needs: Sequence[Need]) -> list[FocusItem]:
    by_id = {m.id: m for a in areas for m in a.metrics}
    items: dict[str, FocusItem] = {}
    for kind, target, reason in needs:
        if kind == "metric":
            found = by_id.get(target)
            if found and found.status != "left_out":
                items.setdefault(found.id, _item(fw, found, reason))
            continue
        area = next(a for a in areas if a.id == target)
        for m in area.metrics:
            full = m.status == "ok" and m.score is not None and m.score >= 100
            if m.status == "left_out" or full:
                continue
            items.setdefault(m.id, _item(fw, m, reason))
    return list(items.values())


def _order(item: FocusItem) -> tuple[int, int, float]:
    not_first = 0 if item.area in FIRST_AREAS else 1
    unscored = 0 if item.priority is not None else 1
    return (unscored, not_first, -(item.priority or 0.0))


def next_focus(fw: Framework, stage: Stage, areas: Sequence[Area]) -> Focus:
    if stage.blocked_by:
        target_level = stage.blocked_by[0].stage
        target_name = stage.blocked_by[0].stage_name
        needs = [(b.kind, b.target, b.reason) for b in stage.blocked_by]
    else:
        # Every gate passes: keep the weakest figures improving.
        target_level, target_name = stage.level, stage.name
        needs = [("area", a.id, "strengthen the weakest figures") for a in areas]
    items = sorted(_candidates(fw, areas, needs), key=_order)
    first_blocked = [c for c in stage.blocked_by if c.target in FIRST_AREAS]
    if first_blocked:
        items = sorted(items, key=lambda i: (i.area not in FIRST_AREAS, *_order(i)))
    scored = [i for i in items if i.priority is not None][:MAX_ITEMS]
    unmeasured = [i for i in items if i.priority is None][:MAX_ITEMS]
    return Focus(
        stage=target_level,
        stage_name=target_name,
        summary=_summary(stage, target_name, scored, unmeasured),
        items=tuple(scored),
        unmeasured=tuple(unmeasured),
    )


def _summary(
    stage: Stage, target: str, scored: Sequence[FocusItem], unmeasured: Sequence[FocusItem]
) -> str:
    blocked = stage.blocked_by
    if not blocked:
        head = f"Every gate passes at {stage.name}."
    else:
        reasons = "; ".join(b.reason for b in blocked[:3])
        head = f"To reach {target}: {reasons}."
    if scored:
        top = scored[0]
        ev = f" ({top.evidence[0].detail})" if top.evidence else ""
        head += f" Start with {top.name.lower()}{ev}."
    elif unmeasured:
        head += f" First measure {unmeasured[0].name.lower()}: {unmeasured[0].note or 'no data'}."
    return head

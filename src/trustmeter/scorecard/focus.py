"""The next focus: what holds the organisation back most, with its evidence and actions.

Start from the lowest failing gate. Within it, the metrics that hold the gate back are
ordered by gap × weight, except that Production Stability and Delivery stay first until
their gate passes (as an SRE team freezes features while its error budget is spent).
A figure that cannot be computed is listed after the scored ones, as data to collect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from trustmeter.framework.model import Framework
from trustmeter.scorecard.model import Area, Focus, FocusItem, MetricEntry, Scorecard, Stage

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


# --- A synthesis across areas for one business unit, service or team -----------------------
# "Operations is neglected" in one sentence with its evidence: the slice's own scored figures
# and, for a unit or a team, its group's survey results as the department's scorecard shows
# them (only groups the anonymity rule allows appear there). Each figure is judged against its
# own target and floor; nothing is re-scored.

SynthesisVerdict = Literal["poor", "good", "mixed", "unmeasured"]
# A slice is judged poor when at least this many figures sit at or past their floor and they
# are at least this share of its figures.
POOR_MIN, POOR_SHARE = 2, 1 / 4


@dataclass(frozen=True)
class SliceFigure:
    metric: str
    name: str
    area: str
    unit: str
    value: float
    target: float
    floor: float
    poor: bool  # at or past the floor
    good: bool  # at or past the target
    n: int  # the slice's sample, or the group's respondents for a survey figure
    survey: bool  # a survey group's result, read from the department's scorecard
    entry: MetricEntry  # the entry the figure comes from (for its sample and evidence)


@dataclass(frozen=True)
class Synthesis:
    kind: str
    name: str
    verdict: SynthesisVerdict
    figures: tuple[SliceFigure, ...]  # worst first: poor ones, then by distance to target

    @property
    def poor(self) -> tuple[SliceFigure, ...]:
        return tuple(f for f in self.figures if f.poor)

    @property
    def good(self) -> tuple[SliceFigure, ...]:
        return tuple(f for f in self.figures if f.good)


def _beyond(value: float, mark: float, direction: str) -> bool:
    return value >= mark if direction == "higher" else value <= mark


def _standing(f: SliceFigure) -> float:
    """0 at the floor, 1 at the target (unclipped): for ordering only, never shown."""
    span = f.target - f.floor
    return (f.value - f.floor) / span if span else 0.0


def slice_synthesis(slice_card: Scorecard, department: Scorecard | None) -> Synthesis:
    """The slice's figures judged against their targets and floors, and a verdict on them."""
    info = slice_card.slice
    kind, name = (info.kind, info.name) if info is not None else ("department", "")
    figures: list[SliceFigure] = []
    for m in slice_card.metrics():
        if m.status != "ok" or m.value is None or m.score is None:
            continue
        figures.append(
            SliceFigure(
                m.id,
                m.name,
                m.area,
                m.unit,
                float(m.value),
                m.target,
                m.floor,
                m.score <= 0,
                m.score >= 100,
                m.n,
                False,
                m,
            )
        )
    if department is not None and kind in ("unit", "team"):
        for m in department.metrics():
            groups = m.breakdown.get("by_group")
            row = groups.get(name) if isinstance(groups, dict) else None
            if not isinstance(row, dict) or not isinstance(row.get("value"), int | float):
                continue
            v = float(row["value"])
            people = row.get("respondents")
            figures.append(
                SliceFigure(
                    m.id,
                    m.name,
                    m.area,
                    m.unit,
                    v,
                    m.target,
                    m.floor,
                    _beyond(v, m.floor, "lower" if m.direction == "higher" else "higher"),
                    _beyond(v, m.target, m.direction),
                    people if isinstance(people, int) else 0,
                    True,
                    m,
                )
            )
    figures.sort(key=lambda f: (not f.poor, _standing(f)))
    poor = sum(1 for f in figures if f.poor)
    good = sum(1 for f in figures if f.good)
    verdict: SynthesisVerdict
    if not figures:
        verdict = "unmeasured"
    elif poor >= POOR_MIN and poor >= POOR_SHARE * len(figures):
        verdict = "poor"
    elif poor == 0 and good * 2 >= len(figures):
        verdict = "good"
    else:
        verdict = "mixed"
    return Synthesis(kind, name, verdict, tuple(figures))

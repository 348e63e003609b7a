"""The organisation's history as the ordering analysis reads it.

Per period: every area's score and the stage reached, under the workspace's framework and
under the default one (one Scorer pass each, for all periods at once); the survey campaigns'
closing dates on the same time line; which areas are observed only when a survey closes; and
when each area crossed each gate that names it and stayed there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trustmeter.framework import Framework
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.surveyed import campaigns
from trustmeter.periods import Period
from trustmeter.scorecard.scorer import Scorer

# FRAMEWORK.md: the stakeholder trust survey measures relationships, the team survey talent.
# A survey metric counts as read from the survey of the area it was registered under.
SURVEY_OF_AREA = {"relationships": "stakeholder", "talent": "team"}
# An area is observed only when a survey closes if survey metrics carry this share of its
# weight or more: between campaigns its score mostly repeats the last survey.
SPARSE_SHARE = 0.5


@dataclass(frozen=True)
class StageAt:
    level: int
    name: str


@dataclass(frozen=True)
class CampaignMark:
    kind: str
    name: str
    closed_at: datetime | None
    period: int | None  # index of the period it closed in, None outside the history


@dataclass(frozen=True)
class GateCrossing:
    """When an area passed one gate condition and kept passing it to the last period."""

    area: str
    stage: int
    stage_name: str
    min: float
    periods: int
    crossed: Period | None
    every_area: bool = False  # from a condition on every area ("*"), not naming this one

    def as_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "stage": self.stage,
            "stage_name": self.stage_name,
            "min": self.min,
            "periods": self.periods,
            "crossed": self.crossed.start.isoformat() if self.crossed else None,
            "crossed_period": self.crossed.label if self.crossed else None,
            "every_area": self.every_area,
        }


@dataclass(frozen=True)
class History:
    periods: list[Period]
    scores: dict[str, list[float | None]]  # area -> score per period (None: not measured)
    names: dict[str, str]
    stages: list[StageAt]
    default_stages: list[StageAt]
    same_framework: bool
    campaigns: list[CampaignMark]
    sparse: dict[str, str]  # area -> survey kind, for areas observed only at its closings
    gates: list[GateCrossing]

    def observed(self, area: str) -> list[float | None]:
        """The area's scores as observations: for a survey-based area, only the periods in
        which a campaign of its survey closed."""
        values = self.scores[area]
        kind = self.sparse.get(area)
        if kind is None:
            return list(values)
        closing = {c.period for c in self.campaigns if c.kind == kind and c.period is not None}
        return [v if i in closing else None for i, v in enumerate(values)]

    def crossings(self) -> dict[str, date | None]:
        """Each area's crossing of its most demanding gate that names it (stability ≥ 70 for
        two periods, planning ≥ 60...), or of the every-area gate when none names it."""
        out: dict[str, date | None] = {}
        for area in self.scores:
            named = [g for g in self.gates if g.area == area]
            own = [g for g in named if not g.every_area] or named
            if not own:
                out[area] = None
                continue
            top = max(own, key=lambda g: (g.min, g.periods, -g.stage))
            out[area] = top.crossed.start if top.crossed else None
        return out


def sparse_areas(fw: Framework, profile: str) -> dict[str, str]:
    """Areas whose weight is mostly survey metrics, with the survey kind that feeds them."""
    reg = all_metrics()
    total: dict[str, float] = {}
    survey: dict[str, dict[str, float]] = {}
    for mid, s in fw.metrics.items():
        m = reg.get(mid)
        if m is None or not s.enabled or mid in fw.profiles[profile].optional_metrics:
            continue
        total[s.area] = total.get(s.area, 0.0) + s.weight
        kind = SURVEY_OF_AREA.get(m.area)
        if "survey_answer" in m.needs and kind:
            by = survey.setdefault(s.area, {})
            by[kind] = by.get(kind, 0.0) + s.weight
    out = {}
    for area, kinds in survey.items():
        kind, weight = max(kinds.items(), key=lambda kv: kv[1])
        if total.get(area) and weight / total[area] >= SPARSE_SHARE:
            out[area] = kind
    return out


def crossed(values: Sequence[float | None], minimum: float, periods: int) -> int | None:
    """The first index from which the condition (≥ minimum in this period and the
    `periods` − 1 before) holds in every later period, or None when it fails at the end."""
    ok = [v is not None and v >= minimum for v in values]
    first = None
    for i in range(len(ok) - 1, -1, -1):
        window = ok[i - periods + 1 : i + 1] if i - periods + 1 >= 0 else []
        if window and all(window):
            first = i
        else:
            break
    return first


def gate_crossings(
    fw: Framework, periods: list[Period], scores: dict[str, list[float | None]]
) -> list[GateCrossing]:
    """For each area condition of each stage gate: when it was crossed for good."""
    out = []
    for stage in fw.stages:
        for cond in stage.gate:
            if cond.kind != "area":
                continue
            targets = list(scores) if cond.target == "*" else [cond.target]
            for area in targets:
                i = crossed(scores[area], cond.min, cond.periods)
                at = periods[i] if i is not None else None
                every = cond.target == "*"
                out.append(
                    GateCrossing(area, stage.level, stage.name, cond.min, cond.periods, at, every)
                )
    return out


def _campaign_marks(scorer: Scorer, periods: list[Period]) -> list[CampaignMark]:
    batch = scorer.batch(())
    marks = []
    least = scorer.framework.settings.min_group
    for kind in ("stakeholder", "team"):
        # Only campaigns the anonymity rule reads (docs/surveys.md): a smaller one gives no
        # figure, so it is no observation of perception.
        for found in campaigns(batch, kind):
            if found.respondents < least:
                continue
            name, closed_at = found.name, found.closed_at
            idx = None
            if closed_at is not None:
                idx = next(
                    (i for i, p in enumerate(periods) if p.start_ts <= closed_at < p.end_ts), None
                )
            marks.append(CampaignMark(kind, name, closed_at, idx))
    return sorted(marks, key=lambda c: (c.closed_at or datetime.max, c.kind, c.name))


def build(scorer: Scorer, default: Scorer | None, periods: list[Period]) -> History:
    """Score every period (one pass per framework) and assemble the history.

    `default` scores the same store under the default framework; None when the workspace
    uses the default framework, whose stages are then the workspace's.
    """
    cards = scorer.trend(periods)
    fw = scorer.framework
    scores = {a: [next(x.score for x in c.areas if x.id == a) for c in cards] for a in fw.areas}
    stages = [StageAt(c.stage.level, c.stage.name) for c in cards]
    default_stages = stages
    if default is not None:
        default_stages = [StageAt(c.stage.level, c.stage.name) for c in default.trend(periods)]
    return History(
        periods=periods,
        scores=scores,
        names={a.id: a.name for a in fw.areas.values()},
        stages=stages,
        default_stages=default_stages,
        same_framework=default is None,
        campaigns=_campaign_marks(scorer, periods),
        sparse=sparse_areas(fw, scorer.profile),
        gates=gate_crossings(fw, periods, scores),
    )


# The dated columns that say when an organisation's records begin.
FIRST_DATES = (
    ("incident", "opened_at"),
    ("change", "deployed_at"),
    ("work_item", "created_at"),
    ("commitment", "due_on"),
    ("survey_response", "submitted_at"),
)


def first_record_day(scorer: Scorer) -> date | None:
    """The earliest date among incidents, changes, work items, commitments and survey
    responses: where the history begins. None when the workspace holds none of them.
    One query for the five tables (each table's earliest day, then the earliest of those)."""
    batch = scorer.batch(())
    firsts = []
    for table, column in FIRST_DATES:
        t = batch.t(table)
        firsts.append(t.aggregate(day=t[column].min().cast("date")))
    union = firsts[0]
    for part in firsts[1:]:
        union = union.union(part)
    value = batch.store.con.to_pyarrow(union.day.min()).as_py()
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None

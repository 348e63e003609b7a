"""Two periods side by side: every metric, area, the Trust Index and the stage, with the change
and whether it is beyond the period-to-period noise (scorecard/noise.py has the rules).

`compare` reads three things the Scorer built: the scorecard of each period and the
scorecards of the history the noise rule needs (the periods up to and including the earlier
of the two). It computes no figure itself; it subtracts and judges. docs/compare.md describes
the output and the method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trustmeter.metrics.catalogue import all_metrics
from trustmeter.periods import Period
from trustmeter.scorecard.benchmarks import Placement, place
from trustmeter.scorecard.model import MetricEntry, MetricStatus, Scorecard
from trustmeter.scorecard.noise import Noise, proportion_noise, xmr_noise
from trustmeter.scorecard.samples import GROUPS, respondents, sample_phrase

# Metrics whose figure is a share of the n things counted (x of n, in %): the two-proportion
# test applies. unplanned_work only when counted (not weighted by effort); partner_perception
# counts respondents, which its breakdown lists.
SHARES = frozenset(
    {
        "slo_attainment",
        "change_failure_rate",
        "repeat_incidents",
        "aged_demand",
        "objective_traceability",
        "early_involvement",
        "review_cadence",
        "proactive_contact",
        "key_person_coverage",
        "unplanned_work",
        "partner_perception",
    }
)
# Survey figures stay the same until a new campaign closes (see noise.xmr_noise).
SURVEYS = frozenset({*GROUPS, "importance_gap"})


@dataclass(frozen=True)
class Side:
    """One metric in one of the two periods."""

    value: float | None
    n: int
    sample: str  # n with what it counts: "136 production changes"
    status: MetricStatus
    score: float | None
    benchmark: Placement | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "n": self.n,
            "sample": self.sample,
            "status": self.status,
            "score": self.score,
            "benchmark": None if self.benchmark is None else self.benchmark.as_dict(),
        }


@dataclass(frozen=True)
class MetricChange:
    id: str
    name: str
    area: str
    unit: str
    direction: str
    a: Side
    b: Side
    change: float | None  # b − a in `change_unit`
    change_unit: str  # the metric's unit; "pp" (percentage points) for a share
    score_change: float | None
    better: bool | None  # whether the change goes the good way; None: no change or not known
    noise: Noise

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "area": self.area,
            "unit": self.unit,
            "direction": self.direction,
            "a": self.a.as_dict(),
            "b": self.b.as_dict(),
            "change": self.change,
            "change_unit": self.change_unit,
            "score_change": self.score_change,
            "better": self.better,
            "noise": self.noise.as_dict(),
        }


@dataclass(frozen=True)
class ScoreChange:
    """An area score or the Trust Index in both periods, judged against its own history."""

    id: str
    name: str
    a: float | None
    b: float | None
    change: float | None
    noise: Noise

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "a": self.a,
            "b": self.b,
            "change": self.change,
            "noise": self.noise.as_dict(),
        }


@dataclass(frozen=True)
class Comparison:
    period_a: Period
    period_b: Period
    history: tuple[Period, ...]  # the periods the noise rule read, oldest first
    slice: dict[str, str] | None
    stage_a: tuple[int, str]
    stage_b: tuple[int, str]
    trust_index: ScoreChange
    area_average: ScoreChange  # the uncapped Trust Index: the areas' weighted mean
    areas: tuple[ScoreChange, ...]
    metrics: tuple[MetricChange, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.period_a.as_dict(),
            "b": self.period_b.as_dict(),
            "history": [p.label for p in self.history],
            "slice": self.slice,
            "stage": {
                "a": {"level": self.stage_a[0], "name": self.stage_a[1]},
                "b": {"level": self.stage_b[0], "name": self.stage_b[1]},
                "change": self.stage_b[0] - self.stage_a[0],
            },
            "trust_index": self.trust_index.as_dict(),
            "area_average": self.area_average.as_dict(),
            "areas": [a.as_dict() for a in self.areas],
            "metrics": [m.as_dict() for m in self.metrics],
        }


def compare(a: Scorecard, b: Scorecard, history: Sequence[Scorecard]) -> Comparison:
    """Period `a` against period `b`; `history` is the scorecards the noise rule reads, oldest
    first, ending with the earlier of the two periods."""
    areas_b = {x.id: x for x in b.areas}
    area_changes = []
    for area_a in a.areas:
        area_b = areas_b.get(area_a.id)
        past = [h.area(area_a.id) for h in history]
        area_changes.append(
            _score_change(
                area_a.id,
                area_a.name,
                area_a.score,
                None if area_b is None else area_b.score,
                [x.score for x in past if x is not None],
            )
        )
    trust_a, trust_b = a.indices.trust, b.indices.trust
    return Comparison(
        period_a=a.period,
        period_b=b.period,
        history=tuple(h.period for h in history),
        slice=None if a.slice is None else {"kind": a.slice.kind, "name": a.slice.name},
        stage_a=(a.stage.level, a.stage.name),
        stage_b=(b.stage.level, b.stage.name),
        trust_index=_score_change(
            "trust_index",
            "Trust Index",
            trust_a.value,
            trust_b.value,
            [h.indices.trust.value for h in history],
        ),
        area_average=_score_change(
            "area_average",
            "Average of the areas",
            trust_a.uncapped,
            trust_b.uncapped,
            [h.indices.trust.uncapped for h in history],
        ),
        areas=tuple(area_changes),
        metrics=tuple(
            _metric_change(m, b.metric(m.id), [h.metric(m.id) for h in history])
            for m in a.metrics()
        ),
    )


def _score_change(
    id: str, name: str, a: float | None, b: float | None, past: Sequence[float | None]
) -> ScoreChange:
    if a is None or b is None:
        noise = Noise("not_comparable", "none", "not measured in both periods")
        return ScoreChange(id, name, a, b, None, noise)
    known = [x for x in past if x is not None]
    return ScoreChange(id, name, a, b, round(b - a, 3), xmr_noise(known, a, b))


def _side(m: MetricEntry) -> Side:
    value = m.value if m.status in ("ok", "insufficient") else None
    placed = place(m.id, m.value) if m.status == "ok" else None
    return Side(value, m.n, sample_phrase(m), m.status, m.score, placed)


def _share_n(m: MetricEntry) -> int | None:
    """How many things a share metric's figure is a share of; None if it is not a plain share."""
    if m.id not in SHARES:
        return None
    if m.id == "unplanned_work" and m.breakdown.get("basis") != "count":
        return None
    if m.id == "partner_perception":
        return respondents(m.breakdown)
    return m.n


def _metric_change(
    a: MetricEntry, b: MetricEntry | None, past: Sequence[MetricEntry | None]
) -> MetricChange:
    if b is None:
        # Both scorecards come from one Scorer, so from one framework and its metrics.
        raise ValueError(f"{a.name} is missing from the second period's scorecard")
    side_a, side_b = _side(a), _side(b)
    change = score_change = None
    if side_a.value is not None and side_b.value is not None:
        change = round(side_b.value - side_a.value, 3)
    if a.score is not None and b.score is not None:
        score_change = round(b.score - a.score, 1)
    better = None
    if change:
        better = (change > 0) == (a.direction == "higher")
    return MetricChange(
        id=a.id,
        name=a.name,
        area=a.area,
        unit=a.unit,
        direction=a.direction,
        a=side_a,
        b=side_b,
        change=change,
        change_unit="pp" if a.unit == "%" else a.unit,
        score_change=score_change,
        better=better,
        noise=metric_noise(a, b, past),
    )


def metric_noise(a: MetricEntry, b: MetricEntry, past: Sequence[MetricEntry | None]) -> Noise:
    """The verdict on one metric's change from `a` to `b`, by the rule for its shape."""
    for e in (a, b):
        if e.status in ("no_data", "left_out"):
            why = "no data" if e.status == "no_data" else "left out"
            return Noise("not_comparable", "none", f"{why} in {_which(e, a)}")
    for e in (a, b):
        if e.status == "insufficient" or e.value is None:
            return Noise(
                "too_small",
                "none",
                f"{sample_phrase(e)} in {_which(e, a)}, below the minimum of {e.min_sample}",
            )
    assert a.value is not None and b.value is not None
    n_a, n_b = _share_n(a), _share_n(b)
    if n_a is not None and n_b is not None:
        return proportion_noise(a.value, n_a, b.value, n_b)
    known = [p.value for p in past if p is not None and p.status == "ok" and p.value is not None]
    defined = all_metrics().get(a.id)
    log_scale = defined is not None and defined.log_scale
    return xmr_noise(known, a.value, b.value, log_scale=log_scale, campaigns=a.id in SURVEYS)


def _which(e: MetricEntry, a: MetricEntry) -> str:
    return "the first period" if e is a else "the second period"

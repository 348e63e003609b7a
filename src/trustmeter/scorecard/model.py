"""The scorecard as typed, frozen objects: what `Scorer.scorecard` returns and everything renders.

`Scorecard.as_dict()` is the JSON object of docs/scorecard-json.md, key for key and in the
same order: each class lists its fields in the order the JSON names them, and `as_dict`
follows that order. `from_dict` reads such an object back (a saved `score --json`, a test's
hand-built card). Nothing here computes a figure: the Scorer, the stage gates and the focus
build these objects, and the terminal, the report and the web app read their attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import date
from types import UnionType
from typing import Any, Literal, Self, Union, cast, get_args, get_origin, get_type_hints

from trustmeter.metrics.evidence import Evidence as Evidence  # one type from query to JSON
from trustmeter.periods import Period, PeriodKind

MetricStatus = Literal["ok", "insufficient", "no_data", "left_out"]
AreaStatus = Literal["measured", "not_measured"]
Quadrant = Literal["trusted", "invisible_improvement", "borrowed_trust", "order_taker"]


def _plain(v: Any) -> Any:
    """A JSON-ready copy: records as their dicts, tuples as lists, containers copied."""
    if isinstance(v, _Record | Period | Evidence):
        return v.as_dict()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


class _Record:
    """`as_dict` lists the fields in their declared order: the order of the JSON keys;
    `from_dict` reads such a dict back, each field by its declared type."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(cast(Any, self))}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        hints = get_type_hints(cls)
        return cls(
            **{
                f.name: _read(hints[f.name], d[f.name])
                for f in fields(cast(Any, cls))
                if f.name in d or f.default is MISSING
            }
        )


def _read(tp: Any, v: Any) -> Any:
    """A JSON value as the type a field declares: records, periods, dates, tuples, dicts."""
    if v is None:
        return None
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        kinds = [a for a in args if a is not type(None)]
        return _read(kinds[0], v) if len(kinds) == 1 else v
    if origin is tuple:
        return tuple(_read(args[0], x) for x in v)
    if origin is dict:
        return {k: _read(args[1], x) for k, x in v.items()}
    if isinstance(tp, type) and issubclass(tp, _Record):
        return tp.from_dict(v)
    if tp is Evidence:
        return Evidence(**v)
    if tp is Period:
        return period_from_dict(v)
    if tp is date:
        return date.fromisoformat(v)
    return v


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class MetricEntry(_Record):
    """One metric in one period: its figure, target, score, sample and status, with evidence.

    Only `ok` entries have a score; `insufficient` (n below `min_sample`), `no_data` and
    `left_out` (the profile or the framework file leaves it out) never count as zero.
    """

    id: str
    name: str
    area: str
    value: float | None
    unit: str
    direction: str
    target: float
    floor: float
    score: float | None
    n: int
    min_sample: int
    status: MetricStatus
    weight: float
    description: str
    breakdown: dict[str, Any]  # free-form, per metric
    evidence: tuple[Evidence, ...]
    note: str | None

    @property
    def scored(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Area(_Record):
    """One focus area: the weighted mean of its scored metrics, once enough weight is scored.

    `partial_score` is that mean whatever the coverage; `score` is it only when the area is
    `measured` (coverage at least the framework's `min_coverage`).
    """

    id: str
    name: str
    weight: float
    score: float | None
    partial_score: float | None
    coverage: float
    status: AreaStatus
    measure_with: str
    metrics: tuple[MetricEntry, ...]

    @property
    def measured(self) -> bool:
        return self.status == "measured"

    def metric(self, metric_id: str) -> MetricEntry | None:
        return next((m for m in self.metrics if m.id == metric_id), None)


def find_metric(areas: Iterable[Area], metric_id: str) -> MetricEntry | None:
    """The entry of `metric_id` in any of `areas`."""
    for a in areas:
        m = a.metric(metric_id)
        if m is not None:
            return m
    return None


# --------------------------------------------------------------------------- stage


@dataclass(frozen=True)
class GateResult(_Record):
    """One gate condition checked against this period (and the ones before it)."""

    condition: str
    kind: str  # "area" or "metric"
    target: str  # the area or metric id
    required: float
    periods: int  # how many periods, this one included, must meet it
    actual: float | None
    previous: float | None
    passed: bool
    reason: str  # "met", or why not in plain words


@dataclass(frozen=True)
class Blocker(GateResult):
    """A failing condition of the lowest gate that fails, with the stage it holds back."""

    stage: int
    stage_name: str

    @classmethod
    def of(cls, r: GateResult, stage: int, stage_name: str) -> Self:
        own = {f.name: getattr(r, f.name) for f in fields(GateResult)}
        return cls(**own, stage=stage, stage_name=stage_name)


@dataclass(frozen=True)
class Rung(_Record):
    """One stage of the ladder with every condition of its gate."""

    level: int
    name: str
    ceiling: float
    passed: bool
    conditions: tuple[GateResult, ...]


@dataclass(frozen=True)
class Stage(_Record):
    """The stage reached, its Trust Index ceiling, what blocks the next one, and the ladder."""

    level: int
    name: str
    ceiling: float
    blocked_by: tuple[Blocker, ...]
    ladder: tuple[Rung, ...]


# --------------------------------------------------------------------------- indices


@dataclass(frozen=True)
class TrustIndex(_Record):
    """The weighted mean of the measured area scores (`uncapped`), capped at the stage's
    `ceiling` (`value`); both None when no area is measured."""

    value: float | None
    uncapped: float | None
    ceiling: float
    areas_measured: int

    @property
    def capped(self) -> bool:
        """Whether the ceiling holds the index below the areas' mean."""
        return self.value is not None and self.uncapped is not None and self.uncapped > self.value


@dataclass(frozen=True)
class PredictabilityIndex(_Record):
    """The mean score of the scored promise-keeping metrics (`metrics`: id → score)."""

    value: float | None
    metrics: dict[str, float]


@dataclass(frozen=True)
class Indices(_Record):
    trust: TrustIndex
    predictability: PredictabilityIndex


# --------------------------------------------------------------------------- focus, perception


@dataclass(frozen=True)
class FocusItem(_Record):
    """A metric that holds the next gate back: its figure, gap × weight, evidence and actions.

    `gap` and `priority` are None for a metric without a score: data to collect first.
    """

    metric: str
    name: str
    area: str
    status: MetricStatus
    value: float | None
    unit: str
    target: float
    score: float | None
    n: int
    gap: float | None
    weight: float
    priority: float | None
    reason: str
    evidence: tuple[Evidence, ...]
    actions: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Focus(_Record):
    """The next focus: the scored items by priority, and the figures to measure first."""

    stage: int
    stage_name: str
    summary: str
    items: tuple[FocusItem, ...]
    unmeasured: tuple[FocusItem, ...]


@dataclass(frozen=True)
class Perception(_Record):
    """Stakeholder-rated reliability against the measured stability and delivery scores."""

    quadrant: Quadrant
    label: str
    perceived: float
    measured: float
    threshold: float


# --------------------------------------------------------------------------- the scorecard


@dataclass(frozen=True)
class SliceInfo(_Record):
    """The slice a scorecard covers, and why each metric it leaves out has no meaning for it."""

    kind: str  # unit, service or team
    name: str
    left_out: dict[str, str]


@dataclass(frozen=True)
class Freshness(_Record):
    """The day each kind's records run to (their latest event, UTC), and which of them end
    before the period does (FRAMEWORK.md, "Freshness")."""

    runs_to: dict[str, date | None]  # by record kind ("incidents"), None when there are none
    stale: tuple[str, ...]  # kinds whose records end over a week before the period's last day
    past_data: bool  # no kind's records reach into the period at all

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs_to": {k: None if v is None else v.isoformat() for k, v in self.runs_to.items()},
            "stale": list(self.stale),
            "past_data": self.past_data,
        }


@dataclass(frozen=True)
class Scorecard(_Record):
    """One period's scorecard. `as_dict()` is what `score --json` prints."""

    schema: int
    trustmeter: str  # the version that computed it
    generated_at: str  # ISO 8601, UTC, "Z"
    workspace: dict[str, Any]
    period: Period
    indices: Indices
    stage: Stage
    areas: tuple[Area, ...]
    focus: Focus
    perception: Perception | None
    # A scorecard of one business unit, service or team (`score --unit|--service|--team`):
    # its kind and name, and the metrics it leaves out with the reason. None for the whole
    # department, and then absent from the JSON.
    slice: SliceInfo | None = None
    # How far the records run (None only in scorecards made before it was added).
    freshness: Freshness | None = None

    @property
    def trust_index(self) -> float | None:
        return self.indices.trust.value

    @property
    def predictability_index(self) -> float | None:
        return self.indices.predictability.value

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def metric(self, metric_id: str) -> MetricEntry | None:
        return find_metric(self.areas, metric_id)

    def metrics(self) -> Iterator[MetricEntry]:
        """Every metric entry, area by area."""
        for a in self.areas:
            yield from a.metrics

    def blocking_areas(self) -> frozenset[str]:
        """The areas that a failing condition of the next gate names, or whose metric it names."""
        area_of = {m.id: m.area for m in self.metrics()}
        return frozenset(area_of.get(b.target, b.target) for b in self.stage.blocked_by)

    def as_dict(self) -> dict[str, Any]:
        d = super().as_dict()
        # The two headline figures stand at the top level too, after the period.
        sliced = d.pop("slice")
        if d["freshness"] is None:
            del d["freshness"]
        out: dict[str, Any] = {}
        for k, v in d.items():
            if k == "indices":
                out["trust_index"] = self.trust_index
                out["predictability_index"] = self.predictability_index
            out[k] = v
            if k == "period" and sliced is not None:
                out["slice"] = sliced
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """The generic reading, after checking that the headline figures at the top level
        agree with the indices they repeat."""
        indices = d["indices"]
        if (d["trust_index"], d["predictability_index"]) != (
            indices["trust"]["value"],
            indices["predictability"]["value"],
        ):
            raise ValueError("trust_index and predictability_index disagree with indices")
        return super().from_dict(d)


def period_from_dict(d: Mapping[str, str]) -> Period:
    """The period of `Period.as_dict()`: its kind is the one whose label matches."""
    start, end = date.fromisoformat(d["from"]), date.fromisoformat(d["to"])
    kinds: tuple[PeriodKind, ...] = ("quarter", "month", "custom")
    for kind in kinds:
        p = Period(start, end, kind)
        if p.label == d["label"]:
            return p
    raise ValueError(f"period {d['label']!r} is not a month, a quarter or from..to")

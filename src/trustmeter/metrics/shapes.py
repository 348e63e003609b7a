"""Metric shapes: a metric declared as what it is, plus its records, filters and grain.

Most metrics are one of a few shapes. A `Share` is k of n records matching a predicate (aged
demand, repeat incidents, early involvement); a `DurationPercentile` is the median or a
percentile of the time between two timestamps (MTTR, lead times); a `Rate` is a count, or a
count of distinct values, per week or month of the period (deployment frequency). A shape
holds the one query for every period of a `Batch` (keyed by `pid` and the breakdown grain),
the value and n, and the lazy drill-down; the declaration gives what differs from metric to
metric: its records, its filters, its grain, and how its breakdown and evidence are worded.

    declare(Share(id="early_involvement", area="planning", ..., records=approved,
                  hit=lambda t: t.early, grain="unit", breakdown=..., evidence=..., drill=...))

registers it like `@metric` does (registry.py). A shape is an `About` (the fields every
metric declares, named once in registry.py) plus its parts; `declare` builds the `Metric`
from those fields and the shape's `compute`. The survey shapes (a mean of answers, an NPS)
are in survey_shapes.py. Metrics whose logic is none of these (availability's union of
windows, change failure rate's ties to incidents...) stay functions registered with
`@metric`; docs/metrics/README.md lists which is which. The framework file keeps the policy: targets, floors, weights, gates.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import ibis
import ibis.expr.types as ir

from trustmeter.metrics.common import as_float, as_int, name_of, seconds_between
from trustmeter.metrics.evidence import Evidence
from trustmeter.metrics.model import Batch, Context, Measurement, Row, grouped, split
from trustmeter.metrics.registry import REGISTRY, About, Metric, Results, register
from trustmeter.periods import Period

# The records a shape reads, for every period at once: a relation with the periods' columns
# (`Batch.within` or `Batch.before_end`), already filtered to what the metric counts.
Records = Callable[[Batch], ir.Table]
# The records behind one period's figure (the drill-down), built only when asked for.
Drill = Callable[[Context], ir.Table]
# A condition on the records (a column of the relation, or an expression of its columns).
Predicate = Callable[[ir.Table], ir.BooleanValue]
Names = Callable[[Batch], Mapping[str, str]]

G = TypeVar("G", "Count", "Spread", "Tally")
F = TypeVar("F")  # the figures of one period that a breakdown and evidence are worded from


@dataclass(frozen=True, kw_only=True)
class Shape(About, ABC):
    """A metric declared as a shape: its declaration (`About`: id, area, unit, needs...) and
    the parts its shape computes it from (the records shapes below; survey_shapes.py)."""

    @abstractmethod
    def compute(self, b: Batch) -> Results:
        """One measurement per period of `b`."""


@dataclass(frozen=True, kw_only=True)
class RecordShape(Shape, Generic[F]):
    """A shape over records: the parts common to `Share`, `DurationPercentile` and `Rate`: the
    records it reads, how a period's figures are worded, and the drill-down."""

    records: Records
    drill: Drill
    # The name of a grain's value as shown (service id → service name); the value otherwise.
    names: Names | None = None
    # The name of a null grain value (when the records do not label it themselves).
    missing: str = ""
    # The breakdown and the evidence of a period, from its figures.
    breakdown: Callable[[F], dict[str, Any]]
    evidence: Callable[[F], list[Evidence]]

    @abstractmethod
    def compute(self, b: Batch) -> Results:
        """One measurement per period of `b`, from one query."""

    def _namer(self, b: Batch) -> Callable[[Any], tuple[str, str]]:
        """(key, shown name) of a grain value as the engine returns it."""
        names = self.names(b) if self.names is not None else {}

        def of(v: Any) -> tuple[str, str]:
            key = name_of(v, self.missing)
            return key, names.get(key, key)

        return of

    def _measure(self, b: Batch, period: Period, value: float | None, n: int, f: F) -> Measurement:
        """A period's measurement, its breakdown and evidence worded from `f`."""
        return Measurement(
            value=value,
            n=n,
            breakdown=self.breakdown(f),
            evidence=self.evidence(f),
            records=lambda: self.drill(b.context(period)),
        )


def declare(shape: Shape, registry: dict[str, Metric] | None = None) -> Metric:
    """Register a metric declared as a shape (in REGISTRY, or in `registry` for a test)."""
    return register(Metric.of(shape, shape.compute), REGISTRY if registry is None else registry)


def worst(
    groups: Iterable[G], by: Callable[[G], float], limit: int = 3, *, positive: bool = False
) -> list[G]:
    """The `limit` groups with the largest `by`, ties by key; with `positive`, only those whose
    `by` is above zero (a contributor that contributes nothing is not evidence)."""
    kept = [g for g in groups if not positive or by(g) > 0]
    return sorted(kept, key=lambda g: (-by(g), g.key))[:limit]


def _flags(t: ir.Table, counts: Mapping[str, Predicate]) -> dict[str, ir.BooleanValue]:
    """The extra counts' conditions as columns, computed once for every grouping."""
    return {f"shape_c_{name}": when(t) for name, when in counts.items()}


# -- Share: k of n records --------------------------------------------------------------------
@dataclass(frozen=True)
class Count:
    """One grain value's records (`n`) and matches (`k`) in a period."""

    key: str
    name: str
    n: int
    k: int

    @property
    def misses(self) -> int:
        return self.n - self.k


@dataclass(frozen=True)
class Counts:
    """A share's figures for one period: the totals and each grain value's, ordered by key."""

    period: Period
    n: int
    k: int
    groups: list[Count]
    params: Mapping[str, Any]
    # Each of the share's other `grains`: its values' records and matches, ordered by key.
    by: Mapping[str, list[Count]] = field(default_factory=dict)

    @property
    def misses(self) -> int:
        return self.n - self.k


@dataclass(frozen=True, kw_only=True)
class Share(RecordShape[Counts]):
    """100 × k ÷ n: of the records, the share matching `hit`; None when there are none.

    One grouped count per period and `grain` value; the totals are their sums (counts add up,
    so no second grouping is needed). `grains` are more breakdowns (name → column), counted
    in the same query (a grouping each): "engagements by kind" beside "by business unit".
    """

    hit: Predicate
    grain: str
    grains: Mapping[str, str] = field(default_factory=dict)

    def compute(self, b: Batch) -> Results:
        t = self.records(b)
        hit = self.hit(t)
        if self.grains:
            every = {"shape_share": [self.grain], **{g: [c] for g, c in self.grains.items()}}
            t = t.mutate(shape_hit=hit)
            q = grouped(t, every, lambda t: {"n": t.count(), "k": t.count(where=t.shape_hit)})
        else:
            # Only the columns the count reads: the engine need not carry (or compute) the rest.
            t = t.select("pid", self.grain, shape_hit=hit)
            q = t.group_by("pid", self.grain).aggregate(n=t.count(), k=t.count(where=t.shape_hit))
        per = b.by_period(q)
        named = self._namer(b)

        def counts(rows: Sequence[Row], col: str) -> list[Count]:
            out = (Count(*named(r[col]), as_int(r["n"]), as_int(r["k"])) for r in rows)
            return sorted(out, key=lambda g: g.key)

        def build(pid: int, period: Period) -> Measurement:
            rows: Mapping[str, Sequence[Row]] = (
                split(per[pid]) if self.grains else {"shape_share": per[pid]}
            )
            groups = counts(rows["shape_share"], self.grain)
            by = {g: counts(rows[g], c) for g, c in self.grains.items()}
            n, k = sum(g.n for g in groups), sum(g.k for g in groups)
            c = Counts(period, n, k, groups, b.params, by)
            return self._measure(b, period, 100.0 * k / n if n else None, n, c)

        return b.each(build)


def by_count(c: Counts, total: str, hits: str) -> dict[str, dict[str, int]]:
    """Each grain value's records and matches, by name: {name: {total: n, hits: k}}."""
    return {g.name: {total: g.n, hits: g.k} for g in c.groups}


# -- DurationPercentile: the median or a percentile of a duration -----------------------------
@dataclass(frozen=True)
class Spread:
    """One grain value's durations in a period: how many, the percentile, and their sum."""

    key: str
    name: str
    n: int
    value: float
    total: float


@dataclass(frozen=True)
class Durations:
    """A duration percentile's figures for one period: overall, and per grain and value."""

    period: Period
    n: int
    value: float | None
    groups: Mapping[str, list[Spread]]
    counts: Mapping[str, int]
    params: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class DurationPercentile(RecordShape[Durations]):
    """The `quantile` (0.5: the median) of the time from `start` to `end`, in seconds ÷ each of
    `per` in turn (3600 for hours; 3600.0 then 24.0 for days), over the records where both
    are known and `start` is not after `end`. None when there is no such record.

    `grains` names each breakdown (grain name → column); a grain value with no measurable
    duration is left out. `counts` are extra counts over all the records (measurable or not),
    per period: a breakdown's "changes without a start".
    """

    start: str
    end: str
    per: tuple[float, ...]
    quantile: float = 0.5
    grains: Mapping[str, str]
    counts: Mapping[str, Predicate] = field(default_factory=dict)

    def duration(self, t: ir.Table) -> ir.NumericValue:
        """The duration of each record, in the metric's unit (null when it cannot be measured)."""
        d: ir.NumericValue = seconds_between(t[self.start], t[self.end])
        for p in self.per:
            d = d / p
        measurable = (
            t[self.start].notnull() & t[self.end].notnull() & (t[self.start] <= t[self.end])
        )
        # Masked rather than filtered with `where=`: Spark wants a constant percentile.
        return ibis.ifelse(measurable, d, ibis.null(d.type()))

    def compute(self, b: Batch) -> Results:
        t = self.records(b)
        t = t.mutate(shape_duration=self.duration(t), **_flags(t, self.counts))
        cols = dict(self.grains)
        q = self.quantile

        def aggs(t: ir.Table) -> dict[str, ir.Value]:
            d = t.shape_duration
            return {
                "k": d.count(),
                "q": d.median() if q == 0.5 else d.quantile(q),
                "total": d.sum(),
                **{f"c_{name}": t.count(where=t[f"shape_c_{name}"]) for name in self.counts},
            }

        per = b.by_period(
            grouped(t, {"all": [], **{g: [c] for g, c in cols.items()}}, aggs, key="pid")
        )
        named = self._namer(b)

        def spreads(rows: Sequence[Row], col: str) -> list[Spread]:
            out = [
                Spread(*named(r[col]), as_int(r["k"]), float(r["q"]), float(r["total"]))
                for r in rows
                if as_int(r["k"])
            ]
            return sorted(out, key=lambda s: s.key)

        def build(pid: int, period: Period) -> Measurement:
            parts = split(per[pid])
            overall: Row = parts["all"][0] if parts["all"] else {}
            n = as_int(overall.get("k"))
            d = Durations(
                period,
                n,
                as_float(overall.get("q")) if n else None,
                {g: spreads(parts[g], c) for g, c in cols.items()},
                {name: as_int(overall.get(f"c_{name}")) for name in self.counts},
                b.params,
            )
            return self._measure(b, period, d.value, n, d)

        return b.each(build)


def by_value(spreads: Iterable[Spread], places: int, *, with_n: bool = False) -> dict[str, Any]:
    """Each grain value's percentile, rounded, by name (with its n: {"value", "n"})."""
    return {
        s.name: {"value": round(s.value, places), "n": s.n} if with_n else round(s.value, places)
        for s in spreads
    }


# -- Rate: a count per week or month ----------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    """One grain value's counted records (`n`) and distinct values (`distinct`) in a period."""

    key: str
    name: str
    n: int
    distinct: int


@dataclass(frozen=True)
class Rates:
    """A rate's figures for one period: `spans` is the period in weeks or months."""

    period: Period
    n: int
    distinct: int
    spans: float
    groups: list[Tally]
    counts: Mapping[str, int]
    params: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Rate(RecordShape[Rates]):
    """Records matching `counted` (or, with `distinct`, their distinct values: days with a
    deployment) per `per_days` days of the period. n is the records counted.

    One query for every period: the totals and each `grain` value's, in one grouped pass
    (distinct values do not add up across groups). `counts` are extra counts over all the
    records, per period. A grain value with nothing counted is left out.
    """

    counted: Predicate
    distinct: Callable[[ir.Table], ir.Value] | None = None
    per_days: float
    grain: str
    counts: Mapping[str, Predicate] = field(default_factory=dict)

    def compute(self, b: Batch) -> Results:
        t = self.records(b)
        t = t.mutate(shape_counted=self.counted(t), **_flags(t, self.counts))
        if self.distinct is not None:
            t = t.mutate(shape_distinct=self.distinct(t))

        def aggs(t: ir.Table) -> dict[str, ir.Value]:
            out: dict[str, ir.Value] = {"k": t.count(where=t.shape_counted)}
            if self.distinct is not None:
                out["d"] = t.shape_distinct.nunique(where=t.shape_counted)
            for name in self.counts:
                out[f"c_{name}"] = t.count(where=t[f"shape_c_{name}"])
            return out

        per = b.by_period(grouped(t, {"all": [], "by": [self.grain]}, aggs))
        named = self._namer(b)

        def build(pid: int, period: Period) -> Measurement:
            parts = split(per[pid])
            overall: Row = parts["all"][0] if parts["all"] else {}
            groups = sorted(
                (
                    Tally(*named(r[self.grain]), as_int(r["k"]), as_int(r.get("d")))
                    for r in parts["by"]
                    if as_int(r["k"])
                ),
                key=lambda g: g.key,
            )
            n = as_int(overall.get("k"))
            distinct = as_int(overall.get("d"))
            spans = period.days / self.per_days
            rates = Rates(
                period,
                n,
                distinct,
                spans,
                groups,
                {name: as_int(overall.get(f"c_{name}")) for name in self.counts},
                b.params,
            )
            counted = distinct if self.distinct is not None else n
            return self._measure(b, period, counted / spans if spans else None, n, rates)

        return b.each(build)

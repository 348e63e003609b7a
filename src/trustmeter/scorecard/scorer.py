"""The scorecard: every metric, the five area scores, the stage, the indices and the next focus.

This builds the one object (`scorecard_model.Scorecard`) that the terminal, the report and the
web app render, and whose `as_dict()` `score --json` prints (docs/scorecard-json.md). Nothing
else computes a figure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from ibis.common.exceptions import TableNotFound

from trustmeter import __version__
from trustmeter.framework import Framework
from trustmeter.framework.model import Area as FrameworkArea
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.common import learn_sources
from trustmeter.metrics.registry import (
    Batch,
    Measurement,
    Metric,
    present_needs,
    score,
)
from trustmeter.metrics.slices import Slice, left_out_reason
from trustmeter.metrics.surveyed import campaigns
from trustmeter.periods import Period
from trustmeter.records import KINDS
from trustmeter.scorecard.focus import next_focus
from trustmeter.scorecard.freshness import ends_before, freshness, runs_to
from trustmeter.scorecard.model import (
    Area,
    Evidence,
    Indices,
    MetricEntry,
    MetricStatus,
    PredictabilityIndex,
    Scorecard,
    SliceInfo,
    TrustIndex,
)
from trustmeter.scorecard.stages import evaluate_stage, perception
from trustmeter.store import Store, side_by_side
from trustmeter.surveys import STAKEHOLDER, TEAM

SCHEMA = 1


@dataclass
class Scorer:
    """Computes scorecards for one store and framework, caching what does not change by period.

    Every metric is computed for every period a request needs in one pass (`evaluate`): a
    trend of eight quarters, with the quarters its gates look back on, is one query per
    metric, not one per metric and period.
    """

    store: Store
    framework: Framework
    profile: str
    workspace: dict[str, Any] = field(default_factory=dict)
    _has: dict[str, bool] = field(default_factory=dict)
    _measured: dict[tuple[str, Period], MetricEntry] = field(default_factory=dict)
    _raw: dict[tuple[str, Period], Measurement] = field(default_factory=dict)
    # What metrics learn once per data version (which tables hold one source, the service
    # catalogue): see records_of. The tables are looked up once per Scorer.
    facts: dict[str, Any] = field(default_factory=dict)
    _tables: dict[str, Any] = field(default_factory=dict)
    # One business unit, service or team (metrics/slices.py), or None: the whole department.
    slice: Slice | None = None
    # The day each table's records run to (scorecard/freshness.py), read once per Scorer.
    _ends: dict[str, date | None] | None = None

    def records_end(self) -> dict[str, date | None]:
        if self._ends is None:
            self._ends = runs_to(self.store, str(self.workspace.get("timezone", "UTC")))
        return self._ends

    def default_day(self, today: date) -> date:
        """The day the default period is the last complete period before: today, or the day
        after the records end when they end earlier, so that the default period is the last
        one the data covers, not an empty one after an old export."""
        ends = [d for d in self.records_end().values() if d is not None]
        return min(today, max(ends) + timedelta(days=1)) if ends else today

    def metrics(self) -> list[Metric]:
        reg = all_metrics()
        order = list(self.framework.areas)
        ms = [reg[m] for m in self.framework.metrics if m in reg]
        return sorted(ms, key=lambda m: order.index(self.framework.metrics[m.id].area))

    def batch(self, periods: Iterable[Period]) -> Batch:
        return Batch(
            self.store, tuple(periods), self.framework.params, self.facts, self._tables, self.slice
        )

    def _left_out(self, m: Metric) -> str | None:
        settings = self.framework.metrics[m.id]
        if not settings.enabled:
            return "disabled in the framework file"
        if m.id in self.framework.profiles[self.profile].optional_metrics:
            return f"the {self.profile} profile leaves this metric out"
        if self.slice is not None:
            return left_out_reason(m.id, self.slice.kind)
        return None

    def _probe(self, metrics: list[Metric]) -> None:
        """Which metrics have the records they need: one query for every need not yet known."""
        todo = [m for m in metrics if m.id not in self._has]
        if not todo:
            return
        present = present_needs(self.batch(()), [n for m in todo for n in m.needs])
        for m in todo:
            self._has[m.id] = all(present[n] for n in m.needs)

    def evaluate(self, periods: Iterable[Period]) -> None:
        """Compute every metric for each of `periods` not computed yet, all periods at once."""
        wanted = list(dict.fromkeys(periods))
        metrics = self.metrics()
        todo = [p for p in wanted if any((m.id, p) not in self._measured for m in metrics)]
        if not todo:
            return
        active = [m for m in metrics if self._left_out(m) is None]
        self._probe(active)
        batch = self.batch(todo)
        learn_sources(batch, [k.table for k in KINDS])
        with self.store.analytic():
            self._compute(metrics, batch, todo)

    def _compute(self, metrics: list[Metric], batch: Batch, todo: list[Period]) -> None:
        ends = self.records_end()
        run = [m for m in metrics if self._left_out(m) is None and self._has[m.id]]
        if side_by_side.connections(self.store) > 1:
            # Metrics computed side by side (store/side_by_side.py) read what they share from
            # the store first, so that no two threads use one connection.
            for name in [*(k.table for k in KINDS), "survey_answer", "forecast"]:
                with contextlib.suppress(TableNotFound):  # a metric without it says so
                    batch.t(name)
            for kind in (STAKEHOLDER, TEAM):
                campaigns(batch, kind)
        computed = side_by_side.run(self.store, [partial(m.compute, batch) for m in run])
        for m, results in zip(run, computed, strict=True):
            for p in todo:
                if ends_before(ends, m.needs, p) is None:
                    self._raw[(m.id, p)] = results[p]
        for m in metrics:
            for p in todo:
                stale = ends_before(ends, m.needs, p) if self._has.get(m.id) else None
                self._measured[(m.id, p)] = self._entry_of(m, self._raw.get((m.id, p)), stale)

    def _entry_of(
        self, m: Metric, result: Measurement | None, stale: str | None = None
    ) -> MetricEntry:
        """One metric's entry: value, unit, target, score, n and status, with its evidence."""
        settings = self.framework.metrics[m.id]
        target, floor = self.framework.targets(m.id, self.profile)
        min_sample = self.framework.min_sample(m.id, m.sample)

        def entry(
            status: MetricStatus,
            note: str | None,
            value: float | None = None,
            points: float | None = None,
            n: int = 0,
            breakdown: dict[str, Any] | None = None,
            evidence: tuple[Evidence, ...] = (),
        ) -> MetricEntry:
            return MetricEntry(
                id=m.id,
                name=settings.name or m.name,
                area=settings.area,
                value=value,
                unit=m.unit,
                direction=m.direction,
                target=target,
                floor=floor,
                score=points,
                n=n,
                min_sample=min_sample,
                status=status,
                weight=settings.weight,
                description=m.description,
                breakdown={} if breakdown is None else breakdown,
                evidence=evidence,
                note=note,
            )

        left_out = self._left_out(m)
        if left_out is not None:
            return entry("left_out", left_out)
        if stale is not None:
            return entry("no_data", stale)
        if result is None:
            return entry("no_data", f"needs {m.data_hint or ', '.join(m.needs)}")
        evidence = tuple(result.evidence)
        if result.value is None or result.n < min_sample:
            note = result.note
            if note is None:
                note = f"n = {result.n}, below the minimum sample of {min_sample}"
            status: MetricStatus = "insufficient"
            points = None
        else:
            note, status = result.note, "ok"
            points = score(result.value, target, floor, m.log_scale)
        return entry(
            status, note, _round(result.value), points, result.n, result.breakdown, evidence
        )

    def measure(self, m: Metric, period: Period) -> MetricEntry:
        """One metric's scorecard entry for a period."""
        self.evaluate([period])
        return self._measured[(m.id, period)]

    def measurement(self, m: Metric, period: Period) -> Measurement | None:
        """The figure behind an entry, with its lazy records; None when it has no data or is
        left out."""
        self.evaluate([period])
        return self._raw.get((m.id, period))

    def _depth(self) -> int:
        """How many periods the deepest gate looks at (the period itself included)."""
        return max((c.periods for s in self.framework.stages for c in s.gate), default=1)

    def _with_history(self, periods: Iterable[Period]) -> list[Period]:
        out: list[Period] = []
        for period in periods:
            p = period
            out.append(p)
            for _ in range(self._depth() - 1):
                p = p.previous()
                out.append(p)
        return out

    def areas(self, period: Period, only: set[str] | None = None) -> list[Area]:
        """Area scores for a period; `only` limits them to some areas."""
        self.evaluate([period])
        wanted = set(self.framework.areas) if only is None else only
        by_area: dict[str, list[MetricEntry]] = {a: [] for a in self.framework.areas if a in wanted}
        for m in self.metrics():
            if self.framework.metrics[m.id].area in wanted:
                entry = self._measured[(m.id, period)]
                by_area[entry.area].append(entry)
        min_cov = self.framework.settings.min_coverage
        return [
            area_score(area, by_area[aid], min_cov)
            for aid, area in self.framework.areas.items()
            if aid in wanted
        ]

    def prepare(self, periods: Iterable[Period]) -> None:
        """Compute, in one pass, everything the scorecards of `periods` need (the periods
        their gates look back on included); `scorecard` then only assembles."""
        self.evaluate(self._with_history(periods))

    def scorecard(self, period: Period) -> Scorecard:
        history_periods = self._with_history([period])
        self.evaluate(history_periods)
        areas = self.areas(period)
        history = [areas, *(self.areas(p) for p in history_periods[1:])]
        stage = evaluate_stage(self.framework, history)
        return Scorecard(
            schema=SCHEMA,
            trustmeter=__version__,
            generated_at=datetime.now(UTC)
            .replace(microsecond=0)
            .isoformat()
            .replace("+00:00", "Z"),
            workspace=dict(self.workspace),
            period=period,
            indices=Indices(
                trust=trust_index(self.framework, areas, stage.ceiling),
                predictability=predictability(self.framework, areas),
            ),
            stage=stage,
            areas=tuple(areas),
            focus=next_focus(self.framework, stage, areas),
            perception=perception(self.framework, areas),
            slice=self._slice_info(),
            freshness=freshness(self.records_end(), period),
        )

    def _slice_info(self) -> SliceInfo | None:
        """The slice, and the metrics it leaves out with the reason for each."""
        if self.slice is None:
            return None
        left_out = {}
        for m in self.metrics():
            why = left_out_reason(m.id, self.slice.kind)
            if why is not None:
                left_out[m.id] = why
        return SliceInfo(self.slice.kind, self.slice.name, left_out)

    def trend(
        self, periods: Iterable[Period], progress: Callable[[Period], None] | None = None
    ) -> list[Scorecard]:
        """Scorecards for `periods`, every metric computed for all of them (and the periods
        their gates look back on) in one pass."""
        periods = list(periods)
        self.prepare(periods)
        out = []
        for p in periods:
            out.append(self.scorecard(p))
            if progress:
                progress(p)
        return out


def area_score(area: FrameworkArea, entries: Sequence[MetricEntry], min_coverage: float) -> Area:
    """An area from its metric entries: the weighted mean of the scored ones, and coverage,
    the share of the counted weight that was scored (left-out metrics are not counted). Below
    `min_coverage` the area is not measured and its score is None."""
    counted = [e for e in entries if e.status != "left_out"]
    total_w = sum(e.weight for e in counted)
    scored = [(e.score, e.weight) for e in counted if e.status == "ok" and e.score is not None]
    scored_w = sum(w for _, w in scored)
    coverage = scored_w / total_w if total_w else 0.0
    value = sum(s * w for s, w in scored) / scored_w if scored_w else None
    measured = value is not None and coverage >= min_coverage
    return Area(
        id=area.id,
        name=area.name,
        weight=area.weight,
        score=_round(value) if measured else None,
        partial_score=_round(value),
        coverage=round(coverage, 3),
        status="measured" if measured else "not_measured",
        measure_with=area.measure_with,
        metrics=tuple(entries),
    )


def trust_index(fw: Framework, areas: Sequence[Area], ceiling: float) -> TrustIndex:
    """Weighted mean of the measured area scores, capped at the stage's ceiling."""
    measured = [(a.score, a.weight) for a in areas if a.score is not None and a.weight > 0]
    w = sum(weight for _, weight in measured)
    if not w:
        return TrustIndex(value=None, uncapped=None, ceiling=ceiling, areas_measured=0)
    raw = sum(s * weight for s, weight in measured) / w
    return TrustIndex(
        value=_round(min(raw, ceiling)),
        uncapped=_round(raw),
        ceiling=ceiling,
        areas_measured=len(measured),
    )


def predictability(fw: Framework, areas: Sequence[Area]) -> PredictabilityIndex:
    """Mean score of the promise-keeping metrics that were scored."""
    scores = {
        m.id: m.score
        for a in areas
        for m in a.metrics
        if m.id in fw.predictability and m.status == "ok" and m.score is not None
    }
    value = sum(scores.values()) / len(scores) if scores else None
    return PredictabilityIndex(value=_round(value), metrics=scores)


def _round(v: float | None, digits: int = 3) -> float | None:
    if v is None:
        return None
    return round(float(v), digits)

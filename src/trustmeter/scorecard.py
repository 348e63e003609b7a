"""The scorecard: every metric, the five area scores, the stage, the indices and the next focus.

This builds the one object that `score --json` prints and that the report and the web app
render (docs/scorecard-json.md). Nothing else computes a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trustmeter import __version__
from trustmeter.framework import Framework
from trustmeter.framework.focus import next_focus
from trustmeter.framework.stages import evaluate_stage, perception
from trustmeter.metrics.registry import Context, Metric, all_metrics, has_data, score
from trustmeter.periods import Period
from trustmeter.store import Store

SCHEMA = 1


@dataclass
class Scorer:
    """Computes scorecards for one store and framework, caching what does not change by period."""

    store: Store
    framework: Framework
    profile: str
    workspace: dict[str, Any] = field(default_factory=dict)
    _has: dict[str, bool] = field(default_factory=dict)
    _measured: dict[tuple[str, Period], dict[str, Any]] = field(default_factory=dict)
    # What metrics learn once per data version (which tables hold one source): see records_of.
    facts: dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> list[Metric]:
        reg = all_metrics()
        order = list(self.framework.areas)
        ms = [reg[m] for m in self.framework.metrics if m in reg]
        return sorted(ms, key=lambda m: order.index(self.framework.metrics[m.id].area))

    def _has_data(self, ctx: Context, m: Metric) -> bool:
        if m.id not in self._has:
            self._has[m.id] = has_data(ctx, m)
        return self._has[m.id]

    def measure(self, m: Metric, period: Period) -> dict[str, Any]:
        """One metric's entry: value, unit, target, score, n and status, with its evidence."""
        settings = self.framework.metrics[m.id]
        target, floor = self.framework.targets(m.id, self.profile)
        entry: dict[str, Any] = {
            "id": m.id,
            "name": settings.name or m.name,
            "area": settings.area,
            "value": None,
            "unit": m.unit,
            "direction": m.direction,
            "target": target,
            "floor": floor,
            "score": None,
            "n": 0,
            "min_sample": self.framework.min_sample(m.id, m.sample),
            "status": "no_data",
            "weight": settings.weight,
            "description": m.description,
            "breakdown": {},
            "evidence": [],
            "note": None,
        }
        if not settings.enabled or m.id in self.framework.profiles[self.profile].optional_metrics:
            entry["status"] = "left_out"
            entry["note"] = (
                "disabled in the framework file"
                if not settings.enabled
                else f"the {self.profile} profile leaves this metric out"
            )
            return entry
        ctx = Context(self.store, period, self.framework.params, self.facts)
        if not self._has_data(ctx, m):
            entry["note"] = f"needs {m.data_hint or ', '.join(m.needs)}"
            return entry
        result = m.compute(ctx)
        entry.update(
            value=_round(result.value),
            n=result.n,
            breakdown=result.breakdown,
            evidence=[c.as_dict() for c in result.evidence],
            note=result.note,
        )
        if result.value is None or result.n < entry["min_sample"]:
            entry["status"] = "insufficient"
            if entry["note"] is None:
                entry["note"] = f"n = {result.n}, below the minimum sample of {entry['min_sample']}"
            return entry
        entry["status"] = "ok"
        entry["score"] = score(result.value, target, floor, m.log_scale)
        return entry

    def _entry(self, m: Metric, period: Period) -> dict[str, Any]:
        key = (m.id, period)
        if key not in self._measured:
            self._measured[key] = self.measure(m, period)
        return self._measured[key]

    def areas(self, period: Period, only: set[str] | None = None) -> list[dict[str, Any]]:
        """Area scores for a period; `only` limits the work to some areas (earlier periods
        are needed only for the gates that look back)."""
        wanted = set(self.framework.areas) if only is None else only
        by_area: dict[str, list[dict[str, Any]]] = {
            a: [] for a in self.framework.areas if a in wanted
        }
        for m in self.metrics():
            if self.framework.metrics[m.id].area in wanted:
                entry = self._entry(m, period)
                by_area[entry["area"]].append(entry)
        out = []
        min_cov = float(self.framework.params.get("min_coverage", 0.5))
        for aid, area in self.framework.areas.items():
            if aid not in wanted:
                continue
            entries = by_area[aid]
            counted = [e for e in entries if e["status"] != "left_out"]
            total_w = sum(e["weight"] for e in counted)
            scored = [e for e in counted if e["status"] == "ok"]
            scored_w = sum(e["weight"] for e in scored)
            coverage = scored_w / total_w if total_w else 0.0
            value = sum(e["score"] * e["weight"] for e in scored) / scored_w if scored_w else None
            measured = value is not None and coverage >= min_cov
            out.append(
                {
                    "id": aid,
                    "name": area.name,
                    "weight": area.weight,
                    "score": _round(value) if measured else None,
                    "partial_score": _round(value),
                    "coverage": round(coverage, 3),
                    "status": "measured" if measured else "not_measured",
                    "measure_with": area.measure_with,
                    "metrics": entries,
                }
            )
        return out

    def scorecard(self, period: Period) -> dict[str, Any]:
        areas = self.areas(period)
        needs_previous = any(c.periods > 1 for s in self.framework.stages for c in s.gate)
        history = [areas]
        if needs_previous:
            p = period
            depth = max(c.periods for s in self.framework.stages for c in s.gate)
            for _ in range(depth - 1):
                p = p.previous()
                history.append(self.areas(p))
        stage = evaluate_stage(self.framework, history)
        trust = trust_index(self.framework, areas, stage["ceiling"])
        predict = predictability(self.framework, areas)
        card: dict[str, Any] = {
            "schema": SCHEMA,
            "trustmeter": __version__,
            "generated_at": datetime.now(UTC)
            .replace(microsecond=0)
            .isoformat()
            .replace("+00:00", "Z"),
            "workspace": self.workspace,
            "period": period.as_dict(),
            "trust_index": trust["value"],
            "predictability_index": predict["value"],
            "indices": {"trust": trust, "predictability": predict},
            "stage": stage,
            "areas": areas,
        }
        card["focus"] = next_focus(self.framework, card)
        card["perception"] = perception(self.framework, areas)
        return card

    def trend(
        self, periods: Iterable[Period], progress: Callable[[Period], None] | None = None
    ) -> list[dict[str, Any]]:
        out = []
        for p in periods:
            out.append(self.scorecard(p))
            if progress:
                progress(p)
        return out


def trust_index(fw: Framework, areas: list[dict[str, Any]], ceiling: float) -> dict[str, Any]:
    """Weighted mean of the measured area scores, capped at the stage's ceiling."""
    measured = [a for a in areas if a["score"] is not None and a["weight"] > 0]
    w = sum(a["weight"] for a in measured)
    if not w:
        return {"value": None, "uncapped": None, "ceiling": ceiling, "areas_measured": 0}
    raw = sum(a["score"] * a["weight"] for a in measured) / w
    return {
        "value": _round(min(raw, ceiling)),
        "uncapped": _round(raw),
        "ceiling": ceiling,
        "areas_measured": len(measured),
    }


def predictability(fw: Framework, areas: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean score of the promise-keeping metrics that were scored."""
    scores = {
        m["id"]: m["score"]
        for a in areas
        for m in a["metrics"]
        if m["id"] in fw.predictability and m["status"] == "ok"
    }
    value = sum(scores.values()) / len(scores) if scores else None
    return {"value": _round(value), "metrics": scores}


def _round(v: float | None, digits: int = 3) -> float | None:
    if v is None:
        return None
    return round(float(v), digits)

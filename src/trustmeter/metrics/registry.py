"""Every metric is defined once, here: its id, area, unit, direction and computation.

The CLI, the report and the web app only ever ask this registry. A computation receives a
`Context` (the period and ibis tables) and returns a `Measurement`: the value, its sample
size, the breakdown behind it, the contributors that explain it, and the records it used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

import ibis

from trustmeter.periods import Period
from trustmeter.store import Store

Direction = Literal["higher", "lower"]


@dataclass
class Contributor:
    """One service, team, project, stakeholder or business unit behind a figure."""

    kind: str  # service, team, project, stakeholder, business_unit, person
    name: str
    detail: str  # a plain sentence: "ERP: 9 of 14 P1/P2 incidents"
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "detail": self.detail, "value": self.value}


@dataclass
class Measurement:
    value: float | None
    n: int
    breakdown: dict[str, Any] = field(default_factory=dict)
    evidence: list[Contributor] = field(default_factory=list)
    # The records behind the figure, as an unexecuted ibis expression (for drill-down).
    records: ibis.Table | None = None
    note: str | None = None


@dataclass
class Context:
    """What a metric computation sees: the period, the framework's parameters and the tables."""

    store: Store
    period: Period
    params: dict[str, Any]
    # Facts about the data that do not depend on the period (which tables hold one source
    # only), shared by all the contexts of one Scorer; a Scorer lives for one data version.
    facts: dict[str, Any] = field(default_factory=dict)
    _tables: dict[str, ibis.Table] = field(default_factory=dict)

    def t(self, name: str) -> ibis.Table:
        if name not in self._tables:
            self._tables[name] = self.store.table(name)
        return self._tables[name]

    @property
    def start(self) -> datetime:
        return self.period.start_ts

    @property
    def end(self) -> datetime:
        return self.period.end_ts

    @property
    def start_date(self) -> date:
        return self.period.start

    @property
    def end_date(self) -> date:
        return self.period.end

    @property
    def last_day(self) -> date:
        return self.period.end - timedelta(days=1)

    def param(self, name: str) -> Any:
        return self.params[name]


Compute = Callable[[Context], Measurement]


@dataclass(frozen=True)
class Metric:
    id: str
    area: str
    name: str
    unit: str
    direction: Direction
    description: str
    compute: Compute
    # Tables (or "table.column" that must be filled) without which the metric has no data.
    needs: tuple[str, ...]
    log_scale: bool = False
    sample: Literal["events", "groups", "services"] = "events"
    # What to import to measure it, shown when it has no data.
    data_hint: str = ""


REGISTRY: dict[str, Metric] = {}


def metric(
    id: str,
    *,
    area: str,
    name: str,
    unit: str,
    direction: Direction,
    needs: tuple[str, ...],
    log_scale: bool = False,
    sample: Literal["events", "groups", "services"] = "events",
    data_hint: str = "",
) -> Callable[[Compute], Compute]:
    """Register a metric computation; the docstring is its description."""

    def register(fn: Compute) -> Compute:
        if id in REGISTRY:
            raise ValueError(f"metric {id} defined twice")
        REGISTRY[id] = Metric(
            id=id,
            area=area,
            name=name,
            unit=unit,
            direction=direction,
            description=(fn.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "),
            compute=fn,
            needs=needs,
            log_scale=log_scale,
            sample=sample,
            data_hint=data_hint,
        )
        return fn

    return register


def all_metrics() -> dict[str, Metric]:
    """The registry, with every area's module loaded."""
    from trustmeter.metrics import (  # noqa: F401  (importing registers the metrics)
        availability,
        delivery,
        planning,
        relationships,
        stability,
        talent,
    )

    return REGISTRY


def get(metric_id: str) -> Metric:
    metrics = all_metrics()
    if metric_id not in metrics:
        raise KeyError(f"unknown metric {metric_id!r}; known: {', '.join(sorted(metrics))}")
    return metrics[metric_id]


def has_data(ctx: Context, m: Metric) -> bool:
    """Whether the records a metric needs exist at all (else its status is `no_data`)."""
    for need in m.needs:
        table, _, column = need.partition(".")
        t = ctx.t(table)
        if column:
            t = t.filter(t[column].notnull())
        if t.limit(1).count().execute() == 0:
            return False
    return True


def score(value: float, target: float, floor: float, log_scale: bool) -> float:
    """100 at or beyond the target, 0 at or beyond the floor, linear (or log-linear) between."""
    import math

    if target == floor:
        return 100.0 if value == target else 0.0
    if log_scale:
        # Times and frequencies span orders of magnitude; zero would be -inf on a log scale.
        tiny = min(abs(target), abs(floor)) / 1000 or 1e-9
        value, target, floor = (math.log(max(x, tiny)) for x in (value, target, floor))
    frac = (value - floor) / (target - floor)
    return round(max(0.0, min(1.0, frac)) * 100, 1)

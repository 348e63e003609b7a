"""Every metric is defined once, here: its id, area, unit, direction and computation.

The CLI, the report and the web app only ever ask this registry. A computation receives a
`Batch` (a set of periods and the tables) and returns one `Measurement` per period: the
value, its sample size, the breakdown behind it, the contributors that explain it, and
(lazily) the records it used. Called with a `Context`, a metric computes that one period.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Literal

import ibis

from trustmeter.metrics.evidence import Evidence
from trustmeter.metrics.model import Batch, Context, Measurement
from trustmeter.periods import Period

__all__ = [
    "REGISTRY",
    "About",
    "Batch",
    "Context",
    "Direction",
    "Evidence",
    "Measurement",
    "Metric",
    "has_data",
    "metric",
    "register",
    "score",
]

Direction = Literal["higher", "lower"]
Results = dict[Period, Measurement]
Compute = Callable[[Batch], Results]


Sample = Literal["events", "groups", "services"]


@dataclass(frozen=True, kw_only=True)
class About:
    """What every metric declares, whatever computes it: a `Metric` is one plus its
    computation, and a shape (shapes.py) is one plus the parts it is computed from, so the
    fields are named once, here.

    `description` is the one-line definition shown with the figure; `needs` the tables (or
    "table.column" that must be filled) without which the metric has no data, `data_hint`
    what to import to measure it, shown when it has none; `sample` what n counts.
    """

    id: str
    area: str
    name: str
    unit: str
    direction: Direction
    description: str
    needs: tuple[str, ...]
    log_scale: bool = False
    sample: Sample = "events"
    data_hint: str = ""


@dataclass(frozen=True, kw_only=True)
class Metric(About):
    """A registered metric: its declaration and the computation over a set of periods."""

    compute: Compute

    @classmethod
    def of(cls, about: About, compute: Compute) -> Metric:
        """The metric declared by `about` (a shape, or the `@metric` arguments): its declared
        fields, whatever else `about` holds."""
        return cls(**{f.name: getattr(about, f.name) for f in fields(About)}, compute=compute)

    def __call__(self, ctx: Context) -> Measurement:
        """The figure for the one period of `ctx`."""
        return self.compute(Batch.of(ctx))[ctx.period]


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
    sample: Sample = "events",
    data_hint: str = "",
) -> Callable[[Compute], Metric]:
    """Register a metric computation over a set of periods; its docstring is the description."""

    def decorate(fn: Compute) -> Metric:
        about = About(
            id=id,
            area=area,
            name=name,
            unit=unit,
            direction=direction,
            description=" ".join((fn.__doc__ or "").strip().split("\n\n")[0].split()),
            needs=needs,
            log_scale=log_scale,
            sample=sample,
            data_hint=data_hint,
        )
        return register(Metric.of(about, fn))

    return decorate


def register(m: Metric, registry: dict[str, Metric] = REGISTRY) -> Metric:
    """Add a metric to the registry (a test may pass its own); an id is defined once."""
    if m.id in registry:
        raise ValueError(f"metric {m.id} defined twice")
    registry[m.id] = m
    return m


def has_data(ctx: Context | Batch, m: Metric) -> bool:
    """Whether the records a metric needs exist at all (else its status is `no_data`)."""
    return all(present_needs(ctx, m.needs).values())


def present_needs(ctx: Context | Batch, needs: Iterable[str]) -> dict[str, bool]:
    """For each need ("table" or "table.column"), whether a record has it: one query for all."""
    probes = []
    wanted = sorted(set(needs))
    for i, need in enumerate(wanted):
        table, _, column = need.partition(".")
        t = ctx.t(table)
        if column:
            t = t.filter(t[column].notnull())
        probes.append(t.limit(1).select(k=ibis.literal(i, "int64")))
    if not probes:
        return {}
    union = probes[0]
    for p in probes[1:]:
        union = union.union(p)
    found = {int(k) for k in ctx.store.con.to_pyarrow(union)["k"].to_pylist()}
    return {need: i in found for i, need in enumerate(wanted)}


def score(value: float, target: float, floor: float, log_scale: bool) -> float:
    """100 at or beyond the target, 0 at or beyond the floor, linear (or log-linear) between."""
    if target == floor:
        return 100.0 if value == target else 0.0
    if log_scale:
        # Times and frequencies span orders of magnitude; zero would be -inf on a log scale.
        tiny = min(abs(target), abs(floor)) / 1000 or 1e-9
        value, target, floor = (math.log(max(x, tiny)) for x in (value, target, floor))
    frac = (value - floor) / (target - floor)
    return round(max(0.0, min(1.0, frac)) * 100, 1)

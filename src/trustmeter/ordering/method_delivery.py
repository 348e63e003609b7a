"""A team that changed method: what it delivered before and after, not only what it promised.

Say/do (method_change.py) tells whether a team kept its promises; a team can keep every
promise by promising less. So for the same periods on each side of the change this counts
the team's work items done per period (throughput) and the days from creation to done of
each (lead time: the median), each side with a 90 % bootstrap interval, and the difference
with one: seeded, each side resampled on its own (periods for throughput, items for lead
time). Items are counted as the forecasts count them: the team's, containers left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from trustmeter.forecast.history import Subject, utc_instant, work_items
from trustmeter.periods import Period
from trustmeter.store import Store

REPLICATES = 2000
SEED = 14
FEW_PERIODS = 3  # periods on a side below which throughput carries a caveat
FEW_ITEMS = 5  # items on a side below which lead time carries a caveat

Stat = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def _mean(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(x.mean(axis=-1), dtype=np.float64)


def _median(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(np.median(x, axis=-1), dtype=np.float64)


@dataclass(frozen=True)
class Compared:
    """One delivery figure before and after: each side's value, n and interval, and the
    difference (after − before) with its interval."""

    before: float
    before_n: int
    before_interval: tuple[float, float]
    after: float
    after_n: int
    after_interval: tuple[float, float]
    difference: float
    interval: tuple[float, float]

    def as_dict(
        self, unit: str, few: int, better: str, worse: str, up_is_better: bool
    ) -> dict[str, Any]:
        lo, hi = self.interval
        if min(self.before_n, self.after_n) < few:
            verdict = "too few to compare"
        elif (lo > 0) if up_is_better else (hi < 0):
            verdict = better
        elif (hi < 0) if up_is_better else (lo > 0):
            verdict = worse
        else:
            verdict = "no clear difference"

        def side(v: float, n: int, iv: tuple[float, float]) -> dict[str, Any]:
            return {"value": round(v, 1), "n": n, "interval": [round(iv[0], 1), round(iv[1], 1)]}

        return {
            "unit": unit,
            "before": side(self.before, self.before_n, self.before_interval),
            "after": side(self.after, self.after_n, self.after_interval),
            "difference": round(self.difference, 1),
            "interval": [round(lo, 1), round(hi, 1)],
            "verdict": verdict,
        }


def compare(before: Sequence[float], after: Sequence[float], stat: Stat, seed: int) -> Compared:
    """`stat` of each side and of after − before, each with a 90 % bootstrap interval."""
    rng = np.random.default_rng(seed)
    b = np.asarray(before, dtype=np.float64)
    a = np.asarray(after, dtype=np.float64)
    boot_b = stat(b[rng.integers(0, len(b), (REPLICATES, len(b)))])
    boot_a = stat(a[rng.integers(0, len(a), (REPLICATES, len(a)))])

    def iv(x: npt.NDArray[np.float64]) -> tuple[float, float]:
        lo, hi = np.quantile(x, [0.05, 0.95])
        return float(lo), float(hi)

    vb, va = float(stat(b)), float(stat(a))
    return Compared(vb, len(b), iv(boot_b), va, len(a), iv(boot_a), va - vb, iv(boot_a - boot_b))


@dataclass(frozen=True)
class DeliveryChange:
    """Throughput (items done per period) and lead time (median days) before and after."""

    throughput: Compared | None  # None: a side had no periods
    lead_time: Compared | None  # None: a side had no item done

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "throughput": None
            if self.throughput is None
            else self.throughput.as_dict(
                "work items done per period",
                FEW_PERIODS,
                "more delivered after the change",
                "less delivered after the change",
                up_is_better=True,
            ),
            "lead_time": None
            if self.lead_time is None
            else self.lead_time.as_dict(
                "median days from created to done",
                FEW_ITEMS,
                "faster after the change",
                "slower after the change",
                up_is_better=False,
            ),
        }
        parts = []
        for key, label, unit in (
            ("throughput", "done", " a period"),
            ("lead_time", "lead time", " d"),
        ):
            c = out[key]
            if c:
                lo, hi = c["interval"]
                parts.append(
                    f"{label} {c['before']['value']:g} → {c['after']['value']:g}{unit} "
                    f"({c['difference']:+g}, {lo:+g} to {hi:+g}): {c['verdict']}"
                )
        out["text"] = "; ".join(parts) or "no work items done on one side"
        return out


@dataclass(frozen=True)
class Side:
    per_period: list[float]  # items done in each of the side's periods
    lead_days: list[float]  # days from created to done, one per item done in them


def side(
    done: Sequence[tuple[datetime, datetime | None]], bounds: Sequence[tuple[datetime, datetime]]
) -> Side:
    """What was done in each of `bounds` ([from, to) in the store's naive UTC): the count per
    period, and each item's lead time where its creation is known and not after its done."""
    per_period, lead = [], []
    for lo, hi in bounds:
        inside = [(d, c) for d, c in done if lo <= d < hi]
        per_period.append(float(len(inside)))
        lead += [(d - c).total_seconds() / 86400 for d, c in inside if c is not None and c <= d]
    return Side(per_period, lead)


def delivery_change(
    store: Store,
    team: str,
    periods: Sequence[Period],
    before: Sequence[int],
    after: Sequence[int],
    timezone: str,
    seed: int = SEED,
) -> DeliveryChange:
    """The team's throughput and lead time over the `before` and `after` periods (indexes
    into `periods`), each period's bounds taken in the workspace's time zone."""

    def bounds(idx: Sequence[int]) -> list[tuple[datetime, datetime]]:
        return [
            (utc_instant(periods[i].start, timezone), utc_instant(periods[i].end, timezone))
            for i in idx
        ]

    b, a = bounds(before), bounds(after)
    everything = b + a
    t = work_items(store, Subject(team=team))
    t = t.filter(
        t.done_at >= min(lo for lo, _ in everything), t.done_at < max(hi for _, hi in everything)
    )
    # In a fixed order: the bootstrap resamples items by position, so rows in the engine's
    # order of the moment (DuckDB scans in parallel) gave another interval on every run.
    items = t.select("done_at", "created_at").order_by(["done_at", "created_at"])
    with store.analytic():
        rows = store.con.to_pyarrow(items).to_pylist()
    done = [(r["done_at"], r["created_at"]) for r in rows]
    sb, sa = side(done, b), side(done, a)
    throughput = (
        compare(sb.per_period, sa.per_period, _mean, seed)
        if sb.per_period and sa.per_period
        else None
    )
    lead = (
        compare(sb.lead_days, sa.lead_days, _median, seed + 1)
        if sb.lead_days and sa.lead_days
        else None
    )
    return DeliveryChange(throughput, lead)

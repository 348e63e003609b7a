"""A team that changed its delivery method: its say/do before and after, with uncertainty.

A team's method in a period is the kind most of its commitments due then have (sprints,
milestones, releases, promised dates, objectives). A change is two runs of at least
MIN_RUN periods each with different methods, one after the other: a period or two of
mixed kinds between them is not a change. Before and after compare every commitment of the
team due in the two runs, scored by the one rule for every kind (docs/agile.md), each side
with n and a 90 % interval, and the difference with a seeded bootstrap interval; and what the
team delivered in the same periods, throughput and lead time (method_delivery.py), because
promises kept say nothing of how much was promised.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np

from trustmeter.metrics.commitments import METHOD, commitment_scores, predictability
from trustmeter.ordering.method_delivery import DeliveryChange, delivery_change
from trustmeter.periods import Period
from trustmeter.scorecard.scorer import Scorer

MIN_RUN = 2  # periods in a row with the same method, on each side of a change
FEW = 5  # commitments on a side below which the comparison carries a caveat
REPLICATES = 2000
SEED = 14


@dataclass(frozen=True)
class Scored:
    team: str
    period: int  # index into the history's periods
    kind: str
    score: float  # 0..1


@dataclass(frozen=True)
class MethodChange:
    team: str
    before_kind: str
    after_kind: str
    changed_in: int  # index of the first period of the new method
    before: list[float]
    after: list[float]
    difference: float
    interval: tuple[float, float]
    before_periods: tuple[int, ...] = ()  # indexes of the periods of each run
    after_periods: tuple[int, ...] = ()
    delivery: DeliveryChange | None = None  # throughput and lead time, from the store

    def as_dict(self, periods: Sequence[Period]) -> dict[str, Any]:
        lo, hi = self.interval
        few = min(len(self.before), len(self.after)) < FEW
        if few:
            verdict = "too few commitments to compare"
        elif lo > 0:
            verdict = "more predictable after the change"
        elif hi < 0:
            verdict = "less predictable after the change"
        else:
            verdict = "no clear difference"
        return {
            "team": self.team,
            "before": {
                "kind": self.before_kind,
                "method": METHOD.get(self.before_kind, self.before_kind),
                **predictability(float(np.mean(self.before)), len(self.before), FEW),
            },
            "after": {
                "kind": self.after_kind,
                "method": METHOD.get(self.after_kind, self.after_kind),
                **predictability(float(np.mean(self.after)), len(self.after), FEW),
            },
            "changed_in": periods[self.changed_in].label,
            "difference": round(self.difference * 100, 1),
            "interval": [round(lo * 100, 1), round(hi * 100, 1)],
            "verdict": verdict,
            "delivery": None if self.delivery is None else self.delivery.as_dict(),
        }


def _runs(methods: list[tuple[int, str]]) -> list[tuple[str, list[int]]]:
    """Consecutive periods (with commitments) of one method, as (method, period indexes)."""
    runs: list[tuple[str, list[int]]] = []
    for period, kind in methods:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(period)
        else:
            runs.append((kind, [period]))
    return runs


def _difference_interval(before: list[float], after: list[float], seed: int) -> tuple[float, float]:
    """90 % bootstrap interval of mean(after) − mean(before), each side resampled on its own."""
    rng = np.random.default_rng(seed)
    b = np.asarray(before)[rng.integers(0, len(before), (REPLICATES, len(before)))].mean(axis=1)
    a = np.asarray(after)[rng.integers(0, len(after), (REPLICATES, len(after)))].mean(axis=1)
    lo, hi = np.quantile(a - b, [0.05, 0.95])
    return float(lo), float(hi)


def detect(rows: Sequence[Scored], seed: int = SEED) -> list[MethodChange]:
    """Every change of method in every team's history, with before and after."""
    by_team: dict[str, list[Scored]] = defaultdict(list)
    for r in rows:
        by_team[r.team].append(r)
    out = []
    for i, team in enumerate(sorted(by_team)):
        mine = by_team[team]
        methods = []
        for period in sorted({r.period for r in mine}):
            counts = Counter(r.kind for r in mine if r.period == period).most_common()
            if len(counts) > 1 and counts[0][1] == counts[1][1]:
                continue  # as many of two kinds: no method that period
            methods.append((period, counts[0][0]))
        runs = [r for r in _runs(methods) if len(r[1]) >= MIN_RUN]
        for (old, old_periods), (new, new_periods) in pairwise(runs):
            if old == new:
                continue
            before = [r.score for r in mine if r.period in old_periods]
            after = [r.score for r in mine if r.period in new_periods]
            diff = float(np.mean(after) - np.mean(before))
            interval = _difference_interval(before, after, seed + i)
            out.append(
                MethodChange(
                    team, old, new, new_periods[0], before, after, diff, interval,
                    tuple(old_periods), tuple(new_periods),
                )
            )  # fmt: skip
    return out


def method_changes(scorer: Scorer, periods: list[Period]) -> list[MethodChange]:
    """The changes of method in the workspace's commitments over `periods`."""
    batch = scorer.batch(periods)
    with scorer.store.analytic():
        table = scorer.store.con.to_pyarrow(commitment_scores(batch))
    rows = [
        Scored(str(r["team_name"]), int(r["pid"]), str(r["kind"]), float(r["score"]))
        for r in table.to_pylist()
        if r["score"] is not None
    ]
    tz = str(scorer.workspace.get("timezone", "UTC"))
    return [
        replace(
            m,
            delivery=delivery_change(
                scorer.store, m.team, periods, m.before_periods, m.after_periods, tz
            ),
        )
        for m in detect(rows)
    ]

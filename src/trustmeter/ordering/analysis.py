"""Does the framework's order hold on this organisation's history? The analysis and its JSON.

`analyse` takes a `History` (history.py) and, for each pair the framework orders, estimates
the lag that best aligns the two areas' changes (lag.py) and judges it (verdict.py). The
result's `as_dict()` is what `trustmeter ordering --json` prints and the report and the
dashboard read (docs/ordering.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustmeter.ordering.history import History
from trustmeter.ordering.lag import ALPHA, MIN_PAIRS, REPLICATES, TAIL, estimate
from trustmeter.ordering.method_change import MethodChange
from trustmeter.ordering.verdict import PAIRS, Overall, PairVerdict, Unit, judge, overall

# The longest lag searched, per period kind: a year either way.
MAX_LAG = {"quarter": 4, "month": 12, "custom": 4}
SEED = 14


@dataclass(frozen=True)
class Ordering:
    history: History
    pairs: list[PairVerdict]
    overall: Overall
    period_kind: str
    method_changes: list[MethodChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        h = self.history
        periods = []
        for i, p in enumerate(h.periods):
            periods.append(
                {
                    **p.as_dict(),
                    "scores": {a: v[i] for a, v in h.scores.items()},
                    "stage": {"level": h.stages[i].level, "name": h.stages[i].name},
                    "default_stage": {
                        "level": h.default_stages[i].level,
                        "name": h.default_stages[i].name,
                    },
                    "campaigns": [c.name for c in h.campaigns if c.period == i],
                }
            )
        return {
            "verdict": self.overall.verdict,
            "summary": self.overall.text,
            "needs": self.overall.needs.as_dict() if self.overall.needs else None,
            "pairs": [p.as_dict() for p in self.pairs],
            "crossings": {a: (d.isoformat() if d else None) for a, d in h.crossings().items()},
            "gates": [g.as_dict() for g in h.gates],
            "campaigns": [
                {
                    "kind": c.kind,
                    "campaign": c.name,
                    "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                    "period": h.periods[c.period].label if c.period is not None else None,
                }
                for c in h.campaigns
            ],
            "observed_at_surveys": dict(h.sparse),
            "method_changes": [m.as_dict(h.periods) for m in self.method_changes],
            "period_kind": self.period_kind,
            "same_framework": h.same_framework,
            "periods": periods,
            "method": {
                "statistic": "Pearson correlation of changes between observations, best lag",
                "min_pairs": MIN_PAIRS,
                "alpha": ALPHA,
                "interval_level": 1 - 2 * TAIL,
                "replicates": REPLICATES,
                "seed": SEED,
            },
        }


def cadence(h: History, kind: str) -> float | None:
    """Periods per campaign of this survey kind so far (None with fewer than two)."""
    at = sorted({c.period for c in h.campaigns if c.kind == kind and c.period is not None})
    if len(at) < 2:
        return None
    return round((at[-1] - at[0]) / (len(at) - 1), 1)


def analyse(
    h: History,
    period_kind: str,
    seed: int = SEED,
    method_changes: list[MethodChange] | None = None,
) -> Ordering:
    """Every ordered pair's lag, interval, null test and verdict, and the overall verdict."""
    max_lag = MAX_LAG.get(period_kind, 4)
    out = []
    for i, (leader, follower) in enumerate(PAIRS):
        if leader not in h.scores or follower not in h.scores:
            continue
        result = estimate(h.observed(leader), h.observed(follower), max_lag, seed=seed + i)
        kinds = [h.sparse[a] for a in (follower, leader) if a in h.sparse]
        unit: Unit = "campaigns" if kinds else "periods"
        pace = cadence(h, kinds[0]) if kinds else None
        out.append(judge(leader, follower, result, unit, pace))
    return Ordering(h, out, overall(out), period_kind, method_changes or [])

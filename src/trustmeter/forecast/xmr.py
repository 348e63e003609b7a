"""Is weekly throughput stable enough to forecast from? A process behaviour (XmR) chart.

Forecasting an unstable process misleads: the history then describes a system that no longer
exists. Natural process limits are the mean ± 2.66 × the mean moving range (Wheeler), and
three of Wheeler's detection rules mark a signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from trustmeter.forecast.montecarlo import History

# Fewer full weeks than this and the limits say little; the check then says so.
MIN_WEEKS = 6
_LIMIT = 2.66  # 3 sigma from the mean moving range: 3 / d2, d2 = 1.128 for ranges of two
_RANGE_LIMIT = 3.268  # upper limit of the moving range: D4 for ranges of two


@dataclass
class Stability:
    weeks: list[tuple[date, int]]  # each full week (Monday) and its completions
    mean: float | None = None
    lower: float | None = None
    upper: float | None = None
    range_upper: float | None = None
    signals: list[str] = field(default_factory=list)

    @property
    def judged(self) -> bool:
        return self.mean is not None

    @property
    def stable(self) -> bool | None:
        return None if not self.judged else not self.signals

    def verdict(self) -> str:
        if not self.judged:
            return (
                f"throughput stability not judged: {len(self.weeks)} full weeks, "
                f"at least {MIN_WEEKS} are needed"
            )
        assert self.mean is not None and self.lower is not None and self.upper is not None
        limits = f"{self.mean:.1f} a week, natural limits {self.lower:.1f} to {self.upper:.1f}"
        if not self.signals:
            return f"throughput is stable over {len(self.weeks)} weeks ({limits})"
        return (
            f"throughput is NOT stable ({limits}): {'; '.join(self.signals)}. "
            "Treat the forecast with care: the history may describe a process that has changed."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "stable": self.stable,
            "weeks": [{"week": w.isoformat(), "completions": n} for w, n in self.weeks],
            "mean": _round(self.mean),
            "lower_limit": _round(self.lower),
            "upper_limit": _round(self.upper),
            "moving_range_limit": _round(self.range_upper),
            "signals": self.signals,
            "verdict": self.verdict(),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def weekly_totals(history: History) -> list[tuple[date, int]]:
    """Completions per full Monday-to-Sunday week inside the history; partial weeks left out."""
    first = history.start + timedelta(days=(7 - history.start.weekday()) % 7)
    out = []
    week = first
    while week + timedelta(days=6) <= history.end:
        out.append((week, history.total(week, week + timedelta(days=6))))
        week += timedelta(days=7)
    return out


def xmr(history: History) -> Stability:
    """The XmR check of weekly throughput, with the signals found, in plain words."""
    weeks = weekly_totals(history)
    if len(weeks) < MIN_WEEKS:
        return Stability(weeks)
    x = np.array([n for _, n in weeks], dtype=float)
    mean = float(x.mean())
    mr = float(np.abs(np.diff(x)).mean())
    upper, lower = mean + _LIMIT * mr, max(0.0, mean - _LIMIT * mr)
    signals = []
    for (week, n), v in zip(weeks, x, strict=True):
        if v > upper or v < lower:
            side = "above" if v > upper else "below"
            signals.append(f"the week of {week} ({n}) is {side} the limits")
    # Three of four successive weeks nearer a limit than the centre line.
    high, low = x > mean + (upper - mean) / 2, x < mean - (mean - lower) / 2
    for side, near in (("high", high), ("low", low)):
        for i in range(len(x) - 3):
            if near[i : i + 4].sum() >= 3:
                signals.append(f"3 of the 4 weeks from {weeks[i][0]} run {side}")
                break
    # Eight successive weeks on one side of the centre line: a shift.
    side_of = np.sign(x - mean)
    run = 1
    for i in range(1, len(x)):
        run = run + 1 if side_of[i] == side_of[i - 1] and side_of[i] != 0 else 1
        if run == 8:
            where = "above" if side_of[i] > 0 else "below"
            signals.append(f"8 weeks in a row {where} the mean, to the week of {weeks[i][0]}")
            break
    return Stability(weeks, mean, lower, upper, _RANGE_LIMIT * mr, signals)

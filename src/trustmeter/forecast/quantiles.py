"""Reading a forecast's figures off its trials: integer quantiles with the tail each needs.

Integer arithmetic on the index, not `np.percentile`: 0.15·n must not land at 1499.99….
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def at_least(totals: IntArray, level: int) -> int:
    """The largest X with at least `level` % of trials reaching X: the lower tail.

    Sorted ascending, that is the value at index ⌊(100 − level)·n / 100⌋; the 85 % figure is
    the 15th percentile of the totals.
    """
    return lower_tail(np.sort(totals), level)


def ascending(totals: IntArray) -> IntArray:
    """The totals sorted ascending: the very array `np.sort` gives, counted rather than
    compared when they span a narrow range (simulated totals always do: a few hundred values
    at most for 10,000 trials), which is about ten times faster. A backtest sorts the totals
    of every origin it replays."""
    if totals.size == 0:
        return np.sort(totals)
    lo, hi = int(totals.min()), int(totals.max())
    if hi - lo > 4 * totals.size:  # sparse: counting would touch more cells than sorting
        return np.sort(totals)
    counts = np.bincount(totals - lo, minlength=hi - lo + 1)
    out: IntArray = np.repeat(np.arange(lo, hi + 1, dtype=totals.dtype), counts)
    return out


def lower_tail(ascending: IntArray, level: int) -> int:
    """`at_least` of totals already sorted ascending: several levels read one sort."""
    return int(ascending[((100 - level) * ascending.size) // 100])


def by_when(days: IntArray, level: int) -> int:
    """The earliest day by which at least `level` % of trials had finished: the upper tail."""
    s = np.sort(days)
    return int(s[-(-level * s.size // 100) - 1])

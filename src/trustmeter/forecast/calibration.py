"""Correcting Monte Carlo ranges with the workspace's own record of past forecasts.

For each past forecast whose outcome is known we keep one number, its *position*: the share
of that forecast's simulated totals at or below what really happened. Were the simulation
right, positions would be uniform; on real data they pile up at the ends, because the future
varies more than a bootstrap of past days assumes. A figure read at share q of the simulated
totals comes true exactly where the position is ≥ q, so the q that came true at 85 % of past
forecasts is read off the positions (a conformal quantile). See docs/forecasting.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import overload

import numpy as np
import numpy.typing as npt

from trustmeter.forecast.montecarlo import LEVELS, HowMany, IntArray, Likelihood

# Known outcomes needed before a correction is used: with fewer, the 95 % quantile of the
# positions is not defined by the conformal rule (⌈0.95·(m + 1)⌉ ≤ m needs m ≥ 19).
MIN_PAST = 20


def position(sorted_totals: IntArray, actual: int) -> float:
    """The share of simulated totals at or below what happened."""
    return float(np.searchsorted(sorted_totals, actual, side="right")) / sorted_totals.size


def correction(positions: list[float], level: int) -> float:
    """The share q of the simulated totals to read the `level` % figure at.

    The largest q that came true at `level` % of m past forecasts, with the finite-sample
    (m + 1) rule of split conformal prediction: the ⌈level·(m + 1)/100⌉-th largest position.
    """
    return _read(np.sort(np.asarray(positions)), level)


def corrections(positions: Sequence[float]) -> dict[int, float]:
    """`correction` at every level, from one sort of the positions."""
    p = np.sort(np.asarray(positions))
    return {lvl: _read(p, lvl) for lvl in LEVELS}


def _read(p: npt.NDArray[np.float64], level: int) -> float:
    m = p.size
    return float(p[max(m - math.ceil(level * (m + 1) / 100), 0)])


def read_at(sorted_totals: IntArray, q: float) -> int:
    """The figure at share q: the smallest simulated total with ⌈q·n⌉ totals at or below it.

    It comes true (actual ≥ figure) exactly when the actual's position is ≥ q.
    """
    n = sorted_totals.size
    return int(sorted_totals[min(max(math.ceil(q * n) - 1, 0), n - 1)])


@dataclass(frozen=True)
class Correction:
    """What past forecasts of the same horizon, from the same history length, taught."""

    positions: tuple[float, ...]
    horizon: int  # days
    first: str  # the first and last origin learned from (ISO dates), to say so
    last: str

    @property
    def n(self) -> int:
        return len(self.positions)

    def quantiles(self) -> dict[int, float]:
        return corrections(self.positions)

    def at_least(self, totals: IntArray) -> dict[int, int]:
        """Corrected "at least X" figures from one forecast's simulated totals."""
        s = np.sort(totals)
        return {lvl: read_at(s, q) for lvl, q in self.quantiles().items()}

    def probability(self, totals: IntArray, items: int) -> float:
        """Corrected chance of reaching `items`: how often past outcomes landed as high.

        Reaching `items` is landing above the share t of simulated totals that fall short
        (≤ items − 1); past forecasts landed above their own t with the returned frequency.
        """
        t = float((totals <= items - 1).mean())
        return float(np.mean(np.asarray(self.positions) > t))

    def as_dict(self) -> dict[str, object]:
        return {
            "past_forecasts": self.n,
            "horizon_days": self.horizon,
            "from": self.first,
            "to": self.last,
            "quantiles": {str(k): round(v, 4) for k, v in self.quantiles().items()},
        }


@overload
def calibrated(result: HowMany, corr: Correction) -> HowMany: ...
@overload
def calibrated(result: Likelihood, corr: Correction) -> Likelihood: ...
def calibrated(result: HowMany | Likelihood, corr: Correction) -> HowMany | Likelihood:
    """The same forecast with its figures corrected; the plain ones are kept beside them."""
    if isinstance(result, HowMany):
        return replace(
            result,
            percentiles=corr.at_least(result.totals),
            plain=result.percentiles,
            calibration=corr.as_dict(),
        )
    return replace(
        result,
        probability=corr.probability(result.totals, result.items),
        plain_probability=result.probability,
        calibration=corr.as_dict(),
    )

"""Reading a forecast's trials faster without changing a figure: totals sorted by counting,
and the correction's four quantiles from one sort of the past positions."""

from __future__ import annotations

import numpy as np
import pytest

from trustmeter.forecast.calibration import correction, corrections
from trustmeter.forecast.montecarlo import LEVELS
from trustmeter.forecast.quantiles import ascending


@pytest.mark.parametrize(
    "totals",
    [
        np.random.default_rng(1).multinomial(14, [0.4, 0.3, 0.2, 0.1], size=10_000)
        @ np.array([0, 1, 2, 7]),
        np.array([5, 5, 5]),  # a single value
        np.array([3, -2, 0, -2, 9]),  # negatives are counted from the least
        np.array([0, 10**7, 3]),  # sparse: sorted by comparison instead
        np.array([], dtype=np.int64),
    ],
)
def test_counted_totals_are_the_array_np_sort_gives(totals: np.ndarray) -> None:
    got = ascending(totals)
    want = np.sort(totals)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_the_four_corrections_from_one_sort_are_each_levels_correction() -> None:
    rng = np.random.default_rng(7)
    for m in (1, 19, 20, 53):
        positions = rng.random(m).tolist()
        assert corrections(positions) == {lvl: correction(positions, lvl) for lvl in LEVELS}

"""The walk-forward backtest: no look-ahead, and a calibration that corrects overconfidence."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from trustmeter.forecast import Calendar, History, TooLittleHistory, backtest
from trustmeter.forecast.backtest import learned_correction
from trustmeter.forecast.calibration import Correction, calibrated, correction, read_at

START = date(2020, 1, 6)


def regime_series(days: int = 900, seed: int = 1) -> History:
    """Throughput that switches between a slow and a fast regime every few weeks.

    Days within a regime are alike, so the next two weeks resemble each other more than a
    bootstrap of the last 90 days assumes: plain Monte Carlo is overconfident here, as on
    real data.
    """
    rng = np.random.default_rng(seed)
    rates, out = [], []
    while len(rates) < days:
        rates += [rng.choice([0.8, 2.0, 4.5])] * int(rng.integers(10, 40))
    out = rng.poisson(np.array(rates[:days]))
    return History.of(START, out)


def test_origins_and_what_each_one_sees() -> None:
    h = History.of(START, np.arange(200) % 5)
    bt = backtest(h, window=30, horizon=10, every=20, trials=500)
    days = [o.day for o in bt.origins]
    # first origin after one full window; the last whose 10 days are all in the history
    assert days[0] == START + timedelta(days=30)
    assert days[-1] <= h.end - timedelta(days=9)
    assert all((b - a).days == 20 for a, b in itertools.pairwise(days))
    o = bt.origins[0]
    assert o.actual == h.total(o.day, o.day + timedelta(days=9))


def test_no_future_data_changes_a_forecast() -> None:
    """Change every day from D on: no forecast made at or before D may move."""
    h = regime_series()
    for corrected in (False, True):
        kw = {"window": 90, "horizon": 14, "every": 7, "trials": 2000, "calibrated": corrected}
        before = backtest(h, **kw)
        cut = START + timedelta(days=600)
        changed = h.counts.copy()
        changed[600:] = changed[600:] * 5 + 3
        after = backtest(History.of(START, changed), **kw)
        a = {o.day: o for o in before.warmup + before.origins}
        b = {o.day: o for o in after.warmup + after.origins}
        assert a.keys() == b.keys()
        made_before = [d for d in a if d <= cut]
        assert len(made_before) > 50
        for d in made_before:
            assert a[d].forecast == b[d].forecast, (corrected, d)
            assert a[d].plain == b[d].plain
            assert a[d].calibrated == b[d].calibrated
        # …and outcomes that were complete before D did not move either
        assert all(a[d].actual == b[d].actual for d in a if d + timedelta(days=13) < cut)
        # the change is real: later forecasts and outcomes do move
        assert any(a[d].forecast != b[d].forecast for d in a if d > cut)


def test_calibration_learns_only_from_outcomes_known_at_the_origin() -> None:
    h = regime_series()
    bt = backtest(h, window=90, horizon=28, every=7, trials=1000, calibrated=True, min_past=20)
    first = bt.origins[0]
    # With a 28-day horizon an origin's outcome is known four weeks later: the 20th known
    # outcome (origin k) is there at origin k + 4, so the correction starts at the 24th origin.
    assert len(bt.warmup) == 23
    assert first.day == START + timedelta(days=90 + 23 * 7)


def test_calibration_corrects_an_overconfident_forecast() -> None:
    h = regime_series(days=1500, seed=3)
    plain = backtest(h, trials=4000, seed=1)
    cal = backtest(h, trials=4000, seed=1, calibrated=True)
    p, c = plain.coverage, cal.coverage
    assert p[85] is not None and c[85] is not None and p[95] is not None and c[95] is not None
    assert p[85] < 0.80 and p[95] < 0.90  # plain Monte Carlo promises too much here
    assert abs(c[85] - 0.85) < abs(p[85] - 0.85)
    assert abs(c[95] - 0.95) < abs(p[95] - 0.95)
    assert abs(c[85] - 0.85) <= 0.05 and abs(c[95] - 0.95) <= 0.05
    d = cal.as_dict()
    assert d["origins"] == len(cal.origins) and set(d["coverage"]) == {"50", "70", "85", "95"}
    assert d["plain_coverage"]["85"] is not None and d["warmup"] == len(cal.warmup)


def test_correction_and_reading_are_the_conformal_quantile() -> None:
    positions = [i / 100 for i in range(1, 101)]  # 0.01 … 1.00
    # 85 % of 101 rounded up is 86: the 86th largest position, 0.15, came true at 86 of 100
    assert correction(positions, 85) == pytest.approx(0.15)
    assert correction(positions, 50) == pytest.approx(0.50)
    totals = np.arange(1, 11)  # 1..10 sorted
    assert read_at(totals, 0.15) == 2  # ⌈1.5⌉ = 2 totals at or below it
    assert read_at(totals, 0.0) == 1 and read_at(totals, 1.0) == 10


def test_weekends_and_refusals() -> None:
    h = regime_series(days=300)
    bt = backtest(h, calendar=Calendar(exclude_weekends=True), trials=500)
    assert bt.origins and all(o.plain[50] >= o.plain[95] for o in bt.origins)
    with pytest.raises(TooLittleHistory, match="too short to backtest"):
        backtest(History.of(START, [1] * 100), window=90, horizon=14)
    sparse = History.of(START, [0] * 200 + [1] * 200)
    assert backtest(sparse, trials=200).skipped  # origins with no completions before them


# -- the correction applied to a live forecast --------------------------------------------------
def test_live_correction_uses_only_the_year_before_the_forecast() -> None:
    h = regime_series(days=900)
    start = START + timedelta(days=700)
    kw = {"window": 90, "horizon": 14, "trials": 2000, "seed": 4}
    corr = learned_correction(h, start, **kw)
    assert corr is not None
    # origins weekly over the year before, the last one 14 days before the start
    assert corr.last == (start - timedelta(days=14)).isoformat()
    assert date.fromisoformat(corr.first) >= start - timedelta(days=365)
    assert corr.n == 51 and corr.horizon == 14
    # what happens from the start on cannot change it
    changed = h.counts.copy()
    changed[700:] = 0
    same = learned_correction(History.of(START, changed), start, **kw)
    assert same == corr
    # too little history before the start: no correction, the plain forecast stands
    assert learned_correction(h, START + timedelta(days=200), **kw) is None


def test_a_correction_applied_to_a_forecast() -> None:
    from trustmeter.forecast import MonteCarlo

    engine = MonteCarlo(regime_series(days=120), trials=1000, seed=1)
    hm = engine.how_many(engine.history.end + timedelta(days=14))
    # every past outcome landed at the very bottom of its simulation: read at the bottom
    low = Correction(tuple([0.001] * 30), 14, "2020-01-01", "2020-07-01")
    fixed = calibrated(hm, low)
    assert fixed.plain == hm.percentiles
    assert set(fixed.percentiles.values()) == {int(hm.totals.min())}
    assert (
        fixed.as_dict()["calibrated"] is True
        and fixed.as_dict()["calibration"]["past_forecasts"] == 30
    )
    lk = engine.likelihood(int(np.median(hm.totals)), engine.history.end + timedelta(days=14))
    assert calibrated(lk, low).probability == 0.0 and calibrated(lk, low).shown == "<1 %"
    assert calibrated(lk, low).plain_probability == lk.probability
    # positions spread evenly: the correction is (close to) no correction
    even = Correction(tuple(i / 200 for i in range(1, 200)), 14, "2020-01-01", "2020-07-01")
    assert calibrated(hm, even).percentiles == pytest.approx(hm.percentiles, abs=1)

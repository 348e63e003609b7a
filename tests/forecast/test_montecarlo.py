"""Known answers for the Monte Carlo engine, on hand-made throughput series.

Constant throughput has one possible future, so its dates are exact. A series alternating 0
and 2 a day has a binomial future, so every percentile can be worked out exactly with
math.comb; the simulated figure must be a value whose exact probability straddles the level
within one percentage point (10,000 trials give a standard error of about 0.4 pp). Every
test is seeded.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from trustmeter.errors import TrustmeterError
from trustmeter.forecast import Calendar, ForecastError, History, MonteCarlo, TooLittleHistory
from trustmeter.forecast.montecarlo import (
    LEVELS,
    shown_probability,
    stated_probability,
)
from trustmeter.forecast.quantiles import at_least, by_when

START = date(2024, 1, 1)  # a Monday


def constant(k: int, days: int = 40) -> History:
    return History.of(START, [k] * days)


def alternating(days: int = 60) -> History:
    return History.of(START, [0, 2] * (days // 2))


def binom_at_least(n: int, b: int) -> float:
    """P(Bin(n, 1/2) ≥ b)."""
    return sum(math.comb(n, i) for i in range(max(b, 0), n + 1)) / 2**n


# -- constant throughput: exact -------------------------------------------------------------------
def test_constant_throughput_gives_exact_dates() -> None:
    mc = MonteCarlo(constant(3), seed=1)
    first = START + timedelta(days=40)  # the day after the history
    w = mc.when(10)
    # 3 a day: 3, 6, 9, 12 -> the 10th item lands on the 4th day, at every confidence level
    assert w.start == first
    assert w.percentiles == dict.fromkeys(LEVELS, first + timedelta(days=3))
    assert mc.when(9).percentiles[95] == first + timedelta(days=2)  # exactly on the 3rd day
    hm = mc.how_many(first + timedelta(days=9))
    assert hm.working_days == 10 and hm.percentiles == dict.fromkeys(LEVELS, 30)
    sure = mc.likelihood(30, first + timedelta(days=9))
    never = mc.likelihood(31, first + timedelta(days=9))
    assert (sure.probability, sure.shown, sure.stated) == (1.0, ">99 %", 0.99)
    assert (never.probability, never.shown, never.stated) == (0.0, "<1 %", 0.01)


def test_large_backlog_on_constant_throughput() -> None:
    # 1,000 items at 7 a day: ⌈1000 / 7⌉ = 143 days, through the jump-ahead path
    mc = MonteCarlo(constant(7), seed=2)
    assert mc.when(1000, START).percentiles[50] == START + timedelta(days=142)


def test_weekends_left_out_of_history_and_forecast() -> None:
    # 4 a day on weekdays, nothing at weekends: with weekends left out every day gives 4
    counts = [0 if (START + timedelta(days=i)).weekday() >= 5 else 4 for i in range(42)]
    mc = MonteCarlo(History.of(START, counts), Calendar(exclude_weekends=True), seed=3)
    assert mc.sample.values.tolist() == [4]
    friday = date(2024, 3, 1)
    # Fri 4, Mon 8, Tue 12, Wed 16: the 13th item lands on Wednesday
    assert mc.when(13, friday).percentiles == dict.fromkeys(LEVELS, date(2024, 3, 6))
    # Fri to the next Friday: 6 working days -> 24 items at every level
    assert mc.how_many(date(2024, 3, 8), friday).percentiles[85] == 24


def test_blackouts_are_left_out_of_history_and_forecast() -> None:
    counts = [2] * 40
    counts[10:15] = [0] * 5  # a freeze in the history
    freeze = (START + timedelta(days=10), START + timedelta(days=14))
    later = (date(2024, 3, 1), date(2024, 3, 3))
    mc = MonteCarlo(History.of(START, counts), Calendar(blackouts=(freeze, later)), seed=4)
    assert mc.sample.values.tolist() == [2] and mc.sample.days == 35
    # from Feb 28: 2 (28th), 4 (29th), blackout Mar 1-3, 6 (Mar 4), 8 (Mar 5)
    assert mc.when(8, date(2024, 2, 28)).percentiles[50] == date(2024, 3, 5)


# -- 0 / 2 alternating: binomial ------------------------------------------------------------------
def test_how_many_is_the_lower_tail_on_an_alternating_series() -> None:
    mc = MonteCarlo(alternating(), seed=5)
    start = mc.history.end + timedelta(days=1)
    hm = mc.how_many(start + timedelta(days=19))  # 20 days: total = 2 × Bin(20, 1/2)
    for lvl, x in hm.percentiles.items():
        b, p = x // 2, lvl / 100
        # "at least x" holds with probability ≥ level, and "at least x + 2" does not
        assert binom_at_least(20, b) >= p - 0.01, lvl
        assert binom_at_least(20, b + 1) < p + 0.01, lvl
    # worked by hand: P(B ≥ 10) = .588, P(B ≥ 9) = .748, P(B ≥ 8) = .868
    assert (hm.percentiles[50], hm.percentiles[70], hm.percentiles[85]) == (20, 18, 16)
    # Higher confidence, fewer items: the classic bug reads the upper tail instead.
    assert hm.percentiles[95] < hm.percentiles[85] < hm.percentiles[70] < hm.percentiles[50]
    assert hm.percentiles[85] == int(np.sort(hm.totals)[1500])  # 15th percentile of totals
    assert hm.percentiles[85] != int(np.sort(hm.totals)[8500])  # not the 85th


def test_the_85_percent_figure_is_the_15th_percentile_of_totals() -> None:
    totals = np.arange(100)  # 0..99: exactly 85 of them are ≥ 15
    assert at_least(totals, 85) == 15
    assert at_least(totals, 50) == 50
    assert at_least(totals, 95) == 5
    assert (totals >= at_least(totals, 85)).mean() >= 0.85
    assert (totals >= at_least(totals, 85) + 1).mean() < 0.85
    # 10,000 trials: index 1500, not 1499 (0.15 × 10,000 is 1499.99… in floating point)
    assert at_least(np.arange(10_000), 85) == 1500
    # "when" is the upper tail: the day by which 85 % had finished
    assert by_when(np.arange(1, 101), 85) == 85


def test_when_on_an_alternating_series_is_negative_binomial() -> None:
    mc = MonteCarlo(alternating(), seed=6)
    start = mc.history.end + timedelta(days=1)
    w = mc.when(12)  # 6 days with 2 items: the day count T has P(T ≤ t) = P(Bin(t) ≥ 6)
    for lvl, day in w.percentiles.items():
        t, p = (day - start).days + 1, lvl / 100
        assert binom_at_least(t, 6) >= p - 0.01, lvl
        assert binom_at_least(t - 1, 6) < p + 0.01, lvl


def test_likelihood_on_an_alternating_series() -> None:
    mc = MonteCarlo(alternating(), seed=7)
    start = mc.history.end + timedelta(days=1)
    lk = mc.likelihood(19, start + timedelta(days=19))  # needs 10 good days of 20
    assert lk.probability == pytest.approx(binom_at_least(20, 10), abs=0.015)  # 0.588
    assert lk.shown == f"{round(lk.probability * 100)} %"


def test_jump_ahead_matches_day_by_day_simulation() -> None:
    """The multinomial jump (and its exact replay) gives the distribution a plain walk does."""
    rng = np.random.default_rng(8)
    counts = rng.choice([0, 0, 0, 1, 2, 3, 25], size=120)  # skewed: rare very busy days
    mc = MonteCarlo(History.of(START, counts), seed=9)
    w = mc.when(300, START)
    # Reference: walk every trial day by day over 400 days, no jump.
    walk = rng.choice(mc.sample.pool, size=(10_000, 400)).cumsum(axis=1)
    finish = np.argmax(walk >= 300, axis=1) + 1
    assert walk[:, -1].min() >= 300
    for lvl in LEVELS:
        ref = int(np.sort(finish)[-(-lvl * 10_000 // 100) - 1])
        assert abs((w.percentiles[lvl] - START).days + 1 - ref) <= 2, lvl


# -- refusals and reproducibility -----------------------------------------------------------------
def test_refuses_too_short_or_too_sparse_a_history() -> None:
    with pytest.raises(TooLittleHistory, match="20 working days; a forecast needs at least 30"):
        MonteCarlo(constant(2, days=20))
    sparse = [0] * 60
    for i in range(0, 54, 6):
        sparse[i] = 5  # 9 days with completions
    with pytest.raises(TooLittleHistory, match="only 9 days with a completed item"):
        MonteCarlo(History.of(START, sparse))
    assert issubclass(TooLittleHistory, TrustmeterError)
    # the thresholds are options
    assert MonteCarlo(History.of(START, sparse), min_active_days=9).sample.active_days == 9


def test_bad_requests_are_clear_errors() -> None:
    mc = MonteCarlo(constant(1), seed=1)
    with pytest.raises(ForecastError, match="before the forecast starts"):
        mc.how_many(START)
    with pytest.raises(ForecastError, match="at least 1"):
        mc.when(0)
    with pytest.raises(ForecastError, match="ends before it starts"):
        Calendar(blackouts=((date(2024, 2, 2), date(2024, 2, 1)),))
    slow = MonteCarlo(History.of(START, [1] + [0] * 9), min_days=10, min_active_days=1)
    with pytest.raises(ForecastError, match="more than 10 years"):
        slow.when(10**6)


def test_same_seed_same_answer() -> None:
    h = History.of(START, np.random.default_rng(10).poisson(2, 90))
    a, b = MonteCarlo(h, seed=42), MonteCarlo(h, seed=42)
    assert a.when(100).percentiles == b.when(100).percentiles
    assert a.how_many(date(2024, 5, 31)).percentiles == b.how_many(date(2024, 5, 31)).percentiles
    assert a.when(100).percentiles == a.when(100).percentiles  # each call starts afresh


def test_probabilities_are_never_shown_as_certain() -> None:
    assert [shown_probability(p) for p in (1.0, 0.995, 0.99, 0.5, 0.012, 0.004, 0.0)] == [
        ">99 %",
        ">99 %",
        "99 %",
        "50 %",
        "1 %",
        "<1 %",
        "<1 %",
    ]
    assert stated_probability(1.0) == 0.99 and stated_probability(0.0) == 0.01

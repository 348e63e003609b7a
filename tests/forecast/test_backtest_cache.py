"""Backtests kept between commands (forecast/backtest_cache.py): the same figures, and only for
the same history, parameters and code."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_backtest import regime_series

from trustmeter.forecast import Calendar, History, backtest
from trustmeter.forecast import backtest_cache as bc
from trustmeter.forecast.backtest import Backtest

PARAMS: dict[str, Any] = {
    "window": 90,
    "horizon": 14,
    "every": 7,
    "calendar": None,
    "trials": 1000,
    "seed": 0,
    "calibrated": True,
}


def run(cache: bc.BacktestCache, history: History, **changes: Any) -> Backtest:
    params = {**PARAMS, **changes}
    return cache.run(history, params, lambda: backtest(history, **params))


def test_a_kept_backtest_is_the_computed_one_exactly(tmp_path: Path) -> None:
    history = regime_series(500)
    fresh = backtest(history, **PARAMS)
    cache = bc.BacktestCache(tmp_path / "backtests")  # created on first use
    first = run(cache, history)
    assert (cache.hits, cache.misses) == (0, 1)
    again = run(bc.BacktestCache(tmp_path / "backtests"), history)  # as another process
    assert again == fresh == first  # every origin, position and quantile: exact
    assert again.as_dict(detail=True) == fresh.as_dict(detail=True)
    assert again.origins and again.warmup  # calibrated: both lists carried


def test_the_key_follows_history_parameters_and_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = bc.BacktestCache(tmp_path)
    history = regime_series(300)
    key = cache.key(history, PARAMS)
    counts = history.counts.copy()
    counts[-1] += 1
    assert cache.key(History.of(history.start, counts), PARAMS) != key
    later = dataclasses.replace(history, start=history.start.replace(day=history.start.day + 1))
    assert cache.key(later, PARAMS) != key
    assert cache.key(history, {**PARAMS, "horizon": 7}) != key
    weekdays = {**PARAMS, "calendar": Calendar(exclude_weekends=True)}
    assert cache.key(history, weekdays) != key
    assert cache.key(History.of(history.start, np.asarray(history.counts)), PARAMS) == key
    monkeypatch.setattr(bc, "_code", lambda: "an edited module")
    assert cache.key(history, PARAMS) != key


def test_a_damaged_or_foreign_entry_is_computed_again(tmp_path: Path) -> None:
    history = regime_series(300)
    cache = bc.BacktestCache(tmp_path)
    want = run(cache, history)
    (entry,) = tmp_path.iterdir()
    for text in ("not json", '{"format": 99}', '{"format": 1}'):
        entry.write_text(text)
        again = bc.BacktestCache(tmp_path)
        assert run(again, history) == want and again.misses == 1


def test_a_folder_that_cannot_be_written_only_means_no_caching(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    cache = bc.BacktestCache(blocked / "backtests")
    history = regime_series(300)
    assert run(cache, history) == backtest(history, **PARAMS)
    assert run(cache, history) == backtest(history, **PARAMS)
    assert (cache.hits, cache.misses) == (0, 2)

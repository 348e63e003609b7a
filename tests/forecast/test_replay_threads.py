"""The backtest simulates its origins on several threads (`backtest.replayed`): the figures,
the skipped origins and their order are the same as on one thread."""

from __future__ import annotations

import importlib
import time
from datetime import date, timedelta

import numpy as np
import pytest

from trustmeter.forecast import History, backtest

# The module, not the function the package exports under the same name.
backtest_mod = importlib.import_module("trustmeter.forecast.backtest")


def history() -> History:
    rng = np.random.default_rng(3)
    counts = rng.poisson(2.0, 700)
    counts[200:300] = 0  # a quiet stretch: origins after it have too little history, skipped
    return History.of(date(2021, 1, 4), counts)


@pytest.mark.parametrize("calibrated", [False, True])
def test_the_same_backtest_on_one_thread_and_on_four(
    calibrated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backtest_mod.os, "cpu_count", lambda: 4)
    runs = []
    for threads in (1, 4):
        monkeypatch.setattr(backtest_mod, "MAX_THREADS", threads)
        bt = backtest(history(), every=5, trials=2_000, seed=11, calibrated=calibrated)
        runs.append((bt.as_dict(detail=True), bt.skipped, [o.position for o in bt.origins]))
    one, four = runs
    assert one == four
    assert one[1], "the quiet stretch skips some origins"
    if calibrated:
        assert one[0]["origins"] > 0 and one[0]["warmup"] > 0


def test_an_error_stops_the_replays_that_have_not_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backtest_mod.os, "cpu_count", lambda: 2)
    started: list[date] = []
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(200)]

    def replay(day: date) -> str:
        started.append(day)
        if day == days[0]:
            raise backtest_mod.ForecastError("the first origin fails")
        time.sleep(0.01)
        return "skipped"

    with pytest.raises(backtest_mod.ForecastError, match="first origin"):
        list(backtest_mod.replayed(replay, days))
    assert len(started) < len(days)

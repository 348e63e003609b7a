"""Walk-forward backtest of "how many in the next H days", plain and calibrated.

At each origin (every `every` days) the forecast is made from the `window` days before it,
exactly as the tool would have made it that day, and compared with what then happened. The
calibrated forecast corrects the ranges with what the earlier origins taught, using only
origins whose horizon had fully passed before this origin: nothing from the future.
See docs/forecasting.md for the method.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np

from trustmeter.forecast.calibration import (
    MIN_PAST,
    Correction,
    corrections,
    position,
    read_at,
)
from trustmeter.forecast.montecarlo import (
    LEVELS,
    TRIALS,
    Calendar,
    ForecastError,
    History,
    IntArray,
    MonteCarlo,
    TooLittleHistory,
    day_number,
)
from trustmeter.forecast.quantiles import ascending, lower_tail

WINDOW = 90
HORIZON = 14
EVERY = 7
# The correction learns from the origins of the last year only: a team's process drifts, and
# what its forecasts got wrong three years ago says little about today.
MEMORY = 365
# Threads that simulate origins side by side (at most one per processor): `replayed`.
MAX_THREADS = 4


@dataclass
class Origin:
    day: date
    actual: int  # completions in [day, day + horizon)
    plain: dict[int, int]  # at-least figures of the plain forecast
    forecast: dict[int, int]  # the figures stated: calibrated when `calibrated`, else plain
    calibrated: bool
    quantiles: dict[int, float]  # the share of the simulated totals below each stated figure
    position: float = field(repr=False)  # share of simulated totals ≤ actual (for correction)

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.day.isoformat(),
            "actual": self.actual,
            "forecast": {str(k): v for k, v in self.forecast.items()},
            "plain": {str(k): v for k, v in self.plain.items()},
            "calibrated": self.calibrated,
        }


def coverage(origins: list[Origin], use: str = "forecast") -> dict[int, float | None]:
    """The share of origins at which what happened reached the stated figure, per level."""
    out: dict[int, float | None] = {}
    for lvl in LEVELS:
        hits = [o.actual >= getattr(o, use)[lvl] for o in origins]
        out[lvl] = sum(hits) / len(hits) if hits else None
    return out


@dataclass
class Backtest:
    window: int
    horizon: int
    every: int
    calibrated: bool
    origins: list[Origin]  # scored origins (in calibrated mode: the corrected ones)
    warmup: list[Origin]  # calibrated mode: origins before enough outcomes were known
    skipped: list[tuple[date, str]]  # origins with too little history, and why
    trials: int
    seed: int

    @property
    def coverage(self) -> dict[int, float | None]:
        return coverage(self.origins)

    def as_dict(self, detail: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "origins": len(self.origins),
            "coverage": _rounded(self.coverage),
            "window": self.window,
            "horizon": self.horizon,
            "every": self.every,
            "calibrated": self.calibrated,
            "first_origin": self.origins[0].day.isoformat() if self.origins else None,
            "last_origin": self.origins[-1].day.isoformat() if self.origins else None,
            "skipped": len(self.skipped),
            "trials": self.trials,
            "seed": self.seed,
        }
        if self.calibrated:
            out["plain_coverage"] = _rounded(coverage(self.origins, "plain"))
            out["warmup"] = len(self.warmup)
        if detail:
            out["results"] = [o.as_dict() for o in self.warmup + self.origins]
        return out


def _rounded(c: dict[int, float | None]) -> dict[str, float | None]:
    return {str(k): None if v is None else round(v, 4) for k, v in c.items()}


@dataclass(frozen=True)
class Replay:
    """One origin's forecast replayed: what happened, and the simulated totals, ascending."""

    day: date
    actual: int
    totals: IntArray


def replayed(replay: Callable[[date], Replay | str], days: list[date]) -> Iterator[Replay | str]:
    """`replay` of each day, in the days' order, on as many threads as there are processors.

    The origins' simulations are independent (each has its own random stream), and numpy
    draws them without holding the interpreter lock, so they run side by side; what the
    calibration learns from earlier origins is then read in order, after the simulations.
    The figures are the same on any number of threads. An error in one replay is raised here
    in order, and `Executor.map` then cancels the replays that have not started.
    """
    workers = min(os.cpu_count() or 1, MAX_THREADS, len(days))
    if workers <= 1:
        yield from map(replay, days)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="backtest") as pool:
        yield from pool.map(replay, days)


def backtest(
    history: History,
    *,
    window: int = WINDOW,
    horizon: int = HORIZON,
    every: int = EVERY,
    calendar: Calendar | None = None,
    trials: int = TRIALS,
    seed: int = 0,
    calibrated: bool = False,
    min_past: int = MIN_PAST,
    memory: int | None = MEMORY,
    first_origin: date | None = None,
) -> Backtest:
    """Replay the history: origins from `first_origin` (default: after one window) on."""
    if min(window, horizon, every) < 1:
        raise ForecastError("--window, --horizon and --every must each be at least 1 day")
    calendar = calendar or Calendar()
    day = first_origin or history.start + timedelta(days=window)
    last_origin = history.end - timedelta(days=horizon - 1)  # its outcome must be known
    if day > last_origin:
        raise TooLittleHistory(
            f"the history from {history.start} to {history.end} is too short to backtest a "
            f"{window}-day window and a {horizon}-day horizon: it needs at least "
            f"{window + horizon} days"
        )
    days = []
    while day <= last_origin:
        days.append(day)
        day += timedelta(days=every)

    def replay(day: date) -> Replay | str:
        past = history.between(day - timedelta(days=window), day - timedelta(days=1))
        try:
            engine = MonteCarlo(past, calendar, trials=trials, seed=seed)
        except TooLittleHistory as exc:
            return str(exc)
        # Each origin has its own stream: its forecast never depends on other origins.
        rng = np.random.default_rng([seed, day_number(day)])
        working = calendar.working_days(day, day + timedelta(days=horizon - 1)).size
        totals = ascending(engine.totals(working, rng))
        actual = history.total(day, day + timedelta(days=horizon - 1))
        return Replay(day, actual, totals)

    done: list[Origin] = []  # every origin made so far, oldest first
    skipped: list[tuple[date, str]] = []
    for day, made in zip(days, replayed(replay, days), strict=True):
        if isinstance(made, str):
            skipped.append((day, made))
            continue
        actual, totals = made.actual, made.totals
        plain = {lvl: lower_tail(totals, lvl) for lvl in LEVELS}
        # Only origins whose horizon ended before this origin: their outcome was known then.
        known = [
            o.position
            for o in done
            if o.day + timedelta(days=horizon) <= day
            and (memory is None or o.day >= day - timedelta(days=memory))
        ]
        use = calibrated and len(known) >= min_past
        if use:
            qs = corrections(known)
            stated = {lvl: read_at(totals, q) for lvl, q in qs.items()}
        else:
            qs = {lvl: (100 - lvl) / 100 for lvl in LEVELS}
            stated = plain
        done.append(Origin(day, actual, plain, stated, use, qs, position(totals, actual)))
    if calibrated:
        scored = [o for o in done if o.calibrated]
        warmup = [o for o in done if not o.calibrated]
    else:
        scored, warmup = done, []
    return Backtest(window, horizon, every, calibrated, scored, warmup, skipped, trials, seed)


class Keeps(Protocol):
    """Where backtests are kept between commands (backtest_cache.BacktestCache)."""

    def run(
        self, history: History, params: Mapping[str, Any], make: Callable[[], Backtest]
    ) -> Backtest: ...


def kept(history: History, params: Mapping[str, Any], cache: Keeps | None) -> Backtest:
    """`backtest(history, **params)`, read from `cache` when it keeps it (and kept there)."""

    def make() -> Backtest:
        return backtest(history, **params)

    return make() if cache is None else cache.run(history, params, make)


def learned_correction(
    history: History,
    start: date,
    *,
    window: int,
    horizon: int,
    calendar: Calendar | None = None,
    trials: int = TRIALS,
    seed: int = 0,
    every: int = EVERY,
    memory: int = MEMORY,
    min_past: int = MIN_PAST,
    cache: Keeps | None = None,
) -> Correction | None:
    """The correction for a forecast made on `start`, or None while too few outcomes are known.

    It replays the same question (a `window`-day history, a `horizon`-day horizon) from
    origins every `every` days over the year before `start`, the last one `horizon` days
    before it, so that every outcome used was complete before the forecast is made. `cache`
    keeps the replays between commands (backtest_cache.py).
    """
    last = start - timedelta(days=horizon)
    lower = max(history.start + timedelta(days=window), start - timedelta(days=memory))
    if last < lower:
        return None
    first = last - timedelta(days=every * ((last - lower).days // every))
    known = history.between(history.start, start - timedelta(days=1))
    params: dict[str, Any] = {
        "window": window,
        "horizon": horizon,
        "every": every,
        "calendar": calendar,
        "trials": trials,
        "seed": seed,
        "first_origin": first,
    }
    try:
        bt = kept(known, params, cache)
    except TooLittleHistory:
        return None
    if len(bt.origins) < min_past:
        return None
    return Correction(
        tuple(o.position for o in bt.origins),
        horizon,
        bt.origins[0].day.isoformat(),
        bt.origins[-1].day.isoformat(),
    )

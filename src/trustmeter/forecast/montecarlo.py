"""Monte Carlo forecasts from daily throughput: when, how many, and how likely.

Each trial replays the future as a sequence of working days, each drawn at random (with
replacement) from the history's working days, zeros included. Everything is vectorised over
the trials: sums of a fixed number of days come straight from a multinomial draw of how often
each observed daily count occurs, and "when" walks all trials forward together in blocks of
days. See docs/forecasting.md for the choices behind the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from trustmeter.errors import TrustmeterError
from trustmeter.forecast.quantiles import ascending, by_when, lower_tail

LEVELS: tuple[int, ...] = (50, 70, 85, 95)
TRIALS = 10_000
# A forecast from fewer days than this, or from fewer days that saw a completion, is refused:
# with 9 non-zero days a single busy day moves the 85 % figure by a week.
MIN_HISTORY_DAYS = 30
MIN_ACTIVE_DAYS = 10
# "When" gives up beyond this many calendar days from the start: the answer is "not in a
# planning horizon", and simulating further only burns memory.
MAX_FORECAST_DAYS = 10 * 366
# Random draws held at once by "when" (an int32 each): about 16 MB.
_BLOCK_CELLS = 4_000_000

IntArray = npt.NDArray[np.int64]
_EPOCH = date(1970, 1, 1)


class ForecastError(TrustmeterError):
    """A forecast cannot be made as asked; the message says why and what would make it work."""


class TooLittleHistory(ForecastError):
    """The throughput history is too short or too sparse to forecast from."""


def day_number(d: date) -> int:
    """Days since 1970-01-01: dates as plain integers for numpy."""
    return (d - _EPOCH).days


def from_day_number(n: int) -> date:
    return _EPOCH + timedelta(days=int(n))


@dataclass(frozen=True)
class Calendar:
    """Which days work happens on: optionally no weekends, and blackout ranges (inclusive)."""

    exclude_weekends: bool = False
    blackouts: tuple[tuple[date, date], ...] = ()

    def __post_init__(self) -> None:
        for a, b in self.blackouts:
            if b < a:
                raise ForecastError(f"blackout {a}:{b} ends before it starts")

    def working(self, start: date, days: int) -> npt.NDArray[np.bool_]:
        """One flag per calendar day from `start`: True where work can be done."""
        numbers = np.arange(day_number(start), day_number(start) + days)
        ok = np.ones(days, dtype=bool)
        if self.exclude_weekends:
            # 1970-01-01 was a Thursday: (n + 3) % 7 is 0 on Mondays, 5 and 6 at the weekend.
            ok &= (numbers + 3) % 7 < 5
        for a, b in self.blackouts:
            ok &= (numbers < day_number(a)) | (numbers > day_number(b))
        return ok

    def working_days(self, start: date, end: date) -> IntArray:
        """Day numbers of the working days from `start` to `end`, both inclusive."""
        days = (end - start).days + 1
        if days <= 0:
            return np.zeros(0, dtype=np.int64)
        numbers = np.arange(day_number(start), day_number(start) + days, dtype=np.int64)
        return numbers[self.working(start, days)]

    def describe(self) -> str:
        parts = []
        if self.exclude_weekends:
            parts.append("weekends left out")
        parts += [f"blackout {a} to {b}" for a, b in self.blackouts]
        return "; ".join(parts)


@dataclass(frozen=True)
class History:
    """Completions per calendar day from `start`, days with none included as zero."""

    start: date
    counts: IntArray

    @classmethod
    def of(cls, start: date, counts: Sequence[int] | npt.NDArray[Any]) -> History:
        arr = np.asarray(counts, dtype=np.int64)
        if arr.ndim != 1 or (arr < 0).any():
            raise ForecastError("daily completions must be a list of counts ≥ 0")
        return cls(start, arr)

    @property
    def days(self) -> int:
        return len(self.counts)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        return self.start + timedelta(days=self.days - 1)

    def between(self, first: date, last: date) -> History:
        """The days from `first` to `last` inclusive; days outside the history count as zero."""
        n = (last - first).days + 1
        out = np.zeros(max(n, 0), dtype=np.int64)
        lo = (first - self.start).days
        src_lo, src_hi = max(lo, 0), min(lo + n, self.days)
        if src_hi > src_lo:
            out[src_lo - lo : src_hi - lo] = self.counts[src_lo:src_hi]
        return History(first, out)

    def total(self, first: date, last: date) -> int:
        return int(self.between(first, last).counts.sum())


@dataclass
class Sample:
    """The working-day counts a forecast draws from, and what they say about the history."""

    history_from: date
    history_to: date
    values: IntArray  # the distinct daily counts seen on working days
    weights: npt.NDArray[np.float64]  # how often each occurs, as shares
    pool: IntArray  # the daily count of every working day (int32, to draw paths from)
    days: int  # working days in the history
    active_days: int  # of which days with at least one completion
    completions: int

    @property
    def mean(self) -> float:
        return float(self.values @ self.weights)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.history_from.isoformat(),
            "to": self.history_to.isoformat(),
            "days": self.days,
            "days_with_completions": self.active_days,
            "completions": self.completions,
            "per_day": round(self.mean, 3),
        }


def sample_of(
    history: History,
    calendar: Calendar,
    min_days: int = MIN_HISTORY_DAYS,
    min_active_days: int = MIN_ACTIVE_DAYS,
) -> Sample:
    """The working days of the history, or a refusal that says why they are not enough."""
    counts = history.counts[calendar.working(history.start, history.days)]
    active = int((counts > 0).sum())
    span = f"{history.start} to {history.end}"
    if counts.size < min_days:
        raise TooLittleHistory(
            f"the history from {span} has {counts.size} working days; a forecast needs at "
            f"least {min_days}. Give a longer history with --history-from/--history-to."
        )
    if active < min_active_days:
        seen = f"only {active} days" if active else "no day"
        raise TooLittleHistory(
            f"the history from {span} has {seen} with a completed item; a forecast needs at "
            f"least {min_active_days}, or one busy day decides the answer. Give a longer "
            "history, or a wider team or project."
        )
    values, freq = np.unique(counts, return_counts=True)
    return Sample(
        history.start,
        history.end,
        values.astype(np.int64),
        freq / freq.sum(),
        counts.astype(np.int32),
        int(counts.size),
        active,
        int(counts.sum()),
    )


# -- results ----------------------------------------------------------------------------------
def shown_probability(p: float) -> str:
    """A probability as people should read it: never "100 %" or "0 %"."""
    if p > 0.99:
        return ">99 %"
    if p < 0.01:
        return "<1 %"
    return f"{min(max(round(p * 100), 1), 99)} %"


def stated_probability(p: float) -> float:
    """The probability the tool states (and the ledger scores): kept within 1 % and 99 %."""
    return min(max(p, 0.01), 0.99)


@dataclass
class When:
    items: int
    start: date
    percentiles: dict[int, date]
    sample: Sample
    trials: int
    seed: int | None
    days: IntArray = field(repr=False)  # per trial: the calendar day number it finished on

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "start": self.start.isoformat(),
            "percentiles": {str(k): v.isoformat() for k, v in self.percentiles.items()},
            "history": self.sample.as_dict(),
            "trials": self.trials,
            "seed": self.seed,
        }


@dataclass
class HowMany:
    by: date
    start: date
    working_days: int
    percentiles: dict[int, int]  # "at least this many" at each confidence level
    sample: Sample
    trials: int
    seed: int | None
    totals: IntArray = field(repr=False)
    # Set when the figures were corrected by past forecasts (forecast.calibration).
    plain: dict[int, int] | None = None
    calibration: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by.isoformat(),
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "percentiles": {str(k): v for k, v in self.percentiles.items()},
            "calibrated": self.calibration is not None,
            "plain_percentiles": (
                {str(k): v for k, v in self.plain.items()} if self.plain is not None else None
            ),
            "calibration": self.calibration,
            "history": self.sample.as_dict(),
            "trials": self.trials,
            "seed": self.seed,
        }


@dataclass
class Likelihood:
    items: int
    by: date
    start: date
    working_days: int
    probability: float  # the simulated share (or the calibrated one), unrounded
    sample: Sample
    trials: int
    seed: int | None
    totals: IntArray = field(repr=False)
    plain_probability: float | None = None
    calibration: dict[str, Any] | None = None

    @property
    def shown(self) -> str:
        return shown_probability(self.probability)

    @property
    def stated(self) -> float:
        return stated_probability(self.probability)

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "by": self.by.isoformat(),
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "probability": round(self.stated, 4),
            "shown": self.shown,
            "calibrated": self.calibration is not None,
            "plain_probability": (
                None if self.plain_probability is None else round(self.plain_probability, 4)
            ),
            "calibration": self.calibration,
            "history": self.sample.as_dict(),
            "trials": self.trials,
            "seed": self.seed,
        }


# -- the engine --------------------------------------------------------------------------------
class MonteCarlo:
    """Forecasts from one throughput history; every call starts from `seed` afresh."""

    def __init__(
        self,
        history: History,
        calendar: Calendar | None = None,
        *,
        trials: int = TRIALS,
        seed: int | None = None,
        min_days: int = MIN_HISTORY_DAYS,
        min_active_days: int = MIN_ACTIVE_DAYS,
    ) -> None:
        if trials < 100:
            raise ForecastError(f"{trials} trials are too few to read percentiles from; use ≥ 100")
        self.history = history
        self.calendar = calendar or Calendar()
        self.trials = trials
        self.seed = seed
        self.sample = sample_of(history, self.calendar, min_days, min_active_days)

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def _start(self, start: date | None) -> date:
        return start or self.history.end + timedelta(days=1)

    def _working_days(self, start: date, by: date) -> int:
        if by < start:
            raise ForecastError(f"the date {by} is before the forecast starts ({start})")
        return int(self.calendar.working_days(start, by).size)

    def totals(self, working_days: int, rng: np.random.Generator | None = None) -> IntArray:
        """Items finished in `working_days` days, one figure per trial.

        The sum of n draws from the history is Σ value × (how often it was drawn), and those
        counts are one multinomial draw: exact, and independent of n in cost.
        """
        rng = rng or self._rng()
        drawn = rng.multinomial(working_days, self.sample.weights, size=self.trials)
        totals: IntArray = drawn @ self.sample.values
        return totals

    def how_many(self, by: date, start: date | None = None) -> HowMany:
        """At least how many items will be done from `start` up to and including `by`."""
        start = self._start(start)
        days = self._working_days(start, by)
        totals = self.totals(days)
        s = ascending(totals)
        return HowMany(
            by,
            start,
            days,
            {lvl: lower_tail(s, lvl) for lvl in LEVELS},
            self.sample,
            self.trials,
            self.seed,
            totals,
        )

    def likelihood(self, items: int, by: date, start: date | None = None) -> Likelihood:
        """The chance that `items` items are done from `start` up to and including `by`."""
        if items < 1:
            raise ForecastError("--items must be at least 1")
        start = self._start(start)
        days = self._working_days(start, by)
        totals = self.totals(days)
        p = float((totals >= items).mean())
        return Likelihood(items, by, start, days, p, self.sample, self.trials, self.seed, totals)

    def when(self, items: int, start: date | None = None) -> When:
        """The dates by which `items` items will be done, at each confidence level."""
        if items < 1:
            raise ForecastError("--items must be at least 1")
        start = self._start(start)
        finish = self._finish_index(items, start, self._rng())  # working day, 1-based
        dates = self._working_dates(start, int(finish.max()))
        days = dates[finish - 1]
        return When(
            items,
            start,
            {lvl: from_day_number(by_when(days, lvl)) for lvl in LEVELS},
            self.sample,
            self.trials,
            self.seed,
            days,
        )

    def _finish_index(self, items: int, start: date, rng: np.random.Generator) -> IntArray:
        """Per trial, the working day (1-based) on which the running total reaches `items`.

        First every trial jumps ahead by d₀ days at once (a multinomial draw, as in `totals`),
        where d₀ is chosen so that almost no trial can have finished yet; the few that have are
        replayed exactly, because given how often each daily count was drawn, the order of the
        days is a uniformly random permutation. Then the unfinished trials walk on together a
        block of days at a time. The loops are over blocks (a handful), never over trials.
        """
        s = self.sample
        limit = int(self.calendar.working(start, MAX_FORECAST_DAYS).sum())
        finish = np.zeros(self.trials, dtype=np.int64)
        remaining = np.full(self.trials, items, dtype=np.int64)
        done_days = min(self._jump(items), limit)
        if done_days > 0:
            drawn = rng.multinomial(done_days, s.weights, size=self.trials)
            reached = drawn @ s.values
            early = reached >= items
            which = np.flatnonzero(early)
            # Replayed in slices of trials, to bound memory when the bound was loose.
            step = max(1, _BLOCK_CELLS // done_days)
            for i in range(0, which.size, step):
                rows = drawn[which[i : i + step]]
                paths = np.repeat(np.tile(s.values, len(rows)), rows.ravel())
                paths = rng.permuted(paths.reshape(len(rows), done_days), axis=1)
                running = np.cumsum(paths, axis=1)
                finish[which[i : i + step]] = np.argmax(running >= items, axis=1) + 1
            remaining -= reached
            active = np.flatnonzero(~early)
        else:
            active = np.arange(self.trials)
        pool = s.pool
        index_type = np.int16 if pool.size < 2**15 else np.int64
        while active.size:
            if done_days >= limit:
                raise ForecastError(
                    f"{items} items would take more than {MAX_FORECAST_DAYS // 366} years at "
                    f"the history's pace ({s.mean:.2f} a day): no forecast is useful"
                )
            need = remaining[active]
            # Size the block so that most of the remaining trials finish inside it.
            expected = int(need.max() / max(s.mean, 1e-9) * 1.25) + 8
            block = max(1, min(expected, _BLOCK_CELLS // active.size, limit - done_days))
            drawn_days = pool[rng.integers(0, pool.size, (active.size, block), dtype=index_type)]
            running = np.cumsum(drawn_days, axis=1, dtype=np.int64)
            ended = running[:, -1] >= need
            first = np.argmax(running >= need[:, None], axis=1)
            finish[active[ended]] = done_days + first[ended] + 1
            remaining[active[~ended]] = need[~ended] - running[~ended, -1]
            active = active[~ended]
            done_days += block
        return finish

    def _jump(self, items: int) -> int:
        """Days that fewer than about 1 in 30,000 trials need to reach `items` (normal bound).

        Solves d·μ + 4·σ·√d = items for d; the bound need not be exact, only cheap and
        rarely passed, since trials that do pass it are replayed exactly.
        """
        mu = self.sample.mean
        if mu <= 0:
            return 0
        sigma = float(self.sample.pool.std())
        x = (-4 * sigma + np.sqrt(16 * sigma**2 + 4 * mu * items)) / (2 * mu)
        return max(int(x * x), 0)

    def _working_dates(self, start: date, count: int) -> IntArray:
        """The first `count` working days from `start`, as day numbers."""
        span = count + 14
        while True:
            days = self.calendar.working_days(start, start + timedelta(days=span - 1))
            if days.size >= count:
                return days[:count]
            if span > MAX_FORECAST_DAYS * 2:
                raise ForecastError("the calendar leaves no working days to forecast on")
            span *= 2

"""A forecast as a user asks for it: whose work, which history, from when, on what calendar.

This is the one place that turns those choices into a history from the store and an engine,
so the CLI (and later the web app and report) ask the same question the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from trustmeter.forecast.backtest import (
    EVERY,
    HORIZON,
    MEMORY,
    WINDOW,
    Backtest,
    kept,
    learned_correction,
)
from trustmeter.forecast.backtest_cache import BacktestCache
from trustmeter.forecast.calibration import Correction
from trustmeter.forecast.history import (
    Subject,
    daily_completions,
    last_completion,
    records_end,
    work_items,
)
from trustmeter.forecast.montecarlo import (
    TRIALS,
    Calendar,
    ForecastError,
    History,
    MonteCarlo,
    TooLittleHistory,
)
from trustmeter.forecast.xmr import Stability, xmr
from trustmeter.store import Store

# A history may run this many days past the work-item records' last day (a quiet fortnight,
# a holiday); beyond it the missing days would be read as days when nothing was done.
STALE_DAYS = 14


class StaleHistory(ForecastError):
    """The history runs past the day the records run to: the forecast would count days the
    export does not cover as days when nothing was done."""


def check_fresh(store: Store, history_to: date) -> None:
    """Refuse a history that ends long after the work-item records do, and say what to do."""
    end = records_end(store)
    if end is None or history_to <= end + timedelta(days=STALE_DAYS):
        return
    gap = (history_to - end).days
    raise StaleHistory(
        f"the work-item records run to {end}, but the history runs to {history_to}: the "
        f"{gap} days between would count as days when nothing was done. Import newer records, "
        f"or forecast from the data's end: --history-to {end} --start {end + timedelta(days=1)}"
    )


def question_seed(*parts: object) -> int:
    """A seed derived from the question, so the same question on the same data gives the same
    answer every time (pass --seed to choose another)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class Request:
    subject: Subject
    history_from: date
    history_to: date
    calendar: Calendar = field(default_factory=Calendar)
    trials: int = TRIALS
    seed: int | None = None
    timezone: str = "UTC"

    def history(self, store: Store, within: History | None = None) -> History:
        """The history's days (taken from `within` when it covers them: `daily_completions`)."""
        return daily_completions(
            store, self.history_from, self.history_to, self.subject, self.timezone, within
        )

    def engine(self, store: Store, within: History | None = None) -> tuple[MonteCarlo, Stability]:
        """The engine over this history, and the stability check to show before any forecast."""
        check_fresh(store, self.history_to)
        history = self.history(store, within)
        try:
            engine = MonteCarlo(history, self.calendar, trials=self.trials, seed=self.seed)
        except TooLittleHistory as exc:
            raise TooLittleHistory(f"{exc}{_hint(store, self.subject, self.history_to)}") from exc
        return engine, xmr(history)

    def correction(
        self,
        store: Store,
        start: date,
        by: date,
        within: History | None = None,
        cache: BacktestCache | None = None,
    ) -> Correction | None:
        """What the same question asked over the past year would have taught, if enough.

        The replays use the same history length and the same horizon (`start` to `by`), each
        beginning the day after its history, and only outcomes complete before this
        forecast's history ends. None while fewer than 20 are known. `within`: as for
        `history`; `cache`: as for `run_backtest`.
        """
        window = (self.history_to - self.history_from).days + 1
        horizon = (by - start).days + 1
        if horizon < 1:
            return None
        begins = self.history_to + timedelta(days=1)
        span_from = begins - timedelta(days=MEMORY + window + horizon + EVERY)
        past = daily_completions(
            store, span_from, self.history_to, self.subject, self.timezone, within
        )
        return learned_correction(
            past,
            begins,
            window=window,
            horizon=horizon,
            calendar=self.calendar,
            trials=self.trials,
            seed=self.seed or 0,
            cache=cache,
        )


def _hint(store: Store, subject: Subject, history_to: date) -> str:
    """Point at the data when the window simply misses it (an old export, say)."""
    last = last_completion(store, subject)
    if last is None:
        return f" The store has no completed work items ({subject.describe()}) at all."
    if last.date() < history_to - timedelta(days=30):
        return (
            f" The latest completion ({subject.describe()}) is on {last.date()}: "
            f"try --history-to {last.date()}."
        )
    return ""


def stored_span(store: Store, subject: Subject) -> tuple[date, date]:
    """The first and last day with a completion of the subject's work items."""
    t = work_items(store, subject)
    row = t.aggregate(lo=t.done_at.min(), hi=t.done_at.max()).execute().iloc[0]
    return _span(row["lo"], row["hi"], subject)


def team_spans(store: Store, teams: Sequence[str]) -> dict[str, tuple[date, date] | ForecastError]:
    """`stored_span` of each team (`Subject(team=...)`) in one query; for a team without a
    completed item, the error `stored_span` raises."""
    t = work_items(store, Subject())
    t = t.filter(t.team.isin(list(teams)))
    df = t.group_by("team").aggregate(lo=t.done_at.min(), hi=t.done_at.max()).execute()
    rows = {str(r["team"]): (r["lo"], r["hi"]) for r in df.to_dict("records")}
    out: dict[str, tuple[date, date] | ForecastError] = {}
    for team in teams:
        lo, hi = rows.get(team, (None, None))
        try:
            out[team] = _span(lo, hi, Subject(team=team))
        except ForecastError as exc:
            out[team] = exc
    return out


def _span(lo: Any, hi: Any, subject: Subject) -> tuple[date, date]:
    """The days of the first and last completion as the engine returned them (pandas
    timestamps, NaT or None when there is none)."""
    if lo is None or lo != lo:
        raise ForecastError(f"the store has no completed work items ({subject.describe()})")
    return lo.date(), hi.date()


def run_backtest(
    store: Store,
    subject: Subject,
    history_from: date | None,
    history_to: date | None,
    timezone: str = "UTC",
    *,
    window: int = WINDOW,
    horizon: int = HORIZON,
    every: int = EVERY,
    calendar: Calendar | None = None,
    trials: int = TRIALS,
    seed: int = 0,
    calibrated: bool = False,
    within: History | None = None,
    cache: BacktestCache | None = None,
) -> Backtest:
    """Backtest over the stored history (default: from the first to the last completion).

    The last day defaults to the last completion, not today: days after an export was taken
    would otherwise count as days when nothing was done. `within`: the subject's history
    already read, as for `daily_completions`. `cache`: where backtests are kept between
    commands (backtest_cache.py).
    """
    if history_from is None or history_to is None:
        lo, hi = stored_span(store, subject)
        history_from = history_from or lo
        history_to = history_to or min(hi, date.today() - timedelta(days=1))
    history = daily_completions(store, history_from, history_to, subject, timezone, within)
    params: dict[str, Any] = {
        "window": window,
        "horizon": horizon,
        "every": every,
        "calendar": calendar,
        "trials": trials,
        "seed": seed,
        "calibrated": calibrated,
    }
    return kept(history, params, cache)

"""The figures behind the report's "Forecasts and flow" section, gathered from the store.

`forecasting_data(store, timezone, as_of)` asks the forecast library (trustmeter.forecast)
the questions the CLI asks, with the CLI's defaults, as they would have been answered on
`as_of`: nothing on or after that day is used. It returns plain JSON-ready values (strings,
numbers, lists, dicts) that `render_html(..., forecasting=...)` lays out; it computes no
figure of its own beyond a histogram of the simulated totals and pooled backtest coverage.

- **Flow** per team (all work items when no item has a team) over the 90 days before
  `as_of`: weekly throughput with its XmR limits, cycle time at 50/85/95 %, WIP and the
  number of items older than the 85th-percentile cycle time.
- **How many in the next 30 days** (`as_of` to `as_of + 29`): "at least X" at 50/70/85/95 %,
  calibrated when 20 replays of the same question are known (as `forecast how-many`), plain
  otherwise, and the histogram of the 10,000 simulated totals.
- **Ledger calibration**: recorded forecasts settled before `as_of` (`forecast calibration`
  settles them), per level, and the Brier score of likelihoods.
- **Backtest**: plain and calibrated coverage per team, origins every 14 days (`--every 14`)
  to keep the report fast, and pooled over the teams.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import numpy as np

from trustmeter.forecast import ledger
from trustmeter.forecast.backtest import EVERY, MEMORY, Backtest, coverage
from trustmeter.forecast.backtest_cache import BacktestCache
from trustmeter.forecast.calibration import calibrated
from trustmeter.forecast.flow import Flow, flow, team_flows
from trustmeter.forecast.history import (
    Subject,
    daily_completions,
    default_window,
    team_daily_completions,
    utc_instant,
    work_items,
)
from trustmeter.forecast.montecarlo import (
    LEVELS,
    TRIALS,
    Calendar,
    ForecastError,
    History,
    HowMany,
    TooLittleHistory,
)
from trustmeter.forecast.request import Request, run_backtest, stored_span, team_spans
from trustmeter.store import Store

HORIZON_DAYS = 30
BACKTEST_EVERY = 14  # days between backtest origins: half the CLI's work, same answer's shape
BACKTEST_HORIZON = 14  # the CLI's default
SEED = 0  # reproducible: the same store and date give the same report
MAX_TEAMS = 8  # the busiest teams are shown; the rest are counted
MAX_BINS = 32


def forecasting_data(
    store: Store, timezone: str, as_of: date, cache: BacktestCache | None = None
) -> dict[str, Any] | None:
    """Flow, a 30-day forecast, ledger and backtest calibration as of `as_of`; None if no items.
    `cache` keeps the backtests between reports (forecast/backtest_cache.py)."""
    items = work_items(store, Subject())
    if int(items.count().execute()) == 0:
        return None
    first, last = default_window(None, None, today=as_of)
    teams, left_out = _teams(store, first, last, timezone)
    subjects = [Subject(team=t) for t in teams] if teams else [Subject()]
    start, by = as_of, as_of + timedelta(days=HORIZON_DAYS - 1)
    read = _histories(store, subjects, first, last, timezone)
    histories = {s.team: h for s, (_, h) in read.items() if s.team and h is not None}
    # Every team's flow in one pass: four queries in all instead of four a team.
    flows = team_flows(store, first, last, teams, timezone, histories) if teams else {}
    rows = []
    backtests: list[Backtest] = []
    for subject in subjects:
        span, history = read[subject]
        bt, bt_view = _backtest(store, subject, as_of, timezone, span, history, cache)
        if bt is not None:
            backtests.append(bt)
        if subject.team:
            f = flows[subject.team]
        else:
            f = flow(store, first, last, subject, timezone, history)
        rows.append(
            {
                "name": subject.team or "All work items",
                "team": subject.team,
                "flow": _flow_view(f),
                "forecast": _forecast(
                    store, subject, first, last, start, by, timezone, history, cache
                ),
                "backtest": bt_view,
            }
        )
    return {
        "as_of": as_of.isoformat(),
        "history": {"from": first.isoformat(), "to": last.isoformat()},
        "horizon": {"from": start.isoformat(), "to": by.isoformat(), "days": HORIZON_DAYS},
        "subjects": rows,
        "teams_left_out": left_out,
        "backtest": _pooled(backtests),
        "ledger": _ledger(store, as_of),
        "trials": TRIALS,
        "seed": SEED,
    }


def _teams(store: Store, first: date, last: date, timezone: str) -> tuple[list[str], list[str]]:
    """Teams with work items, busiest first (completions in the window), at most MAX_TEAMS."""
    t = work_items(store, Subject())
    t = t.filter(t.team.notnull())
    lo, hi = utc_instant(first, timezone), utc_instant(last + timedelta(days=1), timezone)
    done = (t.done_at >= lo) & (t.done_at < hi)
    df = t.group_by("team").aggregate(n=ibis.ifelse(done, 1, 0).sum()).execute()
    ranked = sorted(
        ((str(r["team"]), int(r["n"] or 0)) for r in df.to_dict("records")),
        key=lambda x: (-x[1], x[0]),
    )
    names = [name for name, _ in ranked]
    return names[:MAX_TEAMS], names[MAX_TEAMS:]


def _histories(
    store: Store, subjects: list[Subject], first: date, last: date, tz: str
) -> dict[Subject, tuple[tuple[date, date] | ForecastError, History | None]]:
    """Each subject's first and last day with a completion (or why there is none), and its
    daily completions read once, from the earlier of that first day and the oldest day the
    forecast's correction replays, to `last`: the backtest, the flow and the forecast take
    their days from it (`daily_completions(within=...)`) instead of reading them again.
    The teams' spans and days come from one query each, for all the teams."""
    # The correction's replays reach back a year, plus one history, horizon and step, from
    # the forecast's start (Request.correction); a day it misses would be read on its own.
    replays = first - timedelta(days=MEMORY + HORIZON_DAYS + EVERY)
    teams = [s.team for s in subjects if s.team]
    spans: dict[str | None, tuple[date, date] | ForecastError] = {}
    if teams:
        spans.update(team_spans(store, teams))
    for s in subjects:
        if not s.team:
            try:
                spans[s.team] = stored_span(store, s)
            except ForecastError as exc:
                spans[s.team] = exc
    starts = [span[0] for span in spans.values() if not isinstance(span, ForecastError)]
    if not starts:
        return {s: (spans[s.team], None) for s in subjects}
    begin = min([*starts, replays])
    days = team_daily_completions(store, begin, last, teams, tz) if teams else {}
    out: dict[Subject, tuple[tuple[date, date] | ForecastError, History | None]] = {}
    for s in subjects:
        span = spans[s.team]
        if isinstance(span, ForecastError):
            out[s] = (span, None)
        elif s.team:
            out[s] = (span, days[s.team])
        else:
            out[s] = (span, daily_completions(store, begin, last, s, tz))
    return out


def _flow_view(measured: Flow) -> dict[str, Any]:
    f = measured.as_dict()
    f["wip"].pop("aged", None)  # the count is shown; the items are in `forecast flow`
    return f


def _forecast(
    store: Store,
    subject: Subject,
    first: date,
    last: date,
    start: date,
    by: date,
    tz: str,
    history: History | None,
    cache: BacktestCache | None = None,
) -> dict[str, Any]:
    req = Request(subject, first, last, Calendar(), TRIALS, SEED, tz)
    try:
        engine, _ = req.engine(store, history)
        result: HowMany = engine.how_many(by, start)
        corr = req.correction(store, start, by, history, cache)
        if corr is not None:
            result = calibrated(result, corr)
    except TooLittleHistory as exc:
        return {"error": f"not enough history: {exc}"}
    except ForecastError as exc:
        return {"error": str(exc)}
    out = result.as_dict()
    out["histogram"] = _histogram(result.totals)
    if result.calibration is None:
        out["method"] = (
            "plain Monte Carlo: fewer than 20 past forecasts of this kind could be replayed "
            "over the last year to correct it"
        )
    else:
        c = result.calibration
        out["method"] = (
            f"calibrated with {c['past_forecasts']} replayed forecasts from {c['from']} to "
            f"{c['to']}"
        )
    return out


def _histogram(totals: np.ndarray[Any, Any]) -> dict[str, Any]:
    """Counts of simulated totals in at most MAX_BINS bins of whole items, [lo, hi] each."""
    lo, hi = int(totals.min()), int(totals.max())
    width = max(1, -(-(hi - lo + 1) // MAX_BINS))
    edges = np.arange(lo, hi + width + 1, width)
    counts, _ = np.histogram(totals, bins=edges)
    return {
        "trials": int(totals.size),
        "bins": [
            {"lo": int(a), "hi": int(a + width - 1), "trials": int(n)}
            for a, n in zip(edges[:-1], counts, strict=True)
        ],
    }


def _backtest(
    store: Store,
    subject: Subject,
    as_of: date,
    tz: str,
    span: tuple[date, date] | ForecastError,
    history: History | None,
    cache: BacktestCache | None = None,
) -> tuple[Backtest | None, dict[str, Any]]:
    """The calibrated walk-forward backtest up to the day before `as_of` (plain beside it),
    over the subject's `span` of completions (`_histories`)."""
    try:
        if isinstance(span, ForecastError):
            raise span
        lo, hi = span
        to = min(hi, as_of - timedelta(days=1))
        if to <= lo:
            raise TooLittleHistory(f"no completion before {as_of}")
        bt = run_backtest(
            store,
            subject,
            lo,
            to,
            tz,
            horizon=BACKTEST_HORIZON,
            every=BACKTEST_EVERY,
            seed=SEED,
            calibrated=True,
            within=history,
            cache=cache,
        )
    except TooLittleHistory as exc:
        return None, {"error": f"not enough history: {exc}"}
    except ForecastError as exc:
        return None, {"error": str(exc)}
    view = bt.as_dict()
    view["plain_origins"] = len(bt.origins) + len(bt.warmup)
    view["plain_all_coverage"] = {
        str(k): None if v is None else round(v, 4)
        for k, v in coverage(bt.warmup + bt.origins, "plain").items()
    }
    return bt, view


def _pooled(backtests: list[Backtest]) -> dict[str, Any] | None:
    """Coverage over every team's scored origins together: calibrated, and plain at the same."""
    origins = [o for bt in backtests for o in bt.origins]
    if not origins:
        return None
    return {
        "origins": len(origins),
        "window": backtests[0].window,
        "horizon": backtests[0].horizon,
        "every": backtests[0].every,
        "calibrated": {str(k): v for k, v in coverage(origins).items()},
        "plain": {str(k): v for k, v in coverage(origins, "plain").items()},
        "warmup": sum(len(bt.warmup) for bt in backtests),
    }


def _ledger(store: Store, as_of: date) -> dict[str, Any] | None:
    cal = ledger.calibration(store, as_of)
    resolved = sum(n for n, _ in cal.levels.values())
    if resolved == 0 and cal.likelihoods == 0:
        return None if cal.forecasts == 0 else {**cal.as_dict(), "resolved": 0}
    return {**cal.as_dict(), "resolved": resolved, "levels_order": list(LEVELS)}

"""Flow metrics for a team or project: throughput, cycle time, WIP and item age.

Cycle time runs from `started_at` (else `created_at`) to `done_at`, in days, for items done
in the window; its percentiles are continuous (interpolated), as every percentile in
trustmeter is. An item is in progress from the same start until it is done, so WIP and age
are measured at the end of the window's last day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from trustmeter.forecast.history import Subject, daily_completions, utc_instant, work_items
from trustmeter.forecast.montecarlo import History
from trustmeter.forecast.xmr import Stability, weekly_totals, xmr
from trustmeter.store import Store

PERCENTILES = (50, 85, 95)
# Aged items listed at most (the count of all of them is always given).
AGED_SHOWN = 20


@dataclass
class Flow:
    subject: Subject
    first: date
    last: date
    history: History
    cycle_time: dict[int, float | None]  # days, at each percentile
    cycle_n: int
    wip: int
    age: dict[int, float | None]  # days in progress, at each percentile, of the open items
    aged: list[dict[str, Any]]  # items in progress longer than the 85th-percentile cycle time
    aged_count: int
    stability: Stability

    @property
    def per_day(self) -> float:
        return float(self.history.counts.mean()) if self.history.days else 0.0

    @property
    def per_week(self) -> float:
        return self.per_day * 7

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject.as_dict(),
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "stability": self.stability.as_dict(),
            "throughput": {
                "completions": int(self.history.counts.sum()),
                "per_day": round(self.per_day, 3),
                "per_week": round(self.per_week, 2),
                "weeks": [
                    {"week": w.isoformat(), "completions": n}
                    for w, n in weekly_totals(self.history)
                ],
            },
            "cycle_time_days": {
                "n": self.cycle_n,
                **{str(p): _round(v) for p, v in self.cycle_time.items()},
            },
            "wip": {
                "open": self.wip,
                "age_days": {str(p): _round(v) for p, v in self.age.items()},
                "older_than_p85_cycle_time": self.aged_count,
                "aged": self.aged,
            },
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _text(v: Any) -> str | None:
    return None if v is None or v != v else str(v)  # None and NaN from pandas


def _days(a: ir.TimestampValue, b: ir.TimestampValue) -> ir.FloatingValue:
    d: ir.FloatingValue = (b.epoch_seconds() - a.epoch_seconds()) / 86400.0
    return d


def _percentiles_by_team(
    t: ir.Table, column: str
) -> dict[str, tuple[int, dict[int, float | None]]]:
    """`_percentiles` for each team that has rows, in one query."""
    aggs = {str(p): t[column].quantile(p / 100) for p in PERCENTILES}
    df = t.group_by("team").aggregate(_n=t.count(), **aggs).execute()
    return {
        str(r["team"]): (int(r["_n"]), {p: float(r[str(p)]) for p in PERCENTILES})
        for r in df.to_dict("records")
    }


def _percentiles(t: ir.Table, column: str) -> tuple[int, dict[int, float | None]]:
    """The rows, and the continuous percentiles of a column (None without rows): one query,
    computed in the database."""
    aggs = {str(p): t[column].quantile(p / 100) for p in PERCENTILES}
    row = t.aggregate(_n=t.count(), **aggs).execute()
    n = int(row["_n"].iloc[0])
    if n == 0:
        return 0, dict.fromkeys(PERCENTILES)
    return n, {p: float(row[str(p)].iloc[0]) for p in PERCENTILES}


def flow(
    store: Store,
    first: date,
    last: date,
    subject: Subject | None = None,
    timezone: str = "UTC",
    within: History | None = None,
) -> Flow:
    """Flow metrics over the local days from `first` to `last`, inclusive (the daily
    completions taken from `within` when it covers them: `daily_completions`)."""
    subject = subject or Subject()
    history = daily_completions(store, first, last, subject, timezone, within)
    lo, hi = utc_instant(first, timezone), utc_instant(last + timedelta(days=1), timezone)
    done, wip = _done_and_wip(work_items(store, subject), lo, hi)
    cycle_n, cycle = _percentiles(done, "days")
    wip_n, age = _percentiles(wip, "age_days")

    aged: list[dict[str, Any]] = []
    aged_count = 0
    p85 = cycle.get(85)
    if p85 is not None:
        old = wip.filter(wip.age_days > p85)
        aged_count = int(old.count().execute())
        shown = (
            old.order_by([old.age_days.desc(), old.id])
            .select(*AGED_COLUMNS)
            .limit(AGED_SHOWN)
            .execute()
        )
        aged = [_aged(r) for r in shown.to_dict("records")]
    return Flow(
        subject, first, last, history, cycle, cycle_n, wip_n, age, aged, aged_count, xmr(history)
    )


def team_flows(
    store: Store,
    first: date,
    last: date,
    teams: Sequence[str],
    timezone: str = "UTC",
    within: Mapping[str, History] | None = None,
) -> dict[str, Flow]:
    """`flow` of each team (`Subject(team=...)`), in four queries for all of them rather
    than four for each: the report shows the flow of up to eight teams. The same rows, in
    groups, give the same figures (`tests/forecast/test_team_flows.py`)."""
    lo, hi = utc_instant(first, timezone), utc_instant(last + timedelta(days=1), timezone)
    items = work_items(store, Subject())
    done, wip = _done_and_wip(items.filter(items.team.isin(list(teams))), lo, hi)
    cycles = _percentiles_by_team(done, "days")
    ages = _percentiles_by_team(wip, "age_days")
    thresholds = {t: c[85] for t, (_, c) in cycles.items() if c[85] is not None}
    counts: dict[str, int] = {}
    shown: dict[str, list[dict[str, Any]]] = {}
    if thresholds:
        # Each team's items older than its own 85th-percentile cycle time.
        p85 = ibis.cases(*[(wip.team == t, p) for t, p in thresholds.items()], else_=None)
        old = wip.filter(wip.age_days > p85)
        for r in old.group_by("team").aggregate(k=old.count()).execute().to_dict("records"):
            counts[str(r["team"])] = int(r["k"])
        nth = ibis.row_number().over(group_by=old.team, order_by=[old.age_days.desc(), old.id])
        ranked = old.mutate(_nth=nth)
        ranked = ranked.filter(ranked._nth < AGED_SHOWN).order_by(["team", "_nth"])
        for r in ranked.select(*AGED_COLUMNS).execute().to_dict("records"):
            shown.setdefault(str(r["team"]), []).append(_aged(r))
    none: tuple[int, dict[int, float | None]] = (0, dict.fromkeys(PERCENTILES))
    out = {}
    for team in teams:
        subject = Subject(team=team)
        days = (within or {}).get(team)
        history = daily_completions(store, first, last, subject, timezone, days)
        cycle_n, cycle = cycles.get(team, none)
        wip_n, age = ages.get(team, none)
        aged, aged_count = shown.get(team, []), counts.get(team, 0)
        out[team] = Flow(
            subject, first, last, history, dict(cycle), cycle_n, wip_n, dict(age), aged,
            aged_count, xmr(history),
        )  # fmt: skip
    return out


AGED_COLUMNS = ("id", "title", "team", "project", "began", "age_days")


def _done_and_wip(items: ir.Table, lo: datetime, hi: datetime) -> tuple[ir.Table, ir.Table]:
    """Items done in [lo, hi) with their cycle time in days, and items in progress at `hi`
    with their age in days; an item is in progress from its start (else its creation)."""
    items = items.mutate(began=ibis.coalesce(items.started_at, items.created_at))
    done = items.filter(items.done_at >= lo, items.done_at < hi)
    done = done.mutate(days=_days(done.began, done.done_at))
    done = done.filter(done.days >= 0)  # done before it began: bad data, left out
    wip = items.filter(items.began < hi, items.done_at.isnull() | (items.done_at >= hi))
    wip = wip.mutate(age_days=_days(wip.began, ibis.literal(hi)))
    return done, wip


def _aged(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(r["id"]),
        "title": _text(r["title"]),
        "team": _text(r["team"]),
        "project": _text(r["project"]),
        "started": r["began"].date().isoformat(),
        "age_days": round(float(r["age_days"]), 1),
    }

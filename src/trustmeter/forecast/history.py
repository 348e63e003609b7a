"""Daily completions of work items from the store: the history every forecast draws from.

Counting happens in the database (one row per day that saw a completion); days are the
workspace's local days, so an item closed at 23:30 in Berlin counts on that Berlin day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import numpy as np
from ibis import _

from trustmeter.forecast.montecarlo import ForecastError, History, day_number
from trustmeter.store import Store

HISTORY_DAYS = 90
# Containers whose children carry the work: counting both would count the work twice.
NOT_COUNTED = ("epic",)


@dataclass(frozen=True)
class Subject:
    """Whose work is forecast: a team, a project, optionally only some kinds of item."""

    team: str | None = None
    project: str | None = None
    kinds: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.team:
            parts.append(f"team {self.team}")
        if self.project:
            parts.append(f"project {self.project}")
        if self.kinds:
            parts.append("kind " + "/".join(self.kinds))
        return ", ".join(parts) or "all work items"

    def as_dict(self) -> dict[str, str | list[str] | None]:
        return {"team": self.team, "project": self.project, "kinds": list(self.kinds)}


def one_per_id(t: ir.Table) -> ir.Table:
    """One row per work item even when the same export was imported under two source names.

    The same rule as metrics.common.latest (the latest import wins), kept here so that
    forecasting does not reach into the metrics package.
    """
    rank = ibis.row_number().over(
        group_by=[t.id],
        order_by=[
            t.imported_at.desc(nulls_first=False),
            t.source.desc(nulls_first=False),
            t.source_id.desc(nulls_first=False),
        ],
    )
    return t.mutate(_rank=rank).filter(_._rank == 0).drop("_rank")


def work_items(store: Store, subject: Subject) -> ir.Table:
    """The subject's work items, one row each, containers left out."""
    t = one_per_id(store.table("work_item"))
    t = t.filter(t.kind.isnull() | ~t.kind.isin(NOT_COUNTED))
    if subject.team:
        t = t.filter(t.team == subject.team)
    if subject.project:
        t = t.filter(t.project == subject.project)
    if subject.kinds:
        t = t.filter(t.kind.isin(list(subject.kinds)))
    return t


# -- local days ---------------------------------------------------------------------------------
def utc_instant(day: date, timezone: str) -> datetime:
    """Local midnight at the start of `day`, as a naive UTC timestamp (how the store keeps time)."""
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC).replace(tzinfo=None)


def utc_offsets(timezone: str, lo: datetime, hi: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) over [lo, hi), as (from this UTC instant, offset) steps."""
    zone = ZoneInfo(timezone)

    def offset(t: datetime) -> int:
        delta = t.replace(tzinfo=UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    steps = [(lo, offset(lo))]
    t = lo
    while t < hi:
        nxt = min(t + timedelta(days=1), hi)
        if offset(nxt) != steps[-1][1]:
            a, b = t, nxt  # the change lies in (a, b]: halve to the second
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                a, b = (mid, b) if offset(mid) == steps[-1][1] else (a, mid)
            steps.append((b.replace(microsecond=0), offset(b)))
        t = nxt
    return steps


def local_day(ts: ir.TimestampValue, timezone: str, lo: datetime, hi: datetime) -> ir.IntegerValue:
    """Days since 1970-01-01 of a naive-UTC timestamp, in the workspace's zone (in the database).

    The zone's offsets over the window become one CASE expression, so daylight-saving changes
    are exact on every engine without relying on each engine's time zone support.
    """
    steps = utc_offsets(timezone, lo, hi)
    offset: ir.IntegerValue = ibis.literal(steps[-1][1])
    if len(steps) > 1:
        offset = ibis.cases(
            *[(ts < steps[i + 1][0], steps[i][1]) for i in range(len(steps) - 1)],
            else_=steps[-1][1],
        )
    day: ir.IntegerValue = (ts.epoch_seconds() + offset) // 86400
    return day


def daily_completions(
    store: Store,
    first: date,
    last: date,
    subject: Subject | None = None,
    timezone: str = "UTC",
    within: History | None = None,
) -> History:
    """Work items done on each local day from `first` to `last` (inclusive), zeros included.

    `within` is the same subject's history in the same zone, already read over a span: when
    it covers these days they are taken from it rather than read again (the report asks a
    team's history five times over overlapping spans). A local day's count does not depend
    on the span it was read with, so the days are the same either way.
    """
    if last < first:
        raise ForecastError(f"the history ends ({last}) before it starts ({first})")
    if within is not None and within.start <= first and last <= within.end:
        return within.between(first, last)
    lo, hi = utc_instant(first, timezone), utc_instant(last + timedelta(days=1), timezone)
    t = work_items(store, subject or Subject())
    t = t.filter(t.done_at >= lo, t.done_at < hi)
    per_day = t.group_by(day=local_day(t.done_at, timezone, lo, hi)).aggregate(n=_.count())
    df = per_day.execute()
    counts = np.zeros((last - first).days + 1, dtype=np.int64)
    if len(df):
        idx = df["day"].to_numpy(dtype=np.int64) - day_number(first)
        keep = (idx >= 0) & (idx < counts.size)  # guards the rounding at the window's edges
        np.add.at(counts, idx[keep], df["n"].to_numpy(dtype=np.int64)[keep])
    return History(first, counts)


def team_daily_completions(
    store: Store, first: date, last: date, teams: Sequence[str], timezone: str = "UTC"
) -> dict[str, History]:
    """`daily_completions` of each team (`Subject(team=...)`) in one query grouped by team."""
    if last < first:
        raise ForecastError(f"the history ends ({last}) before it starts ({first})")
    lo, hi = utc_instant(first, timezone), utc_instant(last + timedelta(days=1), timezone)
    t = work_items(store, Subject())
    t = t.filter(t.team.isin(list(teams)), t.done_at >= lo, t.done_at < hi)
    per_day = t.group_by("team", day=local_day(t.done_at, timezone, lo, hi)).aggregate(n=_.count())
    df = per_day.execute()
    out = {}
    for team in teams:
        counts = np.zeros((last - first).days + 1, dtype=np.int64)
        rows = df[df["team"] == team]
        if len(rows):
            idx = rows["day"].to_numpy(dtype=np.int64) - day_number(first)
            keep = (idx >= 0) & (idx < counts.size)  # as in daily_completions
            np.add.at(counts, idx[keep], rows["n"].to_numpy(dtype=np.int64)[keep])
        out[team] = History(first, counts)
    return out


def last_completion(store: Store, subject: Subject | None = None) -> datetime | None:
    """The latest done_at of the subject's items (naive UTC), to suggest a history window."""
    t = work_items(store, subject or Subject())
    v = t.done_at.max().execute()
    if v is None or v != v:
        return None
    out: datetime = v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
    return out


def records_end(store: Store) -> date | None:
    """The day the work-item records run to: their latest creation or completion, any team.

    Days after it are days the export does not cover, not days when nothing was done.
    """
    t = store.table("work_item")
    v = t.aggregate(hi=ibis.greatest(t.created_at.max(), t.done_at.max())).execute()["hi"][0]
    if v is None or v != v:
        return None
    out: datetime = v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
    return out.date()


def default_window(
    history_from: date | None, history_to: date | None, today: date | None = None
) -> tuple[date, date]:
    """The history window: up to yesterday (the last complete day), 90 days unless given."""
    if history_to is None:
        history_to = (today or date.today()) - timedelta(days=1)
    if history_from is None:
        history_from = history_to - timedelta(days=HISTORY_DAYS - 1)
    if history_to < history_from:
        raise ForecastError(
            f"the history would end ({history_to}) before it starts ({history_from}); "
            "give --history-to as well"
        )
    return history_from, history_to

"""How far the records run: the day each kind's records run to, and what that means for a
period (FRAMEWORK.md, "Freshness").

A period after the day an export was taken is not a period in which nothing happened: a
month with no incident records would otherwise score 100 % availability. So a metric whose
records end before its period starts is `no_data`, and every scorecard says which kinds end
before its period does.
"""

from __future__ import annotations

from datetime import date, timedelta

from trustmeter.periods import Period
from trustmeter.records import EVENTS, KINDS
from trustmeter.scorecard.model import Freshness
from trustmeter.store import Store
from trustmeter.store.freshness import records_end

KIND_OF_TABLE = {k.table: k.kind for k in KINDS}
# A kind is flagged stale when its records end more than this before the period's last day:
# a day or two without a record is a quiet spell, not an old export.
QUIET_DAYS = 7


def runs_to(store: Store, timezone: str = "UTC") -> dict[str, date | None]:
    """For each record kind with events, by its table: the day of its latest event in the
    workspace's zone (store/freshness.py reads them; the counts are not needed here)."""
    ends = records_end(store, timezone, counts=False)
    return {r.table: r.last_day for r in ends if r.table in EVENTS}


def freshness(ends: dict[str, date | None], period: Period) -> Freshness:
    """What the records' ends mean for one period."""
    last_day = period.end - timedelta(days=1)
    known = {t: d for t, d in ends.items() if d is not None}
    quiet = last_day - timedelta(days=QUIET_DAYS)
    stale = tuple(KIND_OF_TABLE[t] for t, d in known.items() if d < quiet)
    past = bool(known) and all(d < period.start for d in known.values())
    return Freshness({KIND_OF_TABLE[t]: d for t, d in ends.items()}, stale, past)


def ends_before(ends: dict[str, date | None], needs: tuple[str, ...], period: Period) -> str | None:
    """Why a metric has no records for the period: a table it needs ends before the period
    starts (None when every needed table with events reaches into the period)."""
    for need in needs:
        table = need.partition(".")[0]
        end = ends.get(table)
        if end is not None and end < period.start:
            return (
                f"no {KIND_OF_TABLE[table]} records for this period: they run to {end}, before "
                f"it starts (import newer records)"
            )
    return None

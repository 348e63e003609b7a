"""The work done in each period, counted per team and kind of work: one query that
unplanned_work (stability.py) and run_share (planning.py) both read, so that the work items
are scanned once for the two (the scoring-engine issue groups them; on ten million work items
each scan and its period join cost PostgreSQL about 2.5 s)."""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from trustmeter.metrics.common import NO_TEAM, NOT_DEMAND, as_float, as_int, label, records_of
from trustmeter.metrics.model import Batch, once


@dataclass(frozen=True)
class Done:
    """Work items done in one period with the same team, category and flags."""

    team: str | None  # as recorded (unplanned_work names a team by it)
    team_name: str  # trimmed, a blank as "(no team)" (run_share's grouping)
    category: str | None  # run, grow or transform
    demand: bool  # not an epic (a container) or an incident (measured by mttr)
    unplanned: bool  # planned = false, or an incident when planned is unknown
    items: int
    with_effort: int  # the items that record their effort
    effort: float  # their hours


def done_work(b: Batch) -> dict[int, list[Done]]:
    """Per period (pid), the work items done in it, grouped by what the two metrics tell
    apart; computed once per Scorer and set of periods."""
    return once(b, f"done_work:{b.spans}", lambda: _read(b))


def _read(b: Batch) -> dict[int, list[Done]]:
    d = b.within(records_of(b, "work_item"), "done_at")
    d = d.mutate(
        team_name=label(d.team, NO_TEAM),
        demand=d.kind.isnull() | ~d.kind.isin(NOT_DEMAND),
        unplanned=ibis.ifelse(d.planned.isnull(), d.kind.fill_null("") == "incident", ~d.planned),
    )
    g = d.group_by("pid", "team", "team_name", "category", "demand", "unplanned").aggregate(
        items=d.count(),
        with_effort=d.effort_hours.count(),
        effort=d.effort_hours.cast("float64").sum(),
    )
    return {
        pid: [
            Done(
                r["team"],
                str(r["team_name"]),
                r["category"],
                bool(r["demand"]),
                bool(r["unplanned"]),
                as_int(r["items"]),
                as_int(r["with_effort"]),
                as_float(r["effort"]) or 0.0,
            )
            for r in rows
        ]
        for pid, rows in b.by_period(g).items()
    }

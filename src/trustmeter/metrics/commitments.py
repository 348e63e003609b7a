"""Say/do: one scoring rule for every kind of commitment, and a group's figure with its interval.

A sprint, a milestone, a release, a promised date and an objective are all promises with a
due date; commitment_reliability (delivery.py) averages the scores given here, the ordering
analysis compares a team's scores before and after a change of method. docs/agile.md gives
the rule's reasons.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir

from trustmeter.metrics.common import NO_TEAM, label, plural, records_of
from trustmeter.metrics.model import Batch

# What each commitment kind says about the delivery method, for the breakdown.
METHOD = {
    "sprint": "scrum / agile sprints",
    "release": "release trains",
    "milestone": "waterfall milestones",
    "due_date": "no method: promised dates",
    "objective": "objectives (OKRs)",
}


# z for a two-sided 90 % interval.
Z90 = 1.6449


def predictability(mean: float, n: int, few: int) -> dict[str, Any]:
    """A group's say/do in % with n and a 90 % interval, and a caveat below `few` commitments.

    The interval is Wilson's for a proportion, applied to the mean of scores in [0, 1]: a
    variable on [0, 1] with mean p has variance at most p(1 − p), so the interval is at
    least as wide as it should be (conservative), stays inside 0–100 and needs no resampling.
    """
    p = min(max(float(mean), 0.0), 1.0)
    z2 = Z90 * Z90
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z90 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    out: dict[str, Any] = {
        "value": round(p * 100, 1),
        "n": n,
        "interval": [
            round(max(centre - half, 0.0) * 100, 1),
            round(min(centre + half, 1.0) * 100, 1),
        ],
    }
    if n < few:
        out["caveat"] = f"only {plural(n, 'commitment')}: too few to compare"
    return out


def due_in(b: Batch) -> ir.Table:
    """Commitments due in each period (with its columns), made before the period's end."""
    c = b.within(records_of(b, "commitment"), "due_on", is_date=True)
    return c.filter(c.committed_on.isnull() | (c.committed_on < c.p_end_date))


def score_commitments(c: ir.Table, end: ir.DateValue, horizon_days: int) -> ir.Table:
    """Each commitment's say/do score as known at `end` (the period's end date): the share of
    what it promised that was done by its due date, by one rule for every kind.

    - What was done: the committed scope's share delivered (at most 1) when scope is
      recorded, whatever the kind; without scope, all of it once delivered, none before.
    - Lateness is turned into the shortfall it amounts to: delivered d days after the due
      date of an H-day plan (committed_on to due_on) at a steady pace, H/(H + d) of it was
      done by the due date. Without a plan length, H is `horizon_days`
      (params.commitment_horizon_days).
    - Delivered at or after `end`: nothing had been delivered at the end, so 0.

    So a sprint 3 points short of 41 and a milestone late by the same share of its plan
    score alike (docs/agile.md gives the reasons).
    """
    delivered_late = c.delivered_on.notnull() & (c.delivered_on >= end)
    has_scope = (c.scope_committed > 0).fill_null(False)
    scope_share = ibis.least(c.scope_delivered.fill_null(0.0) / c.scope_committed.nullif(0), 1.0)
    delivered = c.delivered_on.notnull() & (c.delivered_on < end)
    done = ibis.ifelse(has_scope, scope_share, ibis.ifelse(delivered, 1.0, 0.0))
    planned = c.committed_on.notnull() & (c.due_on > c.committed_on)
    plan = ibis.ifelse(
        planned, c.due_on.delta(c.committed_on, unit="day"), ibis.literal(horizon_days)
    ).cast("float64")
    late = ibis.ifelse(delivered, ibis.greatest(c.delivered_on.delta(c.due_on, unit="day"), 0), 0)
    on_pace = plan / (plan + late.cast("float64"))
    is_sprint = c.kind == "sprint"
    return c.mutate(
        score=ibis.ifelse(delivered_late, 0.0, done * on_pace).cast("float64"),
        late_days=late,
        plan_days=plan,
        on_time=(delivered & (c.delivered_on <= c.due_on)).cast("int32").cast("float64"),
        team_name=label(c.team, NO_TEAM),
        # A sprint without a committed scope has nothing to divide by: it is left out.
        scoreable=~is_sprint | has_scope,
    )


def commitment_scores(b: Batch) -> ir.Table:
    """Every scored commitment due in each period of `b`, with its say/do score as known at
    that period's end: `pid`, `team_name`, `kind`, `score`, the figures commitment_reliability
    averages. The ordering analysis compares a team's before and after a change of method."""
    c = due_in(b)
    c = score_commitments(c, c.p_end_date, int(b.param("commitment_horizon_days")))
    return c.filter(c.scoreable).select("pid", "team_name", "kind", "score")

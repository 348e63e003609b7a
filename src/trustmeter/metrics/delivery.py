"""Delivery: does IT do what it said, when it said, and how fast does work flow?

Every figure is read as of the period's end: anything dated at or after it had not happened
yet. docs/metrics/delivery.md records each definition and the choices FRAMEWORK.md leaves open.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis import _
from ibis.common.exceptions import TableNotFound

from trustmeter.metrics.common import (
    NO_SERVICE,
    NO_TEAM,
    NO_UNIT,
    NOT_DEMAND,
    as_float,
    date_in_period,
    filled,
    hours_between,
    in_period,
    label,
    latest,
    pct,
    plural,
    production_changes,
    records_of,
    rows,
    succeeded,
    top_contributors,
)
from trustmeter.metrics.registry import Context, Contributor, Measurement, metric

# What each commitment kind says about the delivery method, for the breakdown.
METHOD = {
    "sprint": "scrum / agile sprints",
    "release": "release trains",
    "milestone": "waterfall milestones",
    "due_date": "no method: promised dates",
    "objective": "objectives (OKRs)",
}


# -- say/do --------------------------------------------------------------------------------
def _due_commitments(ctx: Context) -> ir.Table:
    c = records_of(ctx, "commitment")
    # A commitment made after the period's end did not exist yet at the end.
    return c.filter(
        date_in_period(ctx, c.due_on), c.committed_on.isnull() | (c.committed_on < ctx.end_date)
    )


@metric(
    "commitment_reliability",
    area="delivery",
    name="Commitment reliability (say/do)",
    unit="%",
    direction="higher",
    needs=("commitment",),
    data_hint="commitments: sprints with committed and delivered scope, milestones, releases or due dates with their delivery dates",
)
def commitment_reliability(ctx: Context) -> Measurement:
    """Mean say/do over commitments due in the period: sprint scope delivered ÷ committed (at most 1), other commitments 1 if delivered by their due date.

    Sprints without a committed scope are left out. A delivery on or after the period's end had
    not happened at the end, so it counts as missed.
    """
    c = _due_commitments(ctx)
    end = ibis.literal(ctx.end_date)
    delivered_late = c.delivered_on.notnull() & (c.delivered_on >= end)
    sprint_score = ibis.ifelse(
        delivered_late,
        0.0,
        ibis.least(c.scope_delivered.fill_null(0.0) / c.scope_committed.nullif(0), 1.0),
    )
    kept = c.delivered_on.notnull() & (c.delivered_on <= c.due_on) & (c.delivered_on < end)
    other_score = ibis.ifelse(kept, 1.0, 0.0)
    is_sprint = c.kind == "sprint"
    c = c.mutate(
        score=ibis.ifelse(is_sprint, sprint_score, other_score).cast("float64"),
        team_name=label(c.team, NO_TEAM),
        # A sprint without a committed scope has nothing to divide by: it is left out.
        scoreable=~is_sprint | (c.scope_committed > 0).fill_null(False),
    )
    scored = c.filter(c.scoreable)
    left_out = int(c.filter(~c.scoreable).count().execute())

    total = rows(scored.aggregate(value=scored.score.mean(), n=scored.count()))[0]
    n = int(total["n"])
    by_kind = rows(scored.group_by("kind").aggregate(value=_.score.mean(), n=_.count()))
    by_team = rows(scored.group_by("team_name").aggregate(value=_.score.mean(), n=_.count()))
    # Which delivery method each team's figure comes from (scrum sprints, waterfall
    # milestones, plain due dates...): a team may use several.
    team_kinds = rows(
        scored.group_by(["team_name", "kind"]).aggregate(value=_.score.mean(), n=_.count())
    )
    dated = scored.filter(scored.kind != "sprint")
    on_time = rows(dated.aggregate(value=dated.score.mean(), n=dated.count()))[0]
    sprints = scored.filter(scored.kind == "sprint")
    added = rows(
        sprints.aggregate(
            committed=sprints.scope_committed.sum(),
            added=sprints.scope_added.sum(),
            with_added=sprints.scope_added.count(),
        )
    )[0]
    with_project = scored.filter(filled(scored.project))
    by_project = rows(with_project.group_by("project").aggregate(value=_.score.mean(), n=_.count()))

    def worst(groups: list[dict[str, Any]], key: str, kind: str) -> list[Contributor]:
        ranked = sorted(
            (g for g in groups if g["value"] < 1), key=lambda g: (g["value"], -g["n"], g[key])
        )
        return [
            Contributor(
                kind,
                str(g[key]),
                f"{g[key]}: kept {pct(g['value'] * 100)} of what it committed "
                f"({plural(g['n'], 'commitment')} due)",
                round(g["value"] * 100, 1),
            )
            for g in ranked[:3]
        ]

    value = as_float(total["value"])
    return Measurement(
        value=value * 100 if value is not None and n else None,
        n=n,
        breakdown={
            "by_kind": {
                str(g["kind"]): {
                    "method": METHOD.get(str(g["kind"]), str(g["kind"])),
                    "value": round(g["value"] * 100, 1),
                    "n": int(g["n"]),
                }
                for g in sorted(by_kind, key=lambda g: str(g["kind"]))
            },
            "by_team": {
                str(g["team_name"]): {
                    "value": round(g["value"] * 100, 1),
                    "n": int(g["n"]),
                    "methods": {
                        str(k["kind"]): {
                            "method": METHOD.get(str(k["kind"]), str(k["kind"])),
                            "value": round(k["value"] * 100, 1),
                            "n": int(k["n"]),
                        }
                        for k in sorted(team_kinds, key=lambda k: str(k["kind"]))
                        if k["team_name"] == g["team_name"]
                    },
                }
                for g in sorted(by_team, key=lambda g: str(g["team_name"]))
            },
            "sprints_without_committed_scope": left_out,
            # The on-time rate: of the dated promises (milestones, releases, due dates,
            # objectives), the share delivered by their due date.
            "on_time_rate": {
                "value": round(on_time["value"] * 100, 1) if on_time["n"] else None,
                "n": int(on_time["n"]),
            },
            # Scope added after a sprint started is tracked apart: it never counts as committed.
            "sprint_scope_added": {
                "added": as_float(added["added"]) or 0.0,
                "committed": as_float(added["committed"]) or 0.0,
                "sprints_reporting_added": int(added["with_added"] or 0),
            },
        },
        evidence=worst(by_team, "team_name", "team") + worst(by_project, "project", "project"),
        records=scored.select(
            "id",
            "kind",
            "team",
            "project",
            "committed_on",
            "due_on",
            "delivered_on",
            "scope_committed",
            "scope_delivered",
            "scope_added",
            "score",
            "title",
        ),
    )


@metric(
    "schedule_slip",
    area="delivery",
    name="Schedule slip (median)",
    unit="%",
    direction="lower",
    needs=("commitment.committed_on",),
    data_hint="milestones, releases or due dates with the date they were committed, due and delivered",
)
def schedule_slip(ctx: Context) -> Measurement:
    """Median lateness as a share of the planned duration, over dated commitments due in the period.

    Lateness is max(0, delivered − due) ÷ (due − committed). A commitment not delivered by the
    period's end is measured to the end, a lower bound on its slip. Sprints are timeboxes and
    are left out: their shortfall is scope, which commitment_reliability counts.
    """
    c = _due_commitments(ctx)
    c = c.filter(c.kind != "sprint", c.committed_on.notnull(), c.due_on > c.committed_on)
    end = ibis.literal(ctx.end_date)
    open_at_end = c.delivered_on.isnull() | (c.delivered_on >= end)
    finish = ibis.ifelse(open_at_end, end, c.delivered_on)
    late_days = ibis.greatest(finish.delta(c.due_on, unit="day"), 0)
    plan_days = c.due_on.delta(c.committed_on, unit="day").nullif(0)
    s = c.mutate(
        open_at_end=open_at_end,
        late_days=late_days,
        plan_days=plan_days,
        slip=(late_days * 100.0 / plan_days).cast("float64"),
    )
    total = rows(
        s.aggregate(
            value=s.slip.median(),
            n=s.count(),
            late=(s.late_days > 0).sum(),
            still_open=s.open_at_end.sum(),
        )
    )[0]
    n = int(total["n"])
    by_kind = rows(s.group_by("kind").aggregate(value=_.slip.median(), n=_.count()))
    worst = rows(
        s.filter(s.late_days > 0)
        .order_by([ibis.desc("slip"), ibis.desc("late_days"), "id"])
        .limit(3)
        .select("id", "title", "project", "team", "late_days", "plan_days", "slip", "open_at_end")
    )
    evidence = []
    for w in worst:
        name = w["title"] or w["id"]
        owner = w["project"] or w["team"]
        who = f"{name} ({owner})" if owner else str(name)
        late = (
            f"still open {w['late_days']} days after its due date"
            if w["open_at_end"]
            else f"delivered {w['late_days']} days late"
        )
        evidence.append(
            Contributor(
                "commitment",
                str(name),
                f"{who}: {late}, {pct(w['slip'])} of its {w['plan_days']}-day plan",
                round(float(w["slip"]), 1),
            )
        )
    return Measurement(
        value=as_float(total["value"]) if n else None,
        n=n,
        breakdown={
            "late": int(total["late"] or 0),
            "open_at_end": int(total["still_open"] or 0),
            "median_by_kind": {
                str(g["kind"]): {"value": round(float(g["value"]), 1), "n": int(g["n"])}
                for g in sorted(by_kind, key=lambda g: str(g["kind"]))
            },
        },
        evidence=evidence,
        records=s.select(
            "id",
            "kind",
            "team",
            "project",
            "committed_on",
            "due_on",
            "delivered_on",
            "open_at_end",
            "late_days",
            "plan_days",
            "slip",
            "title",
        ),
    )


# -- flow of changes -----------------------------------------------------------------------
@metric(
    "deployment_frequency",
    area="delivery",
    name="Deployment frequency",
    unit="days/week",
    direction="higher",
    log_scale=True,
    needs=("change",),
    data_hint="production deployments from the CI/CD pipeline or the change calendar",
)
def deployment_frequency(ctx: Context) -> Measurement:
    """Days per week with at least one successful production deployment (UTC days).

    A deployment is a production change of kind `deployment` (or no kind) whose outcome is
    success (or not recorded). n is the number of such deployments.
    """
    ch = production_changes(ctx)
    ch = ch.filter(in_period(ctx, ch.deployed_at))
    is_deploy = ch.kind.isnull() | (ch.kind == "deployment")
    d = ch.filter(is_deploy, succeeded(ch)).mutate(
        day=_.deployed_at.date(), service_name=label(_.service, NO_SERVICE)
    )
    total = rows(d.aggregate(n=d.count(), days=d.day.nunique()))[0]
    other = int(ch.filter(~is_deploy).count().execute())
    n = int(total["n"])
    days = int(total["days"] or 0)
    weeks = ctx.period.days / 7
    by_service = rows(d.group_by("service_name").aggregate(k=_.count(), days=_.day.nunique()))
    counts = {str(g["service_name"]): int(g["k"]) for g in by_service}
    return Measurement(
        value=days / weeks if weeks else None,
        n=n,
        breakdown={
            "days_with_deployment": days,
            "weeks": round(weeks, 2),
            "deployment_days_by_service": {
                str(g["service_name"]): int(g["days"])
                for g in sorted(by_service, key=lambda g: str(g["service_name"]))
            },
            "other_production_changes_not_counted": other,
        },
        evidence=top_contributors(counts, n, "service", "successful production deployments"),
        records=d.select("id", "service", "kind", "environment", "outcome", "deployed_at", "title"),
    )


@metric(
    "lead_time_for_changes",
    area="delivery",
    name="Lead time for changes (median)",
    unit="h",
    direction="lower",
    log_scale=True,
    needs=("change",),
    data_hint="production changes with their first commit (or creation) time and deployment time",
)
def lead_time_for_changes(ctx: Context) -> Measurement:
    """Median hours from first commit (else creation) to deployment, for production changes deployed in the period.

    Failed and rolled-back changes delivered nothing and are left out, as are changes with
    neither start time or one after the deployment.
    """
    ch = production_changes(ctx)
    ch = ch.filter(in_period(ctx, ch.deployed_at), succeeded(ch))
    started = ibis.coalesce(ch.first_commit_at, ch.created_at)
    lt = ch.mutate(
        started_at=started,
        started_from=ibis.ifelse(ch.first_commit_at.notnull(), "first_commit", "created"),
        service_name=label(ch.service, NO_SERVICE),
    )
    no_start = int(lt.filter(lt.started_at.isnull()).count().execute())
    lt = lt.filter(lt.started_at.notnull(), lt.started_at <= lt.deployed_at)
    lt = lt.mutate(hours=hours_between(lt.started_at, lt.deployed_at))
    total = rows(lt.aggregate(value=lt.hours.median(), n=lt.count()))[0]
    n = int(total["n"])
    by_service = rows(lt.group_by("service_name").aggregate(med=_.hours.median(), k=_.count()))
    basis = rows(lt.group_by("started_from").aggregate(k=_.count()))
    slowest = sorted(by_service, key=lambda g: (-g["med"], str(g["service_name"])))[:3]
    return Measurement(
        value=as_float(total["value"]) if n else None,
        n=n,
        breakdown={
            "median_hours_by_service": {
                str(g["service_name"]): round(float(g["med"]), 2)
                for g in sorted(by_service, key=lambda g: str(g["service_name"]))
            },
            "started_from": {str(g["started_from"]): int(g["k"]) for g in basis},
            "changes_without_start": no_start,
        },
        evidence=[
            Contributor(
                "service",
                str(g["service_name"]),
                f"{g['service_name']}: median {g['med']:.0f} h from commit to production "
                f"over {plural(g['k'], 'change')}",
                round(float(g["med"]), 2),
            )
            for g in slowest
        ],
        records=lt.select(
            "id",
            "service",
            "kind",
            "first_commit_at",
            "created_at",
            "deployed_at",
            "hours",
            "title",
        ),
    )


# -- flow of requests ----------------------------------------------------------------------
@metric(
    "request_lead_time",
    area="delivery",
    name="Request lead time (85th percentile)",
    unit="d",
    direction="lower",
    log_scale=True,
    needs=("work_item.done_at",),
    data_hint="tickets, requests and stories with created and done dates",
)
def request_lead_time(ctx: Context) -> Measurement:
    """85th percentile of days from created to done, for work items done in the period.

    Every kind counts except epics (containers) and incidents (measured by mttr).
    """
    w = records_of(ctx, "work_item")
    w = w.filter(
        in_period(ctx, w.done_at),
        w.done_at >= w.created_at,
        w.kind.isnull() | ~w.kind.isin(NOT_DEMAND),
    )
    w = w.mutate(
        days=hours_between(w.created_at, w.done_at) / 24.0, team_name=label(w.team, NO_TEAM)
    )
    total = rows(w.aggregate(value=w.days.quantile(0.85), n=w.count()))[0]
    n = int(total["n"])
    by_team = rows(w.group_by("team_name").aggregate(p85=_.days.quantile(0.85), k=_.count()))
    by_kind = rows(
        w.mutate(kind_name=w.kind.fill_null("(no kind)"))
        .group_by("kind_name")
        .aggregate(p85=_.days.quantile(0.85), k=_.count())
    )
    slowest = sorted(by_team, key=lambda g: (-g["p85"], str(g["team_name"])))[:3]
    return Measurement(
        value=as_float(total["value"]) if n else None,
        n=n,
        breakdown={
            "p85_days_by_team": {
                str(g["team_name"]): {"value": round(float(g["p85"]), 1), "n": int(g["k"])}
                for g in sorted(by_team, key=lambda g: str(g["team_name"]))
            },
            "p85_days_by_kind": {
                str(g["kind_name"]): {"value": round(float(g["p85"]), 1), "n": int(g["k"])}
                for g in sorted(by_kind, key=lambda g: str(g["kind_name"]))
            },
        },
        evidence=[
            Contributor(
                "team",
                str(g["team_name"]),
                f"{g['team_name']}: 85 % of {plural(g['k'], 'item')} "
                f"done within {g['p85']:.0f} days",
                round(float(g["p85"]), 1),
            )
            for g in slowest
        ],
        records=w.select(
            "id", "kind", "team", "requester_unit", "created_at", "done_at", "days", "title"
        ),
    )


@metric(
    "aged_demand",
    area="delivery",
    name="Aged demand",
    unit="%",
    direction="lower",
    needs=("work_item",),
    data_hint="requests (work items of kind request) with created and done dates",
)
def aged_demand(ctx: Context) -> Measurement:
    """Share of requests open at the period's end that were older than aged_demand_days then.

    A request done at or after the period's end was still open at the end.
    """
    days = int(ctx.param("aged_demand_days"))
    w = records_of(ctx, "work_item")
    w = w.filter(
        w.kind == "request",
        w.created_at < ctx.end,
        w.done_at.isnull() | (w.done_at >= ctx.end),
    )
    cutoff = ctx.end - timedelta(days=days)
    w = w.mutate(
        aged=w.created_at < cutoff,
        age_days=hours_between(w.created_at, ibis.literal(ctx.end)) / 24.0,
        unit=label(w.requester_unit, NO_UNIT),
    )
    total = rows(w.aggregate(n=w.count(), aged=w.aged.sum()))[0]
    n = int(total["n"])
    aged = int(total["aged"] or 0)
    by_unit = rows(w.group_by("unit").aggregate(open=_.count(), aged=_.aged.sum()))
    counts = {str(g["unit"]): int(g["aged"] or 0) for g in by_unit}
    return Measurement(
        value=aged * 100 / n if n else None,
        n=n,
        breakdown={
            "aged": aged,
            "open": n,
            "older_than_days": days,
            "by_requester_unit": {
                str(g["unit"]): {"open": int(g["open"]), "aged": int(g["aged"] or 0)}
                for g in sorted(by_unit, key=lambda g: str(g["unit"]))
            },
        },
        evidence=top_contributors(
            counts, aged, "business_unit", f"requests open for more than {days} days"
        ),
        records=w.select(
            "id", "requester_unit", "team", "created_at", "done_at", "age_days", "aged", "title"
        ),
    )


# -- forecasts -----------------------------------------------------------------------------
@metric(
    "forecast_calibration",
    area="delivery",
    name="Forecast calibration",
    unit="pp off",
    direction="lower",
    # The forecast ledger does not exist yet; absence is handled in the computation, because
    # has_data() looks tables up by name and would fail on a missing one.
    needs=(),
    data_hint="a forecast ledger: each 85 % forecast with its date and whether it came true",
)
def forecast_calibration(ctx: Context) -> Measurement:
    """Distance in percentage points between the share of 85 % forecasts that came true and 85.

    Forecasts count when they were resolved in the period. See docs/metrics/delivery.md for the
    columns the forecast table is expected to have.
    """
    try:
        f = ctx.t("forecast")
    except TableNotFound:
        return Measurement(None, 0, note="no forecasts recorded yet")
    if {"source", "source_id", "imported_at"} <= set(f.columns):
        f = latest(f)
    level = float(ctx.param("forecast_level"))
    stated = ibis.ifelse(f.level <= 1, f.level * 100, f.level)
    cols = set(f.columns)
    # An explicit outcome wins; else the forecast came true if the work landed by its date.
    came_true: ir.BooleanValue = ibis.literal(None, "boolean")
    if {"actual_date", "predicted_date"} <= cols:
        came_true = f.actual_date.notnull() & (f.actual_date <= f.predicted_date)
    if "outcome" in cols:
        came_true = f.outcome.cast("boolean").fill_null(came_true)
    f = f.mutate(stated_level=stated, came_true=came_true.fill_null(False))
    r = f.filter(date_in_period(ctx, f.resolved_on), f.stated_level == level)
    total = rows(r.aggregate(n=r.count(), hits=r.came_true.sum()))[0]
    n = int(total["n"])
    hits = int(total["hits"] or 0)
    share = hits * 100 / n if n else None
    return Measurement(
        value=abs(share - level) if share is not None else None,
        n=n,
        breakdown={"came_true": hits, "resolved": n, "share_true": share, "level": level},
        records=r,
    )

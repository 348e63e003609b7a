"""Delivery: does IT do what it said, when it said, and how fast does work flow?

Every figure is read as of the period's end: anything dated at or after it had not happened
yet. docs/metrics/delivery.md records each definition and the choices FRAMEWORK.md leaves open.

Each metric computes all the periods of a `Batch` in one grouped query (see model.py); the
per-period expressions (`Context`) remain for the drill-down records only.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import TableNotFound

from trustmeter.metrics.commitments import METHOD, due_in, predictability, score_commitments
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
    succeeded,
    top_contributors,
)
from trustmeter.metrics.model import Batch, Row, first_per_period, grouped, split, stack
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.shapes import (
    Counts,
    DurationPercentile,
    Rate,
    Share,
    by_count,
    by_value,
    declare,
    worst,
)
from trustmeter.periods import Period


def _first(rows: list[Row]) -> Row | None:
    return rows[0] if rows else None


# -- say/do --------------------------------------------------------------------------------
def _due_commitments(ctx: Context) -> ir.Table:
    c = records_of(ctx, "commitment")
    # A commitment made after the period's end did not exist yet at the end.
    return c.filter(
        date_in_period(ctx, c.due_on), c.committed_on.isnull() | (c.committed_on < ctx.end_date)
    )


def _scored_commitments(ctx: Context) -> ir.Table:
    horizon = int(ctx.param("commitment_horizon_days"))
    c = score_commitments(_due_commitments(ctx), ibis.literal(ctx.end_date), horizon)
    return c.filter(c.scoreable)


@metric(
    "commitment_reliability",
    area="delivery",
    name="Commitment reliability (say/do)",
    unit="%",
    direction="higher",
    needs=("commitment",),
    data_hint="commitments: sprints with committed and delivered scope, milestones, releases or due dates with their delivery dates",
)
def commitment_reliability(b: Batch) -> Results:
    """Mean say/do over commitments due in the period: sprint scope delivered ÷ committed (at most 1), other commitments 1 if delivered by their due date.

    Sprints without a committed scope are left out. A delivery on or after the period's end had
    not happened at the end, so it counts as missed.
    """
    c = due_in(b)
    c = score_commitments(c, c.p_end_date, int(b.param("commitment_horizon_days")))
    c = c.mutate(project_key=ibis.ifelse(filled(c.project), c.project, ibis.null("string")))

    def aggs(t: ir.Table) -> dict[str, ir.Value]:
        scored = t.scoreable
        # The on-time rate: of the dated promises, the share delivered by their due date.
        dated = t.scoreable & (t.kind != "sprint")
        sprint = t.scoreable & (t.kind == "sprint")
        return {
            "n": t.count(where=scored),
            "value": t.score.mean(where=scored),
            "left_out": t.count(where=~t.scoreable),
            "dated_n": t.count(where=dated),
            "dated_value": t.on_time.mean(where=dated),
            "committed": t.scope_committed.sum(where=sprint),
            "added": t.scope_added.sum(where=sprint),
            "with_added": t.scope_added.count(where=sprint),
        }

    per = b.by_period(
        grouped(
            c,
            {
                "all": [],
                "kind": ["kind"],
                "team": ["team_name"],
                # Which delivery method each team's figure comes from (scrum sprints,
                # waterfall milestones, plain due dates...): a team may use several.
                "team_kind": ["team_name", "kind"],
                "project": ["project_key"],
            },
            aggs,
        )
    )

    def worst(groups: list[Row], key: str, kind: str) -> list[Evidence]:
        ranked = sorted(
            (g for g in groups if g["value"] < 1), key=lambda g: (g["value"], -g["n"], g[key])
        )
        return [
            Evidence(
                kind,
                str(g[key]),
                f"{g[key]}: kept {pct(g['value'] * 100)} of what it committed "
                f"({plural(g['n'], 'commitment')} due)",
                round(g["value"] * 100, 1),
            )
            for g in ranked[:3]
        ]

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        # Groups of scored commitments only (a group may hold left-out sprints alone).
        by_kind, by_team, team_kinds, by_project = (
            [g for g in parts[grain] if g["n"]]
            for grain in ("kind", "team", "team_kind", "project")
        )
        by_project = [{**g, "project": g["project_key"]} for g in by_project if g["project_key"]]
        total = _first(parts["all"]) or {}
        n = int(total.get("n") or 0)
        value = as_float(total.get("value"))
        dated_n = int(total.get("dated_n") or 0)
        few = int(b.param("min_sample_events"))

        def records() -> ir.Table:
            return _scored_commitments(b.context(period)).select(
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
            )

        return Measurement(
            value=value * 100 if value is not None and n else None,
            n=n,
            breakdown={
                "by_kind": {
                    str(g["kind"]): {
                        "method": METHOD.get(str(g["kind"]), str(g["kind"])),
                        **predictability(g["value"], int(g["n"]), few),
                    }
                    for g in sorted(by_kind, key=lambda g: str(g["kind"]))
                },
                "by_team": {
                    str(g["team_name"]): {
                        **predictability(g["value"], int(g["n"]), few),
                        "methods": {
                            str(k["kind"]): {
                                "method": METHOD.get(str(k["kind"]), str(k["kind"])),
                                **predictability(k["value"], int(k["n"]), few),
                            }
                            for k in sorted(team_kinds, key=lambda k: str(k["kind"]))
                            if k["team_name"] == g["team_name"]
                        },
                    }
                    for g in sorted(by_team, key=lambda g: str(g["team_name"]))
                },
                "sprints_without_committed_scope": int(total.get("left_out") or 0),
                # The on-time rate: of the dated promises (milestones, releases, due dates,
                # objectives), the share delivered by their due date.
                "on_time_rate": {
                    "value": round(total["dated_value"] * 100, 1) if dated_n else None,
                    "n": dated_n,
                },
                # Scope added after a sprint started is tracked apart: it never counts as
                # committed.
                "sprint_scope_added": {
                    "added": as_float(total.get("added")) or 0.0,
                    "committed": as_float(total.get("committed")) or 0.0,
                    "sprints_reporting_added": int(total.get("with_added") or 0),
                },
            },
            evidence=worst(by_team, "team_name", "team") + worst(by_project, "project", "project"),
            records=records,
        )

    return b.each(build)


def _slips(c: ir.Table, end: ir.DateValue) -> ir.Table:
    """Dated commitments (no sprints) with a plan, each with its slip as known at `end`."""
    c = c.filter(c.kind != "sprint", c.committed_on.notnull(), c.due_on > c.committed_on)
    open_at_end = c.delivered_on.isnull() | (c.delivered_on >= end)
    finish = ibis.ifelse(open_at_end, end, c.delivered_on)
    late_days = ibis.greatest(finish.delta(c.due_on, unit="day"), 0)
    plan_days = c.due_on.delta(c.committed_on, unit="day").nullif(0)
    return c.mutate(
        open_at_end=open_at_end,
        late_days=late_days,
        plan_days=plan_days,
        slip=(late_days * 100.0 / plan_days).cast("float64"),
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
def schedule_slip(b: Batch) -> Results:
    """Median lateness as a share of the planned duration, over dated commitments due in the period.

    Lateness is max(0, delivered − due) ÷ (due − committed). A commitment not delivered by the
    period's end is measured to the end, a lower bound on its slip. Sprints are timeboxes and
    are left out: their shortfall is scope, which commitment_reliability counts.
    """
    c = due_in(b)
    s = _slips(c, c.p_end_date)
    summary = grouped(
        s,
        {"all": [], "kind": ["kind"]},
        lambda t: {
            "value": t.slip.median(),
            "n": t.count(),
            "late": (t.late_days > 0).sum(),
            "still_open": t.open_at_end.sum(),
        },
    )
    # The three worst late commitments of each period, in the same round trip.
    late = s.filter(s.late_days > 0)
    order = [late.slip.desc(), late.late_days.desc(), late.id.asc()]
    worst = first_per_period(late, 3, order).select(
        "pid",
        "nth",
        "id",
        "title",
        "project",
        "team",
        "late_days",
        "plan_days",
        "slip",
        "open_at_end",
        grain=ibis.literal("worst"),
    )
    per = b.by_period(stack(summary, worst))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        total = _first(parts["all"]) or {}
        n = int(total.get("n") or 0)
        evidence = []
        for w in sorted(parts["worst"], key=lambda r: int(r["nth"])):
            name = w["title"] or w["id"]
            owner = w["project"] or w["team"]
            who = f"{name} ({owner})" if owner else str(name)
            late = (
                f"still open {w['late_days']} days after its due date"
                if w["open_at_end"]
                else f"delivered {w['late_days']} days late"
            )
            evidence.append(
                Evidence(
                    "commitment",
                    str(name),
                    f"{who}: {late}, {pct(w['slip'])} of its {w['plan_days']}-day plan",
                    round(float(w["slip"]), 1),
                )
            )

        def records() -> ir.Table:
            ctx = b.context(period)
            return _slips(_due_commitments(ctx), ibis.literal(ctx.end_date)).select(
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
            )

        return Measurement(
            value=as_float(total.get("value")) if n else None,
            n=n,
            breakdown={
                "late": int(total.get("late") or 0),
                "open_at_end": int(total.get("still_open") or 0),
                "median_by_kind": {
                    str(g["kind"]): {"value": round(float(g["value"]), 1), "n": int(g["n"])}
                    for g in sorted(parts["kind"], key=lambda g: str(g["kind"]))
                },
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


# -- flow of changes -----------------------------------------------------------------------
def _is_deployment(ch: ir.Table) -> ir.BooleanValue:
    return ch.kind.isnull() | (ch.kind == "deployment")


def _deployments(ctx: Context) -> ir.Table:
    ch = production_changes(ctx)
    ch = ch.filter(in_period(ctx, ch.deployed_at))
    return ch.filter(_is_deployment(ch), succeeded(ch))


def _changes_in(b: Batch) -> ir.Table:
    """Production changes deployed in each period, with their service's name."""
    ch = b.within(production_changes(b), "deployed_at")
    return ch.mutate(service_name=label(ch.service, NO_SERVICE))


# Days per week with at least one successful production deployment (UTC days). A deployment
# is a production change of kind `deployment` (or no kind) whose outcome is success (or not
# recorded). n is the number of such deployments.
deployment_frequency = declare(
    Rate(
        id="deployment_frequency",
        area="delivery",
        name="Deployment frequency",
        unit="days/week",
        direction="higher",
        description="Days per week with at least one successful production deployment (UTC days).",
        log_scale=True,
        needs=("change",),
        data_hint="production deployments from the CI/CD pipeline or the change calendar",
        records=_changes_in,
        counted=lambda t: _is_deployment(t) & succeeded(t),
        distinct=lambda t: t.deployed_at.date(),
        per_days=7,
        grain="service_name",
        counts={"other": lambda t: ~_is_deployment(t)},
        breakdown=lambda r: {
            "days_with_deployment": r.distinct,
            "weeks": round(r.spans, 2),
            "deployment_days_by_service": {g.name: g.distinct for g in r.groups},
            "other_production_changes_not_counted": r.counts["other"],
        },
        evidence=lambda r: top_contributors(
            {g.name: g.n for g in r.groups}, r.n, "service", "successful production deployments"
        ),
        drill=lambda ctx: _deployments(ctx).select(
            "id", "service", "kind", "environment", "outcome", "deployed_at", "title"
        ),
    )
)


def _lead_times(ch: ir.Table) -> ir.Table:
    """Successful production changes with their start (first commit, else creation), whether
    it can be measured (`valid`: a start no later than the deployment) and the hours."""
    started = ibis.coalesce(ch.first_commit_at, ch.created_at)
    lt = ch.mutate(
        started_at=started,
        started_from=ibis.ifelse(ch.first_commit_at.notnull(), "first_commit", "created"),
        service_name=label(ch.service, NO_SERVICE),
    )
    return lt.mutate(
        valid=lt.started_at.notnull() & (lt.started_at <= lt.deployed_at),
        hours=hours_between(lt.started_at, lt.deployed_at),
    )


def _successful_changes_in(b: Batch) -> ir.Table:
    """Successful production changes deployed in each period, with their lead time's start."""
    ch = b.within(production_changes(b), "deployed_at")
    return _lead_times(ch.filter(succeeded(ch)))


def _lead_time_records(ctx: Context) -> ir.Table:
    ch = production_changes(ctx)
    lt = _lead_times(ch.filter(in_period(ctx, ch.deployed_at), succeeded(ch)))
    return lt.filter(lt.valid).select(
        "id", "service", "kind", "first_commit_at", "created_at", "deployed_at", "hours", "title"
    )


# Median hours from first commit (else creation) to deployment, for production changes
# deployed in the period. Failed and rolled-back changes delivered nothing and are left out,
# as are changes with neither start time or one after the deployment.
lead_time_for_changes = declare(
    DurationPercentile(
        id="lead_time_for_changes",
        area="delivery",
        name="Lead time for changes (median)",
        unit="h",
        direction="lower",
        description="Median hours from first commit (else creation) to deployment, for "
        "production changes deployed in the period.",
        log_scale=True,
        needs=("change",),
        data_hint="production changes with their first commit (or creation) time and "
        "deployment time",
        records=_successful_changes_in,
        start="started_at",
        end="deployed_at",
        per=(3600.0,),
        grains={"service": "service_name", "basis": "started_from"},
        counts={"no_start": lambda t: t.started_at.isnull()},
        breakdown=lambda d: {
            "median_hours_by_service": by_value(d.groups["service"], 2),
            "started_from": {s.name: s.n for s in d.groups["basis"]},
            "changes_without_start": d.counts["no_start"],
        },
        evidence=lambda d: [
            Evidence(
                "service",
                s.name,
                f"{s.name}: median {s.value:.0f} h from commit to production "
                f"over {plural(s.n, 'change')}",
                round(s.value, 2),
            )
            for s in worst(d.groups["service"], lambda s: s.value)
        ],
        drill=_lead_time_records,
    )
)


# -- flow of requests ----------------------------------------------------------------------
def _requests_done(w: ir.Table) -> ir.Table:
    """Demand done (not before it was created), with its days from created to done."""
    w = w.filter(w.done_at >= w.created_at, w.kind.isnull() | ~w.kind.isin(NOT_DEMAND))
    return w.mutate(
        days=hours_between(w.created_at, w.done_at) / 24.0,
        team_name=label(w.team, NO_TEAM),
        kind_name=w.kind.fill_null("(no kind)"),
    )


def _request_records(ctx: Context) -> ir.Table:
    w = records_of(ctx, "work_item")
    return _requests_done(w.filter(in_period(ctx, w.done_at))).select(
        "id", "kind", "team", "requester_unit", "created_at", "done_at", "days", "title"
    )


# 85th percentile of days from created to done, for work items done in the period. Every kind
# counts except epics (containers) and incidents (measured by mttr).
request_lead_time = declare(
    DurationPercentile(
        id="request_lead_time",
        area="delivery",
        name="Request lead time (85th percentile)",
        unit="d",
        direction="lower",
        description="85th percentile of days from created to done, for work items done in the "
        "period.",
        log_scale=True,
        needs=("work_item.done_at",),
        data_hint="tickets, requests and stories with created and done dates",
        records=lambda b: _requests_done(b.within(records_of(b, "work_item"), "done_at")),
        start="created_at",
        end="done_at",
        per=(3600.0, 24.0),  # hours, then days: as `days` in the drill-down
        quantile=0.85,
        grains={"team": "team_name", "kind": "kind_name"},
        breakdown=lambda d: {
            "p85_days_by_team": by_value(d.groups["team"], 1, with_n=True),
            "p85_days_by_kind": by_value(d.groups["kind"], 1, with_n=True),
        },
        evidence=lambda d: [
            Evidence(
                "team",
                s.name,
                f"{s.name}: 85 % of {plural(s.n, 'item')} done within {s.value:.0f} days",
                round(s.value, 1),
            )
            for s in worst(d.groups["team"], lambda s: s.value)
        ],
        drill=_request_records,
    )
)


def _open_requests(w: ir.Table, end: ir.TimestampValue, days: int) -> ir.Table:
    """Requests open at `end` (created before it, not done before it), aged when created more
    than `days` days before it."""
    w = w.filter(w.kind == "request", w.created_at < end, w.done_at.isnull() | (w.done_at >= end))
    return w.mutate(
        aged=w.created_at < end - ibis.interval(days=days),
        age_days=hours_between(w.created_at, end) / 24.0,
        unit=label(w.requester_unit, NO_UNIT),
    )


def _open_at_ends(b: Batch) -> ir.Table:
    """Requests open at each period's end, each flagged `aged` by aged_demand_days."""
    w = records_of(b, "work_item")
    # Only a request open at some period's end can count: created before the last end, not
    # done before the first end. Years of closed requests never meet the periods.
    first_end = min(p.end_ts for p in b.periods)
    w = w.filter(
        w.kind == "request",
        w.created_at < ibis.literal(b.last_end),
        w.done_at.isnull() | (w.done_at >= ibis.literal(first_end)),
    )
    w = b.before_end(w, "created_at")
    return _open_requests(w, w.p_end, int(b.param("aged_demand_days")))


def _aged_records(ctx: Context) -> ir.Table:
    days = int(ctx.param("aged_demand_days"))
    return _open_requests(records_of(ctx, "work_item"), ibis.literal(ctx.end), days).select(
        "id", "requester_unit", "team", "created_at", "done_at", "age_days", "aged", "title"
    )


def _aged_days(c: Counts) -> int:
    return int(c.params["aged_demand_days"])


# Share of requests open at the period's end that were older than aged_demand_days then. A
# request done at or after the period's end was still open at the end.
aged_demand = declare(
    Share(
        id="aged_demand",
        area="delivery",
        name="Aged demand",
        unit="%",
        direction="lower",
        description="Share of requests open at the period's end that were older than "
        "aged_demand_days then.",
        needs=("work_item",),
        data_hint="requests (work items of kind request) with created and done dates",
        records=_open_at_ends,
        hit=lambda t: t.aged,
        grain="unit",
        breakdown=lambda c: {
            "aged": c.k,
            "open": c.n,
            "older_than_days": _aged_days(c),
            "by_requester_unit": by_count(c, "open", "aged"),
        },
        evidence=lambda c: top_contributors(
            {g.name: g.k for g in c.groups},
            c.k,
            "business_unit",
            f"requests open for more than {_aged_days(c)} days",
        ),
        drill=_aged_records,
    )
)


# -- forecasts -----------------------------------------------------------------------------
def _forecast_ledger(ctx: Context | Batch) -> ir.Table | None:
    """The forecast ledger with each forecast's stated level (in %) and whether it came true;
    None when there is no ledger. Its optional columns decide how "came true" is read."""
    try:
        f = ctx.t("forecast")
    except TableNotFound:
        return None
    if {"source", "source_id", "imported_at"} <= set(f.columns):
        f = latest(f)
    stated = ibis.ifelse(f.level <= 1, f.level * 100, f.level)
    cols = set(f.columns)
    # An explicit outcome wins; else the forecast came true if the work landed by its date.
    came_true: ir.BooleanValue = ibis.literal(None, "boolean")
    if {"actual_date", "predicted_date"} <= cols:
        came_true = f.actual_date.notnull() & (f.actual_date <= f.predicted_date)
    if "outcome" in cols:
        came_true = f.outcome.cast("boolean").fill_null(came_true)
    return f.mutate(stated_level=stated, came_true=came_true.fill_null(False))


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
def forecast_calibration(b: Batch) -> Results:
    """Distance in percentage points between the share of 85 % forecasts that came true and 85.

    Forecasts count when they were resolved in the period. See docs/metrics/delivery.md for the
    columns the forecast table is expected to have.
    """
    f = _forecast_ledger(b)
    if f is None:
        return b.each(lambda pid, period: Measurement(None, 0, note="no forecasts recorded yet"))
    level = float(b.param("forecast_level"))
    r = b.within(f, "resolved_on", is_date=True)
    r = r.filter(r.stated_level == level)
    per = b.by_period(r.group_by("pid").aggregate(n=r.count(), hits=r.came_true.sum()))

    def build(pid: int, period: Period) -> Measurement:
        total = _first(per[pid]) or {}
        n = int(total.get("n") or 0)
        hits = int(total.get("hits") or 0)
        share = hits * 100 / n if n else None

        def records() -> ir.Table:
            ctx = b.context(period)
            led = _forecast_ledger(ctx)
            assert led is not None  # the batch found it
            return led.filter(date_in_period(ctx, led.resolved_on), led.stated_level == level)

        return Measurement(
            value=abs(share - level) if share is not None else None,
            n=n,
            breakdown={"came_true": hits, "resolved": n, "share_true": share, "level": level},
            records=records,
        )

    return b.each(build)

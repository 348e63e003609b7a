"""Production Stability: is the lights-on work under control?

Every figure is read as of the period's end (docs/metrics/stability.md): a record opened,
resolved, acknowledged or deployed at or after the end had not happened yet. The decisions
that FRAMEWORK.md leaves open are written down in that page, one heading per metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from trustmeter.metrics.common import (
    NO_SERVICE,
    NO_TEAM,
    SEVERITY_RANK,
    as_float,
    in_period,
    known_at,
    known_by_end,
    name_of,
    production_changes,
    records_of,
    seconds_between,
    severity_at_or_above,
    succeeded,
)
from trustmeter.metrics.done_work import done_work
from trustmeter.metrics.model import Batch, fetch, once
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.shapes import (
    DurationPercentile,
    Durations,
    Share,
    by_count,
    by_value,
    declare,
    worst,
)
from trustmeter.periods import Period

# FRAMEWORK.md fixes repeat_incidents to P1–P3; it has no parameter of its own.
REPEAT_SEVERITY = "P3"
FAILED_OUTCOMES = ("failed", "rolled_back")


# -- shared views (availability.py reads them too) ---------------------------------------
def incidents(ctx: Context) -> ibis.Table:
    """Incidents as known at the period's end, without planned maintenance.

    Times at or after the end become null (not yet happened); the impact window defaults to
    opened → resolved, and an impact that had not ended by the period's end is left null.
    """
    i = records_of(ctx, "incident")
    i = i.filter(i.opened_at < ctx.end, ~i.is_maintenance.fill_null(False))
    return i.mutate(
        acknowledged_at=known_by_end(ctx, i.acknowledged_at),
        resolved_at=known_by_end(ctx, i.resolved_at),
        impact_start=ibis.coalesce(i.impact_start, i.opened_at),
        impact_end=known_by_end(ctx, ibis.coalesce(i.impact_end, i.resolved_at)),
    )


def _major_label(level: str) -> str:
    """'P1/P2' for the default, 'P1–P3' for a wider setting."""
    rank = SEVERITY_RANK[level]
    return {1: "P1", 2: "P1/P2"}.get(rank, f"P1–P{rank}")


@dataclass(frozen=True)
class Service:
    """One entry of the service catalogue."""

    id: str
    name: str | None
    tier: float | None
    slo_availability: float | None


def service_catalogue(ctx: Context | Batch) -> list[Service]:
    """The service catalogue, one entry per id: id, name, tier and availability SLO (read once
    per Scorer: it does not change by period)."""

    def read() -> list[Service]:
        s = records_of(ctx, "service")
        rows = fetch(s.select("id", "name", "tier", "slo_availability"))
        return [
            Service(str(r["id"]), r["name"], as_float(r["tier"]), as_float(r["slo_availability"]))
            for r in rows
        ]

    return once(ctx, "service_catalogue", read)


def incidents_in(b: Batch, at: str) -> ibis.Table:
    """Incidents (maintenance left out) whose `at` falls in a period, each with its period's
    columns, read as known at that period's end (`incidents` for a set of periods)."""
    i = records_of(b, "incident")
    i = b.within(i.filter(~i.is_maintenance.fill_null(False)), at)
    return i.mutate(
        acknowledged_at=known_at(i, i.acknowledged_at),
        resolved_at=known_at(i, i.resolved_at),
        impact_start=ibis.coalesce(i.impact_start, i.opened_at),
        impact_end=known_at(i, ibis.coalesce(i.impact_end, i.resolved_at)),
    )


def service_names(services: list[Service]) -> dict[str, str]:
    """Service id → its name, or the id where the catalogue gives no name."""
    return {s.id: s.name if isinstance(s.name, str) and s.name else s.id for s in services}


# -- major_incidents ------------------------------------------------------------------------
@metric(
    "major_incidents",
    area="stability",
    name="Major incidents per month",
    unit="count",
    direction="lower",
    needs=("incident.severity",),
    data_hint="incidents with severities (P1–P5)",
)
def major_incidents(b: Batch) -> Results:
    """P1 and P2 incidents opened in the period, per month.

    n is every incident opened in the period, the sample the rate was observed on, so that a
    quarter with no major incident scores as the excellent quarter it is.
    """
    level = b.param("major_severity")
    label = _major_label(level)
    opened = incidents_in(b, "opened_at")
    major = severity_at_or_above(opened.severity, level)
    per = b.by_period(
        opened.group_by("pid", "service", "resolver").aggregate(
            opened=opened.count(), k=major.ifelse(1, 0).sum()
        )
    )
    names = service_names(service_catalogue(b))

    def build(pid: int, period: Period) -> Measurement:
        n = sum(int(r["opened"]) for r in per[pid])
        per_service: dict[str, int] = {}
        top_resolver: dict[str, int] = {}
        for r in per[pid]:
            if not r["k"]:
                continue
            sid = name_of(r["service"], NO_SERVICE)
            per_service[sid] = per_service.get(sid, 0) + int(r["k"])
            if isinstance(r["resolver"], str):
                top_resolver[sid] = max(top_resolver.get(sid, 0), int(r["k"]))
        k = sum(per_service.values())
        evidence = []
        for sid, c in sorted(per_service.items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
            name = names.get(sid, sid)
            detail = f"{name}: {c} of {k} {label} incidents"
            one = top_resolver.get(sid, 0)
            if c >= 2 and one * 2 >= c:
                detail += f"; {one} of those {c} resolved by one person"
            evidence.append(Evidence("service", name, detail, float(c)))
        months = period.days / (365.25 / 12)

        def records() -> ibis.Table:
            ctx = b.context(period)
            i = incidents(ctx)
            major = i.filter(in_period(ctx, i.opened_at), severity_at_or_above(i.severity, level))
            return major.select(
                "id", "service", "severity", "opened_at", "resolved_at", "resolver", "title"
            )

        return Measurement(
            value=k / months,
            n=n,
            breakdown={
                "months": months,
                "major": k,
                "opened": n,
                "by_service": {names.get(s, s): c for s, c in sorted(per_service.items())},
            },
            evidence=evidence,
            records=records,
            note=None
            if n
            else "no incident of any severity was opened in the period: a quiet period and "
            "missing records look the same",
        )

    return b.each(build)


# -- mttr and mtta --------------------------------------------------------------------------
def _time_to(at: str, col: str, unit: str, per: int, verb: str, **about: Any) -> DurationPercentile:
    """mttr and mtta: the median of the seconds from opened to `at` ÷ `per` (as `col`), for P1
    and P2 incidents whose `at` lies in the period (and not before they opened); the median
    per service, and evidence ranking services by their total time. `about`: the id, name,
    description, needs and data_hint."""

    def major(b: Batch) -> ibis.Table:
        i = incidents_in(b, at)
        return i.filter(severity_at_or_above(i.severity, b.param("major_severity")))

    def evidence(d: Durations) -> list[Evidence]:
        what = f"{_major_label(d.params['major_severity'])} incidents {verb}"
        return [
            Evidence(
                "service",
                s.name,
                f"{s.name}: {s.n} of {d.n} {what}, median {s.value:.1f} {unit}",
                s.value,
            )
            for s in worst(d.groups["service"], lambda s: s.total)
        ]

    def drill(ctx: Context) -> ibis.Table:
        i = incidents(ctx)
        sel = i.filter(
            severity_at_or_above(i.severity, ctx.param("major_severity")),
            in_period(ctx, i[at]),
            i[at] >= i.opened_at,
        )
        sel = sel.mutate(**{col: seconds_between(sel.opened_at, sel[at]) / per})
        return sel.select("id", "service", "severity", "opened_at", at, col, "title")

    return DurationPercentile(
        **about,
        area="stability",
        unit=unit,
        direction="lower",
        log_scale=True,
        records=major,
        start="opened_at",
        end=at,
        per=(per,),
        grains={"service": "service"},
        names=lambda b: service_names(service_catalogue(b)),
        missing=NO_SERVICE,
        breakdown=lambda d: {f"median_{col}_by_service": by_value(d.groups["service"], 2)},
        evidence=evidence,
        drill=drill,
    )


mttr = declare(
    _time_to(
        "resolved_at",
        "hours",
        "h",
        3600,
        "resolved",
        id="mttr",
        name="Mean time to restore (median)",
        description="Median hours from opened to resolved, for P1 and P2 incidents resolved in "
        "the period.",
        needs=("incident.severity", "incident.resolved_at"),
        data_hint="incidents with opened and resolved times",
    )
)
mtta = declare(
    _time_to(
        "acknowledged_at",
        "minutes",
        "min",
        60,
        "acknowledged",
        id="mtta",
        name="Mean time to acknowledge (median)",
        description="Median minutes from opened to acknowledged, for P1 and P2 incidents "
        "acknowledged in the period.",
        needs=("incident.severity", "incident.acknowledged_at"),
        data_hint="incidents with opened and acknowledged times (PagerDuty, Opsgenie, ServiceNow)",
    )
)


# -- change_failure_rate --------------------------------------------------------------------
def _production_changes(ctx: Context) -> ibis.Table:
    c = production_changes(ctx)
    return c.filter(c.deployed_at < ctx.end)


def _failed_changes(ctx: Context) -> ibis.Table:
    """Production changes deployed in the period, each flagged failed or not, with the reason
    and the incident (lowest id) that ties it to a failure."""
    prod = _production_changes(ctx)
    i = incidents(ctx)
    explicit = (
        i.filter(i.caused_by_change.notnull())
        .group_by(chg=i.caused_by_change)
        .aggregate(explicit_incident=i.id.min())
    )
    window = ibis.interval(seconds=int(float(ctx.param("attribution_window_hours")) * 3600))
    # Only incidents opened in the period can be pinned on a change deployed in it (one opened
    # later is not known by the period's end), and only changes up to one window before the
    # period can outrank such a change as "the latest before the incident". Bounding both
    # sides gives the same pairs as the whole history, without joining six years of it.
    ok = prod.filter(succeeded(prod), prod.deployed_at >= ibis.literal(ctx.start) - window)
    ok = ok.select(ok_id="id", ok_service="service", ok_at="deployed_at")
    loose = i.filter(
        i.caused_by_change.isnull(), i.service.notnull(), i.opened_at >= ctx.start
    ).select(inc_id="id", inc_service="service", inc_at="opened_at")
    pairs = loose.join(
        ok,
        [
            loose.inc_service == ok.ok_service,
            ok.ok_at <= loose.inc_at,
            ok.ok_at >= loose.inc_at - window,
        ],
    )
    # rank, not row_number: changes deployed at the same instant are equally "the latest".
    latest = ibis.window(group_by=pairs.inc_id, order_by=pairs.ok_at.desc())
    pairs = pairs.mutate(nth=ibis.rank().over(latest))
    pairs = pairs.filter(pairs.nth == 0)
    windowed = pairs.group_by(chg2="ok_id").aggregate(window_incident=pairs.inc_id.min())

    period = prod.filter(in_period(ctx, prod.deployed_at))
    j = period.left_join(explicit, period.id == explicit.chg).left_join(
        windowed, period.id == windowed.chg2
    )
    out = j.select(
        "id",
        "service",
        "deployed_at",
        "environment",
        "kind",
        "outcome",
        "title",
        caused_incident=ibis.coalesce(j.explicit_incident, j.window_incident),
        attributed_by=ibis.cases(
            (j.explicit_incident.notnull(), "caused_by_change"),
            (j.window_incident.notnull(), "window"),
            else_=ibis.null("string"),
        ),
    )
    outcome = out.outcome.strip().lower()
    reason = ibis.cases(
        (outcome.isin(FAILED_OUTCOMES), outcome),
        (out.caused_incident.notnull(), "caused_incident"),
        else_=ibis.null("string"),
    )
    out = out.mutate(reason=reason)
    return out.mutate(failed=out.reason.notnull())


def _failure_ties(b: Batch) -> tuple[ibis.Table, ibis.Table]:
    """What ties a change to an incident, for every period of the batch at once.

    `named`: per change named by an incident's caused_by_change, when the first such incident
    (maintenance left out) opened. `blamed`: per successful change, when the first incident
    whose latest successful change on its service in the attribution window it is opened
    (incidents without caused_by_change, opened in one of the periods).

    Neither depends on the period: the latest change before an incident is the same whatever
    period reads it; a period only asks whether that incident had opened by its end. A change
    deployed in a period cannot be the latest for an incident opened before that period, so
    "blamed before the period's end" means "blamed by an incident opened in the period".
    """
    prod = production_changes(b)
    i = records_of(b, "incident")
    i = i.filter(~i.is_maintenance.fill_null(False), i.opened_at < ibis.literal(b.last_end))
    named = (
        i.filter(i.caused_by_change.notnull())
        .group_by(chg="caused_by_change")
        .aggregate(named_at=i.opened_at.min())
    )
    window = ibis.interval(seconds=int(float(b.param("attribution_window_hours")) * 3600))
    # As `_failed_changes`: only changes from one window before the earliest period can be
    # the latest before an incident opened in a period.
    ok = prod.filter(
        succeeded(prod),
        prod.deployed_at >= ibis.literal(b.first_start) - window,
        prod.deployed_at < ibis.literal(b.last_end),
    )
    loose = i.filter(
        i.caused_by_change.isnull(),
        i.service.notnull(),
        i.opened_at >= ibis.literal(b.first_start),
    )
    # The latest successful change at or before each incident on its service, found in one
    # ordered pass (a window over changes and incidents together, a change sorting before an
    # incident at the same instant) instead of pairing every incident with every change of
    # its service in the window: on 2 million incidents that pairing was most of the
    # metric's time. The window runs on every engine (an ASOF join would not on PostgreSQL).
    events = ok.select(
        service="service", at="deployed_at", is_incident=ibis.literal(0, "int8")
    ).union(loose.select(service="service", at="opened_at", is_incident=ibis.literal(1, "int8")))
    before = ibis.window(
        group_by=events.service, order_by=[events.at, events.is_incident], rows=(None, 0)
    )
    events = events.mutate(
        last_ok=ibis.ifelse(events.is_incident == 0, events.at, ibis.null("timestamp"))
        .max()
        .over(before)
    )
    hit = events.filter(
        events.is_incident == 1, events.last_ok.notnull(), events.last_ok >= events.at - window
    ).select(inc_service="service", inc_at="at", last_ok="last_ok")
    # Changes deployed at the same instant are equally "the latest": all of them are tied.
    oks = ok.select(ok_id="id", ok_service="service", ok_at="deployed_at")
    pairs = hit.join(oks, [hit.inc_service == oks.ok_service, hit.last_ok == oks.ok_at])
    blamed = pairs.group_by(chg2="ok_id").aggregate(blamed_at=pairs.inc_at.min())
    return named, blamed


@metric(
    "change_failure_rate",
    area="stability",
    name="Change failure rate",
    unit="%",
    direction="lower",
    needs=("change",),
    data_hint="production changes or deployments with outcomes, and incidents naming their service or the change that caused them",
)
def change_failure_rate(b: Batch) -> Results:
    """Share of production changes deployed in the period that failed, were rolled back, or
    caused an incident (named by caused_by_change, else the latest successful change on the
    incident's service in the attribution window before it opened)."""
    prod = production_changes(b)
    named, blamed = _failure_ties(b)
    tied = prod.left_join(named, prod.id == named.chg).left_join(blamed, prod.id == blamed.chg2)
    j = b.within(tied, "deployed_at")
    # Tied to an incident opened by the period's end (one opened later was not known).
    caused = (j.named_at < j.p_end).fill_null(False) | (j.blamed_at < j.p_end).fill_null(False)
    outcome = j.outcome.strip().lower()
    ch = j.select(
        "pid",
        "service",
        "outcome",
        reason=ibis.cases(
            (outcome.isin(FAILED_OUTCOMES), outcome),
            (caused, "caused_incident"),
            else_=ibis.null("string"),
        ),
    )
    per = b.by_period(
        ch.group_by("pid", "service", "reason").aggregate(
            k=ch.count(), with_outcome=ch.outcome.count()
        )
    )
    names = service_names(service_catalogue(b))

    def build(pid: int, period: Period) -> Measurement:
        reasons: dict[str, int] = {}
        total: dict[str, int] = {}
        failed: dict[str, int] = {}
        for r in per[pid]:
            sid = name_of(r["service"], NO_SERVICE)
            total[sid] = total.get(sid, 0) + int(r["k"])
            if isinstance(r["reason"], str):
                reasons[r["reason"]] = reasons.get(r["reason"], 0) + int(r["k"])
                failed[sid] = failed.get(sid, 0) + int(r["k"])
        n = sum(total.values())
        k = sum(failed.values())
        with_outcome = sum(int(r["with_outcome"]) for r in per[pid])
        evidence = [
            Evidence(
                "service",
                names.get(sid, sid),
                f"{names.get(sid, sid)}: {c} of {total[sid]} production changes failed",
                float(c),
            )
            for sid, c in sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        ]

        def records() -> ibis.Table:
            return _failed_changes(b.context(period))

        return Measurement(
            value=100.0 * k / n if n else None,
            n=n,
            breakdown={
                "failed": k,
                "by_reason": dict(sorted(reasons.items())),
                "by_service": {
                    names.get(s, s): {"changes": t, "failed": failed.get(s, 0)}
                    for s, t in sorted(total.items())
                },
            },
            evidence=evidence,
            records=records,
            note="no change in the period records an outcome: failures are known only from "
            "incidents"
            if n and not with_outcome
            else None,
        )

    return b.each(build)


# -- repeat_incidents -----------------------------------------------------------------------
def _repeats(ctx: Context) -> ibis.Table:
    """P1–P3 incidents opened in the period, flagged when an incident with the same service
    and problem opened in the look-back window before it."""
    i = incidents(ctx)
    key = i.problem.strip().lower()
    i = i.mutate(problem_key=ibis.ifelse(key == "", ibis.null("string"), key))
    pop = i.filter(in_period(ctx, i.opened_at), severity_at_or_above(i.severity, REPEAT_SEVERITY))
    back = ibis.interval(seconds=int(ctx.param("repeat_window_days")) * 86400)
    # An earlier incident counts only within the look-back of one opened in the period.
    known = i.filter(
        i.service.notnull(), i.problem_key.notnull(), i.opened_at >= ibis.literal(ctx.start) - back
    )
    prior = known.select(p_id="id", p_service="service", p_key="problem_key", p_at="opened_at")
    cand = pop.filter(pop.service.notnull(), pop.problem_key.notnull()).select(
        r_id="id", r_service="service", r_key="problem_key", r_at="opened_at"
    )
    pairs = cand.join(
        prior,
        [
            cand.r_service == prior.p_service,
            cand.r_key == prior.p_key,
            prior.p_at < cand.r_at,
            prior.p_at >= cand.r_at - back,
            cand.r_id != prior.p_id,
        ],
    )
    rep = pairs.group_by(rep_id="r_id").aggregate(previous_at=pairs.p_at.max())
    j = pop.left_join(rep, pop.id == rep.rep_id)
    return j.select(
        "id",
        "service",
        "severity",
        "opened_at",
        "problem",
        "title",
        "previous_at",
        repeat=j.rep_id.notnull(),
    )


def _repeat_candidates(b: Batch) -> ibis.Table:
    """P1–P3 incidents opened in each period, each flagged `repeat` when an incident with the
    same service and problem opened in the look-back window before it."""
    i = records_of(b, "incident")
    i = i.filter(~i.is_maintenance.fill_null(False))
    key = i.problem.strip().lower()
    i = i.mutate(problem_key=ibis.ifelse(key == "", ibis.null("string"), key))
    back = ibis.interval(seconds=int(b.param("repeat_window_days")) * 86400)
    # Whether an incident repeats does not depend on the period that reads it: the earlier
    # incident opened before it, so by the end of any period it is in. Only incidents within
    # the look-back of the earliest period can be an earlier one.
    first, last = ibis.literal(b.first_start), ibis.literal(b.last_end)
    keyed = i.filter(i.service.notnull(), i.problem_key.notnull())
    prior = keyed.filter(keyed.opened_at >= first - back, keyed.opened_at < last).select(
        p_id="id", p_service="service", p_key="problem_key", p_at="opened_at"
    )
    cand = keyed.filter(
        severity_at_or_above(keyed.severity, REPEAT_SEVERITY),
        keyed.opened_at >= first,
        keyed.opened_at < last,
    ).select(r_id="id", r_service="service", r_key="problem_key", r_at="opened_at")
    # The latest strictly earlier time at which the same (service, problem) was opened: a
    # window over the distinct times, instead of pairing every incident with every earlier
    # one of its problem (which grows with the square of a noisy problem's incidents).
    times = prior.select(t_service="p_service", t_key="p_key", t_at="p_at").distinct()
    by_problem = ibis.window(group_by=[times.t_service, times.t_key], order_by=times.t_at)
    times = times.mutate(t_prev=times.t_at.lag().over(by_problem))
    recurring = times.filter(times.t_prev.notnull(), times.t_prev >= times.t_at - back)
    pairs = cand.join(
        recurring,
        [
            cand.r_service == recurring.t_service,
            cand.r_key == recurring.t_key,
            cand.r_at == recurring.t_at,
        ],
    )
    rep = pairs.select(rep_id="r_id").distinct()
    pop = i.filter(severity_at_or_above(i.severity, REPEAT_SEVERITY))
    pop = pop.left_join(rep, pop.id == rep.rep_id)
    j = b.within(pop, "opened_at")
    return j.mutate(repeat=j.rep_id.notnull())


repeat_incidents = declare(
    Share(
        id="repeat_incidents",
        area="stability",
        name="Repeat incidents",
        unit="%",
        direction="lower",
        description="Share of P1–P3 incidents opened in the period whose service had an "
        "incident with the same problem or cause in the 30 days before.",
        needs=("incident.severity", "incident.problem"),
        data_hint="incidents with a problem record or cause category and a service",
        records=_repeat_candidates,
        hit=lambda t: t.repeat,
        grain="service",
        names=lambda b: service_names(service_catalogue(b)),
        missing=NO_SERVICE,
        breakdown=lambda c: {"repeats": c.k, "by_service": by_count(c, "incidents", "repeats")},
        evidence=lambda c: [
            Evidence(
                "service",
                g.name,
                f"{g.name}: {g.k} of {g.n} P1–P3 incidents repeated a recent problem",
                float(g.k),
            )
            for g in worst(c.groups, lambda g: g.k, positive=True)
        ],
        drill=_repeats,
    )
)


# -- unplanned_work -------------------------------------------------------------------------
def _done_work(ctx: Context) -> ibis.Table:
    w = records_of(ctx, "work_item")
    done = w.filter(in_period(ctx, w.done_at))
    unplanned = ibis.ifelse(
        done.planned.isnull(), done.kind.fill_null("") == "incident", ~done.planned
    )
    return done.select(
        "id", "team", "kind", "planned", "done_at", "effort_hours", "title", unplanned=unplanned
    )


@metric(
    "unplanned_work",
    area="stability",
    name="Unplanned work",
    unit="%",
    direction="lower",
    needs=("work_item.done_at",),
    data_hint="work items with done dates and a planned flag or kind (incident, request, story...)",
)
def unplanned_work(b: Batch) -> Results:
    """Share of the work completed in the period that was unplanned, by effort when every item
    records it, else by count."""
    done = done_work(b)

    def build(pid: int, period: Period) -> Measurement:
        # Per team: items, unplanned items, items with effort, effort, unplanned effort.
        teams: dict[str, list[float]] = {}
        for g in done[pid]:
            t = teams.setdefault(name_of(g.team, NO_TEAM), [0, 0, 0, 0.0, 0.0])
            t[0] += g.items
            t[2] += g.with_effort
            t[3] += g.effort
            if g.unplanned:
                t[1] += g.items
                t[4] += g.effort
        rows = sorted(
            (team, int(k), int(ku), int(we), e, eu) for team, (k, ku, we, e, eu) in teams.items()
        )
        n = sum(r[1] for r in rows)
        effort = sum(r[4] for r in rows)
        by_effort = n > 0 and sum(r[3] for r in rows) == n and effort > 0
        basis = "effort" if by_effort else "count"
        # (team, unplanned, total) in the chosen basis
        parts = [
            (t, eu, e) if by_effort else (t, float(ku), float(k)) for t, k, ku, _, e, eu in rows
        ]
        unplanned = sum(p[1] for p in parts)
        total = sum(p[2] for p in parts)
        unit = "h" if by_effort else "items"
        ranked = sorted(
            (p for p in parts if p[1] > 0 and p[2] > 0), key=lambda p: (-p[1] / p[2], -p[2], p[0])
        )[:3]
        evidence = [
            Evidence(
                "team",
                t,
                f"{t}: {100 * u / tot:.0f} % unplanned ({u:g} of {tot:g} {unit} done)",
                100 * u / tot,
            )
            for t, u, tot in ranked
        ]

        def records() -> ibis.Table:
            return _done_work(b.context(period))

        return Measurement(
            value=100.0 * unplanned / total if n and total else None,
            n=n,
            breakdown={
                "basis": basis,
                "unplanned": unplanned,
                "total": total,
                "by_team": {t: round(100 * u / tot, 2) for t, u, tot in sorted(parts) if tot},
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)

"""Production Stability: is the lights-on work under control?

Every figure is read as of the period's end (docs/metrics/stability.md): a record opened,
resolved, acknowledged or deployed at or after the end had not happened yet. The decisions
that FRAMEWORK.md leaves open are written down in that page, one heading per metric.
"""

from __future__ import annotations

import ibis
import pandas as pd

from trustmeter.metrics.common import (
    NO_SERVICE,
    NO_TEAM,
    SEVERITY_RANK,
    as_float,
    as_int,
    in_period,
    known_by_end,
    production_changes,
    records_of,
    seconds_between,
    severity_at_or_above,
    succeeded,
)
from trustmeter.metrics.registry import Context, Contributor, Measurement, metric

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


def service_catalogue(ctx: Context) -> pd.DataFrame:
    """The service catalogue, one row per id: id, name, tier and availability SLO."""
    s = records_of(ctx, "service")
    df: pd.DataFrame = s.select("id", "name", "tier", "slo_availability").execute()
    return df


def service_names(services: pd.DataFrame) -> dict[str, str]:
    """Service id → its name, or the id where the catalogue gives no name."""
    return {
        str(r.id): str(r.name) if isinstance(r.name, str) and r.name else str(r.id)
        for r in services.itertuples()
    }


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
def major_incidents(ctx: Context) -> Measurement:
    """P1 and P2 incidents opened in the period, per month.

    n is every incident opened in the period, the sample the rate was observed on, so that a
    quarter with no major incident scores as the excellent quarter it is.
    """
    level = ctx.param("major_severity")
    label = _major_label(level)
    i = incidents(ctx)
    opened = i.filter(in_period(ctx, i.opened_at))
    major = opened.filter(severity_at_or_above(opened.severity, level))
    n = as_int(opened.count().execute())
    by = major.group_by("service", "resolver").aggregate(k=major.count()).execute()
    k = as_int(by.k.sum()) if len(by) else 0
    months = ctx.period.days / (365.25 / 12)
    names = service_names(service_catalogue(ctx))

    per_service: dict[str, int] = {}
    top_resolver: dict[str, int] = {}
    for r in by.itertuples():
        sid = str(r.service) if isinstance(r.service, str) else NO_SERVICE
        per_service[sid] = per_service.get(sid, 0) + int(r.k)
        if isinstance(r.resolver, str):
            top_resolver[sid] = max(top_resolver.get(sid, 0), int(r.k))
    evidence = []
    for sid, c in sorted(per_service.items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
        name = names.get(sid, sid)
        detail = f"{name}: {c} of {k} {label} incidents"
        one = top_resolver.get(sid, 0)
        if c >= 2 and one * 2 >= c:
            detail += f"; {one} of those {c} resolved by one person"
        evidence.append(Contributor("service", name, detail, float(c)))
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
        records=major.select(
            "id", "service", "severity", "opened_at", "resolved_at", "resolver", "title"
        ),
        note=None
        if n
        else "no incident of any severity was opened in the period: a quiet period and missing "
        "records look the same",
    )


# -- mttr and mtta --------------------------------------------------------------------------
def _median_by_service(
    ctx: Context, sel: ibis.Table, col: str, unit: str, what: str
) -> tuple[float | None, int, dict[str, float], list[Contributor]]:
    """The median of `col` overall and per service; evidence ranks services by total time."""
    agg = sel.aggregate(value=sel[col].median(), n=sel.count()).execute()
    n = as_int(agg.n.iloc[0])
    by = (
        sel.group_by("service")
        .aggregate(k=sel.count(), med=sel[col].median(), total=sel[col].sum())
        .execute()
    )
    names = service_names(service_catalogue(ctx))
    rows = [
        (
            str(r.service) if isinstance(r.service, str) else NO_SERVICE,
            int(r.k),
            float(r.med),
            float(r.total),
        )
        for r in by.itertuples()
    ]
    breakdown = {names.get(s, s): round(med, 2) for s, _, med, _ in sorted(rows)}
    evidence = [
        Contributor(
            "service",
            names.get(s, s),
            f"{names.get(s, s)}: {k} of {n} {what}, median {med:.1f} {unit}",
            med,
        )
        for s, k, med, _ in sorted(rows, key=lambda r: (-r[3], r[0]))[:3]
    ]
    return (as_float(agg.value.iloc[0]) if n else None), n, breakdown, evidence


def _time_to(ctx: Context, at: str, col: str, unit: str, per: int, verb: str) -> Measurement:
    """mttr and mtta: the median of `col`, the seconds from opened to `at` ÷ `per`, for P1 and
    P2 incidents whose `at` lies in the period (and not before they opened)."""
    level = ctx.param("major_severity")
    i = incidents(ctx)
    sel = i.filter(
        severity_at_or_above(i.severity, level),
        in_period(ctx, i[at]),
        i[at] >= i.opened_at,
    )
    sel = sel.mutate(**{col: seconds_between(sel.opened_at, sel[at]) / per})
    value, n, breakdown, evidence = _median_by_service(
        ctx, sel, col, unit, f"{_major_label(level)} incidents {verb}"
    )
    return Measurement(
        value=value,
        n=n,
        breakdown={f"median_{col}_by_service": breakdown},
        evidence=evidence,
        records=sel.select("id", "service", "severity", "opened_at", at, col, "title"),
    )


@metric(
    "mttr",
    area="stability",
    name="Mean time to restore (median)",
    unit="h",
    direction="lower",
    log_scale=True,
    needs=("incident.severity", "incident.resolved_at"),
    data_hint="incidents with opened and resolved times",
)
def mttr(ctx: Context) -> Measurement:
    """Median hours from opened to resolved, for P1 and P2 incidents resolved in the period."""
    return _time_to(ctx, "resolved_at", "hours", "h", 3600, "resolved")


@metric(
    "mtta",
    area="stability",
    name="Mean time to acknowledge (median)",
    unit="min",
    direction="lower",
    log_scale=True,
    needs=("incident.severity", "incident.acknowledged_at"),
    data_hint="incidents with opened and acknowledged times (PagerDuty, Opsgenie, ServiceNow)",
)
def mtta(ctx: Context) -> Measurement:
    """Median minutes from opened to acknowledged, for P1 and P2 incidents acknowledged in the
    period."""
    return _time_to(ctx, "acknowledged_at", "minutes", "min", 60, "acknowledged")


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


@metric(
    "change_failure_rate",
    area="stability",
    name="Change failure rate",
    unit="%",
    direction="lower",
    needs=("change",),
    data_hint="production changes or deployments with outcomes, and incidents naming their service or the change that caused them",
)
def change_failure_rate(ctx: Context) -> Measurement:
    """Share of production changes deployed in the period that failed, were rolled back, or
    caused an incident (named by caused_by_change, else the latest successful change on the
    incident's service in the attribution window before it opened)."""
    ch = _failed_changes(ctx)
    by = (
        ch.group_by("service", "reason")
        .aggregate(k=ch.count(), with_outcome=ch.outcome.count())
        .execute()
    )
    names = service_names(service_catalogue(ctx))
    n = as_int(by.k.sum()) if len(by) else 0
    reasons: dict[str, int] = {}
    total: dict[str, int] = {}
    failed: dict[str, int] = {}
    for r in by.itertuples():
        sid = str(r.service) if isinstance(r.service, str) else NO_SERVICE
        total[sid] = total.get(sid, 0) + int(r.k)
        if isinstance(r.reason, str):
            reasons[r.reason] = reasons.get(r.reason, 0) + int(r.k)
            failed[sid] = failed.get(sid, 0) + int(r.k)
    k = sum(failed.values())
    evidence = [
        Contributor(
            "service",
            names.get(sid, sid),
            f"{names.get(sid, sid)}: {c} of {total[sid]} production changes failed",
            float(c),
        )
        for sid, c in sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    ]
    with_outcome = as_int(by.with_outcome.sum()) if len(by) else 0
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
        records=ch,
        note="no change in the period records an outcome: failures are known only from incidents"
        if n and not with_outcome
        else None,
    )


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


@metric(
    "repeat_incidents",
    area="stability",
    name="Repeat incidents",
    unit="%",
    direction="lower",
    needs=("incident.severity", "incident.problem"),
    data_hint="incidents with a problem record or cause category and a service",
)
def repeat_incidents(ctx: Context) -> Measurement:
    """Share of P1–P3 incidents opened in the period whose service had an incident with the
    same problem or cause in the 30 days before."""
    r = _repeats(ctx)
    by = r.group_by("service").aggregate(k=r.count(), rep=r.repeat.ifelse(1, 0).sum()).execute()
    names = service_names(service_catalogue(ctx))
    n = as_int(by.k.sum()) if len(by) else 0
    k = as_int(by.rep.sum()) if len(by) else 0
    rows = [
        (str(x.service) if isinstance(x.service, str) else NO_SERVICE, as_int(x.k), as_int(x.rep))
        for x in by.itertuples()
    ]
    evidence = [
        Contributor(
            "service",
            names.get(s, s),
            f"{names.get(s, s)}: {rep} of {tot} P1–P3 incidents repeated a recent problem",
            float(rep),
        )
        for s, tot, rep in sorted(rows, key=lambda x: (-x[2], x[0]))[:3]
        if rep > 0
    ]
    return Measurement(
        value=100.0 * k / n if n else None,
        n=n,
        breakdown={
            "repeats": k,
            "by_service": {
                names.get(s, s): {"incidents": t, "repeats": rep} for s, t, rep in sorted(rows)
            },
        },
        evidence=evidence,
        records=r,
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
def unplanned_work(ctx: Context) -> Measurement:
    """Share of the work completed in the period that was unplanned, by effort when every item
    records it, else by count."""
    d = _done_work(ctx)
    by = (
        d.group_by("team")
        .aggregate(
            k=d.count(),
            k_un=d.unplanned.ifelse(1, 0).sum(),
            with_effort=d.effort_hours.count(),
            effort=d.effort_hours.sum(),
            effort_un=d.unplanned.ifelse(d.effort_hours, 0).sum(),
        )
        .execute()
    )
    rows = [
        (
            str(r.team) if isinstance(r.team, str) else NO_TEAM,
            as_int(r.k),
            as_int(r.k_un),
            as_int(r.with_effort),
            as_float(r.effort) or 0.0,
            as_float(r.effort_un) or 0.0,
        )
        for r in by.itertuples()
    ]
    n = sum(r[1] for r in rows)
    effort = sum(r[4] for r in rows)
    by_effort = n > 0 and sum(r[3] for r in rows) == n and effort > 0
    basis = "effort" if by_effort else "count"
    # (team, unplanned, total) in the chosen basis
    parts = [(t, eu, e) if by_effort else (t, float(ku), float(k)) for t, k, ku, _, e, eu in rows]
    unplanned = sum(p[1] for p in parts)
    total = sum(p[2] for p in parts)
    unit = "h" if by_effort else "items"
    ranked = sorted(
        (p for p in parts if p[1] > 0 and p[2] > 0), key=lambda p: (-p[1] / p[2], -p[2], p[0])
    )[:3]
    evidence = [
        Contributor(
            "team",
            t,
            f"{t}: {100 * u / tot:.0f} % unplanned ({u:g} of {tot:g} {unit} done)",
            100 * u / tot,
        )
        for t, u, tot in ranked
    ]
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
        records=d,
    )

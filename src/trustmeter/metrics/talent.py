"""Talent Development: can the people behind the other four areas keep it up?

Headcount comes from the people list: names that only appeared on other records (stubs with
source `auto`) are not staff records and are left out of every denominator. A person is on
the books from `started_on` to `left_on`, both days included (`left_on` is the last day
worked); a missing date means "before the window" or "still here".

The people list is paired with every period in the query, and each period's first and last
day come from the periods relation, so a set of periods costs one query per metric.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from trustmeter import surveys as sv
from trustmeter.metrics.common import (
    NO_TEAM,
    in_period,
    label,
    latest,
    plural,
    records_of,
    severity_at_or_above,
    top_contributors,
)
from trustmeter.metrics.model import Batch, fetch, grouped, split, stack
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.shapes import declare
from trustmeter.metrics.stability import service_catalogue
from trustmeter.metrics.survey_shapes import Nps, SurveyMean
from trustmeter.periods import Period
from trustmeter.records import AUTO_SOURCE

TEAM_SURVEY_HINT = "a team survey export (eNPS, the seven Westrum statements)"
PEOPLE_HINT = "the people list (start and leave dates, leave kind, regretted)"
# Off-hours pages: outside 08:00–18:00 UTC on weekdays, or any time at the weekend.
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18


def people(ctx: Context | Batch) -> ibis.Table:
    """The people list, one row per id; stubs (names seen only on other records) left out."""
    p = ctx.t("person")
    p = latest(p.filter(p.source != AUTO_SOURCE))
    return p.select(p.id, p.team, p.started_on, p.left_on, p.leave_kind, p.regretted, p.on_call)


def days_on_books(
    p: ibis.Table, first: date | ir.DateValue, last: date | ir.DateValue
) -> ibis.IntegerValue:
    """Days from `first` to `last` (both included) that the person was on the books."""
    lo_day = ibis.date(first) if isinstance(first, date) else first
    hi_day = ibis.date(last) if isinstance(last, date) else last
    lo = ibis.greatest(p.started_on.fill_null(lo_day), lo_day)
    hi = ibis.least(p.left_on.fill_null(hi_day), hi_day)
    return ibis.greatest(hi.delta(lo, unit="day") + 1, 0)


def _days_before(day: ir.DateValue, days: int) -> ir.DateValue:
    """The date `days` days before `day` (a date, on every engine)."""
    return (day - ibis.interval(days=days)).cast("date")


def _on_books(b: Batch) -> ir.Table:
    """The people list paired with every period, with its last day (`p_last_date`)."""
    p = b.before_end(people(b))
    return p.mutate(p_last_date=_days_before(p.p_end_date, 1))


# -- regretted_attrition --------------------------------------------------------------------
def _leavers(p: ir.Table, first: Any, last: Any) -> ir.Table:
    """People with their days on the books from `first` to `last`, flagged as leavers."""
    p = p.mutate(days=days_on_books(p, first, last), team=label(p.team, NO_TEAM))
    left = p.left_on.between(first, last) & (p.leave_kind == "voluntary").fill_null(False)
    return p.mutate(
        voluntary=left,
        regretted_leaver=left & p.regretted.fill_null(False),
        unknown_regret=left & p.regretted.isnull(),
    )


@metric(
    "regretted_attrition",
    area="talent",
    name="Regretted attrition",
    unit="%",
    direction="lower",
    needs=("person",),
    data_hint=PEOPLE_HINT,
)
def regretted_attrition(b: Batch) -> Results:
    """Regretted voluntary leavers in the last 12 months ÷ average headcount.

    The window is the `attrition_window_days` days up to the period's end; the average
    headcount is the daily mean over it (person-days on the books ÷ days). n is the number of
    people on the books at any time in the window.
    """
    window = int(b.param("attrition_window_days"))
    p = _on_books(b)
    p = _leavers(p, _days_before(p.p_end_date, window), p.p_last_date)
    per = b.by_period(
        p.group_by("pid", "team").aggregate(
            person_days=p.days.sum(),
            people=p.count(where=p.days > 0),
            voluntary=p.count(where=p.voluntary),
            regretted=p.count(where=p.regretted_leaver),
            unknown=p.count(where=p.unknown_regret),
        )
    )

    def build(pid: int, period: Period) -> Measurement:
        agg = per[pid]
        first, last = period.end - timedelta(days=window), period.end - timedelta(days=1)
        staff = sum(int(r["people"]) for r in agg)
        if not staff:
            return Measurement(
                None, 0, note="no one on the people list was on the books in the window"
            )
        person_days = float(sum(int(r["person_days"]) for r in agg))
        headcount = person_days / window
        regretted = sum(int(r["regretted"]) for r in agg)
        unknown = sum(int(r["unknown"]) for r in agg)
        counts = {str(r["team"]): int(r["regretted"]) for r in agg}

        def records() -> ir.Table:
            q = _leavers(people(b.context(period)), first, last)
            return q.filter(q.voluntary).select(
                "id", "team", "started_on", "left_on", "leave_kind", "regretted"
            )

        return Measurement(
            value=regretted / headcount * 100,
            n=staff,
            breakdown={
                "window": {"from": first.isoformat(), "to": last.isoformat()},
                "average_headcount": headcount,
                "regretted_leavers": regretted,
                "voluntary_leavers": sum(int(r["voluntary"]) for r in agg),
                "leavers_with_unknown_regret": unknown,
                "regretted_by_team": {k: v for k, v in sorted(counts.items()) if v},
            },
            evidence=top_contributors(counts, regretted, "team", "regretted leavers"),
            records=records,
            note=f"{unknown} voluntary leavers have no regretted flag and are not counted"
            if unknown
            else None,
        )

    return b.each(build)


enps = declare(
    Nps(
        id="enps",
        area="talent",
        name="Employee NPS",
        description="% promoters (9–10) − % detractors (0–6) in the latest team survey.",
        data_hint=TEAM_SURVEY_HINT,
        kind=sv.TEAM,
        item=sv.ENPS,
        label="eNPS",
    )
)
# Every answer to any of the seven statements weighs the same.
westrum_culture = declare(
    SurveyMean(
        id="westrum_culture",
        area="talent",
        name="Westrum culture",
        unit="1–7",
        description="Mean agreement (1–7) with the seven Westrum statements in the latest "
        "team survey.",
        data_hint=TEAM_SURVEY_HINT,
        kind=sv.TEAM,
        items=sv.WESTRUM_ITEMS,
        wording="culture {:.1f} of 7",
        by_item="by_statement",
    )
)


# -- key_person_coverage --------------------------------------------------------------------
def _scope(ctx: Context | Batch) -> tuple[ir.Table, dict[str, str], bool]:
    """The services in scope (tier 1, or all when no tiers are given) as a table and as
    id → name, and whether tiers are given."""
    cat = service_catalogue(ctx)
    has_tiers = any(c.tier is not None for c in cat)
    s = records_of(ctx, "service").select("id", "name", "tier")
    scope = s.filter(s.tier == 1) if has_tiers else s
    listed = [c for c in cat if c.tier == 1] if has_tiers else cat
    services = {c.id: str(c.name or c.id) for c in listed}
    return scope, services, has_tiers


def _able_by_skill(ctx: Context | Batch, scope: ir.Table) -> ir.Table:
    """(service, who): people with a skill level high enough on a service in scope."""
    sk = ctx.t("skill")
    sk = sk.filter(sk.level >= int(ctx.param("key_person_min_level")))
    j = sk.join(
        scope,
        (sk.skill_or_service.lower() == scope.id.lower())
        | (sk.skill_or_service.lower() == scope.name.lower()),
    )
    return j.select(service=scope.id, who=sk.person).distinct()


def _resolved(ctx: Context | Batch, services: dict[str, str]) -> tuple[ir.Table, ir.Value]:
    """Incidents on the services with a named resolver, and when each was resolved."""
    i = records_of(ctx, "incident")
    i = i.filter(i.resolver.notnull(), i.service.isin(list(services)))
    return i, i.resolved_at.fill_null(i.opened_at)


@metric(
    "key_person_coverage",
    area="talent",
    name="Key-person coverage",
    unit="%",
    direction="higher",
    sample="services",
    needs=("service",),
    data_hint="skills per person and service, or incidents with their resolver, and the service catalogue with tiers",
)
def key_person_coverage(b: Batch) -> Results:
    """Share of tier-1 services (all, when no tiers are given) with at least two people able to support them.

    Able: a skill level of at least `key_person_min_level` on the service (by id or name), or
    at least `key_person_min_share` of the service's resolved incidents with a named resolver
    in the `key_person_window_days` before the period's end. People who had left, or had not
    started, by the period's end are not able.
    """
    scope, services, has_tiers = _scope(b)
    if not services:
        return b.each(
            lambda pid, period: Measurement(None, 0, note="no tier-1 services in the catalogue")
        )

    # Who had left, or had not started, by each period's end (any row of the person list).
    everyone = b.before_end(b.t("person"))
    gone = (
        everyone.filter(
            (everyone.left_on < everyone.p_end_date) | (everyone.started_on >= everyone.p_end_date)
        )
        .select(gone_id="id", gone_pid="pid")
        .distinct()
    )

    by_skill = b.before_end(_able_by_skill(b, scope)).select("pid", "service", "who")
    by_skill = by_skill.anti_join(
        gone, [by_skill.who == gone.gone_id, by_skill.pid == gone.gone_pid]
    )
    skill_part = by_skill.select(
        "pid",
        "service",
        "who",
        part=ibis.literal("skill"),
        k=ibis.literal(1, "int64"),
        gone=ibis.literal(False),
    )

    window = int(b.param("key_person_window_days"))
    i, resolved = _resolved(b, services)
    i = i.mutate(resolved=resolved)
    # Only incidents resolved in some period's window reach the range join.
    earliest = min(q.end_ts for q in b.periods) - timedelta(days=window)
    i = i.filter(i.resolved >= earliest, i.resolved < b.last_end)
    p = b.table
    inc = i.join(
        p,
        [i.resolved >= p.p_end - ibis.interval(days=window), i.resolved < p.p_end],
    )
    inc = inc.group_by("pid", "service", who=inc.resolver).aggregate(k=inc.count())
    inc = inc.left_join(gone, [inc.who == gone.gone_id, inc.pid == gone.gone_pid])
    inc_part = inc.select(
        "pid",
        "service",
        "who",
        part=ibis.literal("incident"),
        k=inc.k.cast("int64"),
        gone=inc.gone_id.notnull(),
    )

    skills = b.t("skill").aggregate(k=ibis._.count())
    any_skill = skills.cross_join(p.select("pid")).select(
        "pid",
        service=ibis.null("string"),
        who=ibis.null("string"),
        part=ibis.literal("skills"),
        k=skills.k.cast("int64"),
        gone=ibis.literal(False),
    )
    per = b.by_period(skill_part.union(inc_part).union(any_skill))
    share = float(b.param("key_person_min_share"))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid], "part")
        has_skills = any(int(r["k"]) for r in parts["skills"])
        if not has_skills and not parts["incident"]:
            return Measurement(
                None, 0, note="no skills and no incident resolvers to tell who can support what"
            )
        able: dict[str, set[str]] = {sid: set() for sid in services}
        for r in parts["skill"]:
            able[str(r["service"])].add(str(r["who"]))
        resolutions: dict[str, dict[str, int]] = {}
        gone_ids: set[str] = set()
        for r in parts["incident"]:
            resolutions.setdefault(str(r["service"]), {})[str(r["who"])] = int(r["k"])
            if r["gone"]:
                gone_ids.add(str(r["who"]))
        for sid, per_who in resolutions.items():
            total = sum(per_who.values())
            for who, k in per_who.items():
                if k / total >= share and who not in gone_ids:
                    able[sid].add(who)

        covered = [sid for sid in services if len(able[sid]) >= 2]
        single = sorted(sid for sid in services if len(able[sid]) == 1)
        uncovered = sorted(sid for sid in services if not able[sid])
        evidence = []
        for sid in uncovered + single:
            name, res = services[sid], resolutions.get(sid, {})
            total, top = sum(res.values()), max(res.values(), default=0)
            if not able[sid]:
                detail = f"{name}: no one able to support it"
            elif total:
                detail = f"{name}: {top} of {total} incidents resolved by one person"
            else:
                detail = f"{name}: only one person able to support it"
            evidence.append(Evidence("service", name, detail, float(len(able[sid]))))

        def records() -> ir.Table:
            ctx = b.context(period)
            q, at = _resolved(ctx, services)
            q = q.filter(at >= ctx.end - timedelta(days=window), at < ctx.end)
            return q.select("id", "service", "resolver", "opened_at", "resolved_at", "title")

        return Measurement(
            value=len(covered) / len(services) * 100,
            n=len(services),
            breakdown={
                "scope": "tier 1" if has_tiers else "all services",
                "able_people": {sid: sorted(able[sid]) for sid in sorted(services)},
                "single_person": single,
                "no_one": uncovered,
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


# -- training_hours -------------------------------------------------------------------------
def _heads(p: ir.Table, first: Any, last: Any) -> ir.Table:
    """People on the books between `first` and `last`, with their days and team."""
    p = p.mutate(days=days_on_books(p, first, last), team=label(p.team, NO_TEAM))
    return p.filter(p.days > 0)


@metric(
    "training_hours",
    area="talent",
    name="Training hours per person",
    unit="h",
    direction="higher",
    needs=("learning", "person"),
    data_hint="learning records (person, date, hours) and the people list",
)
def training_hours(b: Batch) -> Results:
    """Formal learning hours per person per year: hours in the period ÷ average headcount, annualised.

    Average headcount is the daily mean over the period; only the hours of people on the
    people list count, so that hours and heads describe the same people.
    """
    p = _on_books(b)
    p = _heads(p, p.p_start_date, p.p_last_date)
    lr = b.within(records_of(b, "learning", ("source_id",)), "date", is_date=True)
    listed = lr.join(p, [lr.person == p.id, lr.pid == p.pid]).select(
        pid=lr.pid, team=p.team, hours=lr.hours
    )
    heads = p.group_by("pid", "team").aggregate(days=p.days.sum(), k=p.count())
    hours = listed.group_by(h_pid="pid", h_team="team").aggregate(h=listed.hours.sum())
    by_team = heads.left_join(hours, [heads.pid == hours.h_pid, heads.team == hours.h_team]).select(
        "pid", "team", "days", "k", "h", part=ibis.literal("team")
    )
    everyone = lr.group_by("pid").aggregate(h=lr.hours.sum()).mutate(part=ibis.literal("all"))
    per = b.by_period(stack(by_team, everyone))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid], "part")
        teams = parts["team"]
        if not teams:
            return Measurement(
                None, 0, note="no one on the people list was on the books in the period"
            )
        # No learning record in the period: the per-period code gave NaN here (the sum of
        # nothing); None says the same and serialises.
        all_h = parts["all"][0]["h"] if parts["all"] else None
        all_hours = None if all_h is None else float(all_h)
        days = {str(r["team"]): float(r["days"]) for r in teams}
        per_team = {str(r["team"]): float(r["h"] or 0) for r in teams if r["h"] is not None}
        total = sum(per_team.values())
        person_days = sum(days.values())
        # hours ÷ (person-days ÷ period days) × 365 ÷ period days = hours ÷ person-days × 365
        rate = {t: per_team.get(t, 0.0) / d * 365 for t, d in days.items() if d}
        evidence = [
            Evidence("team", t, f"{t}: {v:.0f} h per person per year", v)
            for t, v in sorted(rate.items(), key=lambda kv: (kv[1], kv[0]))[:3]
        ]

        def records() -> ir.Table:
            ctx = b.context(period)
            q = _heads(people(ctx), ctx.start_date, ctx.last_day)
            ln = records_of(ctx, "learning", ("source_id",))
            ln = ln.filter(ln.date >= ctx.start_date, ln.date < ctx.end_date)
            return ln.join(q, ln.person == q.id).select(
                ln.person, ln.date, ln.hours, ln.activity, q.team
            )

        return Measurement(
            value=total / person_days * 365,
            n=sum(int(r["k"]) for r in teams),
            breakdown={
                "hours": total,
                "average_headcount": person_days / period.days,
                "hours_per_person_per_year_by_team": dict(sorted(rate.items())),
                "hours_of_people_not_on_the_list": None if all_hours is None else all_hours - total,
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


# -- on_call_load ---------------------------------------------------------------------------
def _on_call(ctx: Context | Batch) -> ir.Table:
    p = people(ctx)
    return p.filter(p.on_call.fill_null(False))


def _major_pages(ctx: Context | Batch, i: ir.Table) -> ir.Table:
    """P1/P2 incidents with a resolver, with the day and whether they opened off hours."""
    i = i.filter(
        severity_at_or_above(i.severity, ctx.param("major_severity")), i.resolver.notnull()
    )
    hour = i.opened_at.hour()
    return i.mutate(
        day=i.opened_at.date(),
        off_hours=(hour < WORKDAY_START_HOUR)
        | (hour >= WORKDAY_END_HOUR)
        | (i.opened_at.day_of_week.index() >= 5),
    )


@metric(
    "on_call_load",
    area="talent",
    name="On-call load",
    unit="count",
    direction="lower",
    needs=("person.on_call", "incident"),
    data_hint="the people list with who is on call, and P1/P2 incidents with their resolver",
)
def on_call_load(b: Batch) -> Results:
    """Median P1/P2 pages per on-call person per week, with off-hours pages shown separately.

    A page is a P1/P2 incident opened in the period whose resolver is an on-call person.
    Weeks are 7-day blocks from the period's start; the days left over join the last week.
    Only weeks a person was on the books count. Off hours: before 08:00 or from 18:00 UTC,
    or at the weekend.
    """
    on_call = _on_call(b)
    # Each period's weeks: w = 0 .. weeks-1, as days from the period's start (first, last).
    most = max(max(1, p.days // 7) for p in b.periods)
    weeks = b.table.cross_join(
        ibis.memtable({"w": list(range(most))}, schema={"w": "int64"})
    ).mutate(n_weeks=ibis.greatest(ibis._.p_days // 7, 1))
    weeks = weeks.filter(weeks.w < weeks.n_weeks)
    weeks = weeks.mutate(
        first=weeks.w * 7,
        last=ibis.ifelse(weeks.w == weeks.n_weeks - 1, weeks.p_days - 1, weeks.w * 7 + 6),
    )
    # The person-weeks on the books (a start or leave date inside the week counts it).
    cells = on_call.cross_join(weeks)
    cells = cells.filter(
        cells.started_on.isnull()
        | (cells.started_on.delta(cells.p_start_date, unit="day") <= cells.last),
        cells.left_on.isnull()
        | (cells.left_on.delta(cells.p_start_date, unit="day") >= cells.first),
    ).select("pid", "w", who=cells.id, k=ibis.literal(0, "int64"), off=ibis.literal(0, "int64"))

    i = b.within(_major_pages(b, records_of(b, "incident")), "opened_at")
    ids = on_call.select(oc_id="id")
    i = i.left_join(ids, i.resolver == ids.oc_id)
    i = i.mutate(
        on_call=i.oc_id.notnull(),
        w=ibis.least(
            i.day.delta(i.p_start_date, unit="day") // 7, ibis.greatest(i.p_days // 7, 1) - 1
        ),
    )
    # A page in a week the person was not on the books still counts for that week.
    pages = i.filter(i.on_call).select(
        "pid",
        "w",
        who=i.resolver,
        k=ibis.literal(1, "int64"),
        off=i.off_hours.ifelse(1, 0).cast("int64"),
    )
    week = cells.union(pages)
    week = week.group_by("pid", "who", "w").aggregate(k=week.k.sum(), off=week.off.sum())
    stats = grouped(
        week,
        {"all": [], "person": ["who"]},
        lambda t: {
            "weeks": t.count(),
            "pages": t.k.sum(),
            "off": t.off.sum(),
            "med": t.k.median(),
            "med_off": t.off.median(),
        },
    )
    others = i.group_by("pid").aggregate(others=i.count(where=~i.on_call))
    people_on_call = on_call.aggregate(on_call_people=on_call.count())
    extra = (
        b.table.select("pid").cross_join(people_on_call).left_join(others, ibis._.pid == others.pid)
    )
    extra = extra.select("pid", "on_call_people", "others", grain=ibis.literal("extra"))
    per = b.by_period(stack(stats, extra))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        head = parts["extra"][0] if parts["extra"] else {}
        if not int(head.get("on_call_people") or 0):
            return Measurement(None, 0, note="no one on the people list is marked on call")
        overall = parts["all"][0] if parts["all"] else None
        if overall is None or not int(overall["weeks"]):
            return Measurement(None, 0, note="no on-call person was on the books in the period")
        per_person: dict[str, dict[str, Any]] = {
            str(r["who"]): {
                "pages": int(r["pages"]),
                "off_hours": int(r["off"]),
                "weeks": int(r["weeks"]),
            }
            for r in sorted(parts["person"], key=lambda r: str(r["who"]))
        }
        ranked = sorted(per_person.items(), key=lambda kv: (-kv[1]["pages"], kv[0]))
        evidence = [
            Evidence(
                "person",
                who,
                f"{who}: {plural(d['pages'], 'page')} in {plural(d['weeks'], 'week')}"
                f" ({d['off_hours']} off-hours)",
                float(d["pages"]),
            )
            for who, d in ranked[:3]
            if d["pages"]
        ]

        def records() -> ir.Table:
            ctx = b.context(period)
            ids = [str(r["id"]) for r in fetch(_on_call(ctx).select("id"))]
            q = records_of(ctx, "incident")
            q = _major_pages(ctx, q.filter(in_period(ctx, q.opened_at)))
            q = q.filter(q.resolver.isin(ids))
            return q.select(
                "id", "service", "severity", "opened_at", "resolver", "off_hours", "title"
            )

        return Measurement(
            value=float(overall["med"]),
            n=int(overall["weeks"]),
            breakdown={
                "on_call_people": len(per_person),
                "weeks": max(1, period.days // 7),
                "pages": sum(d["pages"] for d in per_person.values()),
                "off_hours_pages": sum(d["off_hours"] for d in per_person.values()),
                "median_off_hours_pages": float(overall["med_off"]),
                "pages_to_people_not_on_call": int(head.get("others") or 0),
                "by_person": per_person,
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)

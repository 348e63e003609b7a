"""Talent Development: can the people behind the other four areas keep it up?

Headcount comes from the people list: names that only appeared on other records (stubs with
source `auto`) are not staff records and are left out of every denominator. A person is on
the books from `started_on` to `left_on`, both days included (`left_on` is the last day
worked); a missing date means "before the window" or "still here".
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

import ibis

from trustmeter import surveys as sv
from trustmeter.metrics.common import (
    NO_TEAM,
    as_date,
    in_period,
    label,
    latest,
    plural,
    records_of,
    severity_at_or_above,
    top_contributors,
)
from trustmeter.metrics.registry import Context, Contributor, Measurement, metric
from trustmeter.store.writer import AUTO_SOURCE

TEAM_SURVEY_HINT = "a team survey export (eNPS, the seven Westrum statements)"
PEOPLE_HINT = "the people list (start and leave dates, leave kind, regretted)"
# Off-hours pages: outside 08:00–18:00 UTC on weekdays, or any time at the weekend.
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18


def people(ctx: Context) -> ibis.Table:
    """The people list, one row per id; stubs (names seen only on other records) left out."""
    p = ctx.t("person")
    p = latest(p.filter(p.source != AUTO_SOURCE))
    return p.select(p.id, p.team, p.started_on, p.left_on, p.leave_kind, p.regretted, p.on_call)


def days_on_books(p: ibis.Table, first: date, last: date) -> ibis.IntegerValue:
    """Days from `first` to `last` (both included) that the person was on the books."""
    lo = ibis.greatest(p.started_on.fill_null(first), ibis.date(first))
    hi = ibis.least(p.left_on.fill_null(last), ibis.date(last))
    return ibis.greatest(hi.delta(lo, unit="day") + 1, 0)


@metric(
    "regretted_attrition",
    area="talent",
    name="Regretted attrition",
    unit="%",
    direction="lower",
    needs=("person",),
    data_hint=PEOPLE_HINT,
)
def regretted_attrition(ctx: Context) -> Measurement:
    """Regretted voluntary leavers in the last 12 months ÷ average headcount.

    The window is the `attrition_window_days` days up to the period's end; the average
    headcount is the daily mean over it (person-days on the books ÷ days). n is the number of
    people on the books at any time in the window.
    """
    window = int(ctx.param("attrition_window_days"))
    first, last = ctx.end_date - timedelta(days=window), ctx.last_day
    p = people(ctx)
    p = p.mutate(days=days_on_books(p, first, last), team=label(p.team, NO_TEAM))
    left = p.left_on.between(first, last) & (p.leave_kind == "voluntary").fill_null(False)
    p = p.mutate(
        voluntary=left,
        regretted_leaver=left & p.regretted.fill_null(False),
        unknown_regret=left & p.regretted.isnull(),
    )
    agg = (
        p.group_by(p.team)
        .aggregate(
            person_days=p.days.sum(),
            people=p.count(where=p.days > 0),
            voluntary=p.count(where=p.voluntary),
            regretted=p.count(where=p.regretted_leaver),
            unknown=p.count(where=p.unknown_regret),
        )
        .execute()
    )
    if not len(agg) or not int(agg.people.sum()):
        return Measurement(None, 0, note="no one on the people list was on the books in the window")
    person_days = float(agg.person_days.sum())
    headcount = person_days / window
    regretted = int(agg.regretted.sum())
    unknown = int(agg.unknown.sum())
    counts = {str(r.team): int(r.regretted) for r in agg.itertuples()}
    return Measurement(
        value=regretted / headcount * 100,
        n=int(agg.people.sum()),
        breakdown={
            "window": {"from": first.isoformat(), "to": last.isoformat()},
            "average_headcount": headcount,
            "regretted_leavers": regretted,
            "voluntary_leavers": int(agg.voluntary.sum()),
            "leavers_with_unknown_regret": unknown,
            "regretted_by_team": {k: v for k, v in sorted(counts.items()) if v},
        },
        evidence=top_contributors(counts, regretted, "team", "regretted leavers"),
        records=p.filter(p.voluntary).select(
            "id", "team", "started_on", "left_on", "leave_kind", "regretted"
        ),
        note=f"{unknown} voluntary leavers have no regretted flag and are not counted"
        if unknown
        else None,
    )


@sv.survey_metric(
    "enps",
    kind=sv.TEAM,
    area="talent",
    name="Employee NPS",
    unit="−100…100",
    data_hint=TEAM_SURVEY_HINT,
)
def enps(ctx: Context, camp: sv.Campaign) -> Measurement:
    """% promoters (9–10) − % detractors (0–6) in the latest team survey."""
    return sv.nps_measurement(ctx, camp, sv.ENPS, "eNPS")


@sv.survey_metric(
    "westrum_culture",
    kind=sv.TEAM,
    area="talent",
    name="Westrum culture",
    unit="1–7",
    data_hint=TEAM_SURVEY_HINT,
)
def westrum_culture(ctx: Context, camp: sv.Campaign) -> Measurement:
    """Mean agreement (1–7) with the seven Westrum statements in the latest team survey.

    Every answer to any of the seven weighs the same.
    """
    a = camp.numeric(sv.WESTRUM_ITEMS)

    m, _ = sv.measure_by_group(
        ctx,
        camp,
        a,
        sv.mean_parts,
        lambda p: p["sum"] / p["count"] if p["count"] else None,
        lambda v: f"culture {v:.1f} of 7",
        a.select("response_id", "item", "value_num"),
    )
    by_item = a.group_by(a.item).aggregate(mean=a.value_num.mean()).execute()
    m.breakdown["by_statement"] = {str(r.item): float(r.mean) for r in by_item.itertuples()}
    return m


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
def key_person_coverage(ctx: Context) -> Measurement:
    """Share of tier-1 services (all, when no tiers are given) with at least two people able to support them.

    Able: a skill level of at least `key_person_min_level` on the service (by id or name), or
    at least `key_person_min_share` of the service's resolved incidents with a named resolver
    in the `key_person_window_days` before the period's end. People who had left, or had not
    started, by the period's end are not able.
    """
    s = records_of(ctx, "service").select("id", "name", "tier")
    has_tiers = bool(s.tier.notnull().any().execute())
    scope = s.filter(s.tier == 1) if has_tiers else s
    services = {str(r.id): str(r.name or r.id) for r in scope.execute().itertuples()}
    if not services:
        return Measurement(None, 0, note="no tier-1 services in the catalogue")

    everyone = ctx.t("person")
    gone = everyone.filter(
        (everyone.left_on < ctx.end_date) | (everyone.started_on >= ctx.end_date)
    ).select(gone_id=everyone.id)

    sk = ctx.t("skill")
    sk = sk.filter(sk.level >= int(ctx.param("key_person_min_level")))
    j = sk.join(
        scope,
        (sk.skill_or_service.lower() == scope.id.lower())
        | (sk.skill_or_service.lower() == scope.name.lower()),
    )
    by_skill = j.select(service=scope.id, who=sk.person).distinct()
    by_skill = by_skill.anti_join(gone, by_skill.who == gone.gone_id)

    window = int(ctx.param("key_person_window_days"))
    since = ctx.end - timedelta(days=window)
    i = records_of(ctx, "incident")
    resolved = i.resolved_at.fill_null(i.opened_at)
    inc = i.filter(
        i.resolver.notnull(),
        i.service.isin(list(services)),
        resolved >= since,
        resolved < ctx.end,
    )
    rows = inc.group_by([inc.service, inc.resolver]).aggregate(k=inc.count()).execute()
    gone_ids = {str(x) for x in gone.execute().gone_id}
    skill_rows = by_skill.execute()
    has_skills = bool(ctx.t("skill").count().execute())
    if not has_skills and not len(rows):
        return Measurement(
            None, 0, note="no skills and no incident resolvers to tell who can support what"
        )

    able: dict[str, set[str]] = {sid: set() for sid in services}
    for r in skill_rows.itertuples():
        able[str(r.service)].add(str(r.who))
    resolutions: dict[str, dict[str, int]] = {}
    for r in rows.itertuples():
        resolutions.setdefault(str(r.service), {})[str(r.resolver)] = int(r.k)
    share = float(ctx.param("key_person_min_share"))
    for sid, per in resolutions.items():
        total = sum(per.values())
        for who, k in per.items():
            if k / total >= share and who not in gone_ids:
                able[sid].add(who)

    covered = [sid for sid in services if len(able[sid]) >= 2]
    single = sorted(sid for sid in services if len(able[sid]) == 1)
    uncovered = sorted(sid for sid in services if not able[sid])
    evidence = []
    for sid in uncovered + single:
        name, per = services[sid], resolutions.get(sid, {})
        total, top = sum(per.values()), max(per.values(), default=0)
        if not able[sid]:
            detail = f"{name}: no one able to support it"
        elif total:
            detail = f"{name}: {top} of {total} incidents resolved by one person"
        else:
            detail = f"{name}: only one person able to support it"
        evidence.append(Contributor("service", name, detail, float(len(able[sid]))))
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
        records=inc.select("id", "service", "resolver", "opened_at", "resolved_at", "title"),
    )


@metric(
    "training_hours",
    area="talent",
    name="Training hours per person",
    unit="h",
    direction="higher",
    needs=("learning", "person"),
    data_hint="learning records (person, date, hours) and the people list",
)
def training_hours(ctx: Context) -> Measurement:
    """Formal learning hours per person per year: hours in the period ÷ average headcount, annualised.

    Average headcount is the daily mean over the period; only the hours of people on the
    people list count, so that hours and heads describe the same people.
    """
    p = people(ctx)
    p = p.mutate(
        days=days_on_books(p, ctx.start_date, ctx.last_day),
        team=label(p.team, NO_TEAM),
    )
    p = p.filter(p.days > 0)
    lr = records_of(ctx, "learning", ("source_id",))
    lr = lr.filter(lr.date >= ctx.start_date, lr.date < ctx.end_date)
    listed = lr.join(p, lr.person == p.id).select(lr.person, lr.date, lr.hours, lr.activity, p.team)
    heads = p.group_by(p.team).aggregate(days=p.days.sum(), k=p.count()).execute()
    hours = listed.group_by(listed.team).aggregate(h=listed.hours.sum()).execute()
    all_hours = float(lr.hours.sum().execute() or 0)
    if not len(heads):
        return Measurement(None, 0, note="no one on the people list was on the books in the period")
    days = {str(r.team): float(r.days) for r in heads.itertuples()}
    per_team = {str(r.team): float(r.h or 0) for r in hours.itertuples()}
    total = sum(per_team.values())
    person_days = sum(days.values())
    # hours ÷ (person-days ÷ period days) × 365 ÷ period days = hours ÷ person-days × 365
    rate = {t: per_team.get(t, 0.0) / d * 365 for t, d in days.items() if d}
    evidence = [
        Contributor("team", t, f"{t}: {v:.0f} h per person per year", v)
        for t, v in sorted(rate.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    ]
    return Measurement(
        value=total / person_days * 365,
        n=int(heads.k.sum()),
        breakdown={
            "hours": total,
            "average_headcount": person_days / ctx.period.days,
            "hours_per_person_per_year_by_team": dict(sorted(rate.items())),
            "hours_of_people_not_on_the_list": all_hours - total,
        },
        evidence=evidence,
        records=listed,
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
def on_call_load(ctx: Context) -> Measurement:
    """Median P1/P2 pages per on-call person per week, with off-hours pages shown separately.

    A page is a P1/P2 incident opened in the period whose resolver is an on-call person.
    Weeks are 7-day blocks from the period's start; the days left over join the last week.
    Only weeks a person was on the books count. Off hours: before 08:00 or from 18:00 UTC,
    or at the weekend.
    """
    p = people(ctx)
    on_call = p.filter(p.on_call.fill_null(False)).execute()
    if not len(on_call):
        return Measurement(None, 0, note="no one on the people list is marked on call")
    weeks = max(1, ctx.period.days // 7)

    def week_of(day: date) -> int:
        return min((day - ctx.start_date).days // 7, weeks - 1)

    cells: dict[tuple[str, int], list[int]] = {}
    for r in on_call.itertuples():
        start, left = as_date(r.started_on), as_date(r.left_on)
        for w in range(weeks):
            first = ctx.start_date + timedelta(days=7 * w)
            last = ctx.last_day if w == weeks - 1 else first + timedelta(days=6)
            if (start is None or start <= last) and (left is None or left >= first):
                cells[(str(r.id), w)] = [0, 0]

    i = records_of(ctx, "incident")
    i = i.filter(
        severity_at_or_above(i.severity, ctx.param("major_severity")),
        in_period(ctx, i.opened_at),
        i.resolver.notnull(),
    )
    hour = i.opened_at.hour()
    i = i.mutate(
        day=i.opened_at.date(),
        off_hours=(hour < WORKDAY_START_HOUR)
        | (hour >= WORKDAY_END_HOUR)
        | (i.opened_at.day_of_week.index() >= 5),
    )
    ids = [str(x) for x in on_call.id]
    pages = i.filter(i.resolver.isin(ids))
    rows = (
        pages.group_by([pages.resolver, pages.day])
        .aggregate(k=pages.count(), off=pages.count(where=pages.off_hours))
        .execute()
    )
    for r in rows.itertuples():
        day = as_date(r.day)
        assert day is not None  # opened_at is required
        # A page in a week the person was not on the books still counts for that week.
        cell = cells.setdefault((str(r.resolver), week_of(day)), [0, 0])
        cell[0] += int(r.k)
        cell[1] += int(r.off)
    others = int(i.filter(~i.resolver.isin(ids)).count().execute())

    per_person: dict[str, dict[str, Any]] = {}
    for (who, _), (k, off) in cells.items():
        d = per_person.setdefault(who, {"pages": 0, "off_hours": 0, "weeks": 0})
        d["pages"] += k
        d["off_hours"] += off
        d["weeks"] += 1
    total = sum(d["pages"] for d in per_person.values())
    off_total = sum(d["off_hours"] for d in per_person.values())
    ranked = sorted(per_person.items(), key=lambda kv: (-kv[1]["pages"], kv[0]))
    evidence = [
        Contributor(
            "person",
            who,
            f"{who}: {plural(d['pages'], 'page')} in {plural(d['weeks'], 'week')}"
            f" ({d['off_hours']} off-hours)",
            float(d["pages"]),
        )
        for who, d in ranked[:3]
        if d["pages"]
    ]
    if not cells:
        return Measurement(None, 0, note="no on-call person was on the books in the period")
    return Measurement(
        value=float(statistics.median(k for k, _ in cells.values())),
        n=len(cells),
        breakdown={
            "on_call_people": len(per_person),
            "weeks": weeks,
            "pages": total,
            "off_hours_pages": off_total,
            "median_off_hours_pages": float(statistics.median(o for _, o in cells.values())),
            "pages_to_people_not_on_call": others,
            "by_person": dict(sorted(per_person.items())),
        },
        evidence=evidence,
        records=pages.select(
            "id", "service", "severity", "opened_at", "resolver", "off_hours", "title"
        ),
    )

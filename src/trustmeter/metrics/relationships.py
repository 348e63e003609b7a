"""Fostering Key Relationships: does the business trust IT enough to bring it its plans?

The survey metrics read the latest stakeholder campaign closed by the period's end (see
`surveys.pick_campaign`) and count respondent groups (business units) as their sample;
per-group figures obey the anonymity rule in `surveys.anonymise`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import ibis

from trustmeter import surveys as sv
from trustmeter.metrics import surveyed as sm
from trustmeter.metrics.common import (
    NO_UNIT,
    as_datetime,
    in_period,
    label,
    records_of,
)
from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.shapes import Counts, Share, by_count, declare
from trustmeter.metrics.stability import service_catalogue
from trustmeter.metrics.survey_shapes import Nps, SurveyMean
from trustmeter.periods import Period

SURVEY_HINT = "a stakeholder trust survey export (one row per respondent, one column per item)"
REVIEW_KINDS = ("planning", "review", "steering")
PROACTIVE_KINDS = ("planning", "advice")
# A service is a gap when its satisfaction is more than this many points (0–100) below importance.
GAP_POINTS = 10


stakeholder_satisfaction = declare(
    SurveyMean(
        id="stakeholder_satisfaction",
        area="relationships",
        name="Stakeholder satisfaction",
        unit="0–100",
        description="Mean overall satisfaction (1–10) in the latest stakeholder survey, "
        "scaled 0–100.",
        data_hint=SURVEY_HINT,
        kind=sv.STAKEHOLDER,
        items=(sv.OVERALL_SATISFACTION,),
        on_0_100=True,
        wording="satisfaction {:.0f}/100",
    )
)


@sm.survey_metric(
    "trust_components",
    kind=sv.STAKEHOLDER,
    area="relationships",
    name="Trust components",
    unit="0–100",
    data_hint=SURVEY_HINT,
)
def trust_components(ctx: Context, camp: sm.Campaign) -> Measurement:
    """Credibility, reliability, intimacy and reverse-scored self-orientation on 0–100; the mean of the four.

    Each component is the mean of all answers to its two items (1–7, scaled 0–100);
    self-orientation is 100 minus its scaled mean, so higher is better for all four.
    """
    by_component = {
        c: [i.id for i in sv.CATALOGUE if i.component == c] for c in sv.TRUST_COMPONENTS
    }
    a = camp.numeric([i for ids in by_component.values() for i in ids])
    least = sv.least_group(ctx.param("min_group"))

    def parts(t: ibis.Table) -> dict[str, ibis.Value]:
        out: dict[str, ibis.Value] = {}
        for c, ids in by_component.items():
            out[f"{c}_sum"] = t.value_num.sum(where=t.item.isin(ids))
            out[f"{c}_count"] = t.value_num.count(where=t.item.isin(ids))
            # Respondents are in one group each, so these add up across pooled groups.
            out[f"{c}_respondents"] = t.response_id.nunique(where=t.item.isin(ids))
        return out

    def components(p: dict[str, float]) -> dict[str, float]:
        """The components at least `least` respondents answered (fewer would be people)."""
        out = {}
        for c, ids in by_component.items():
            if p[f"{c}_count"] and p[f"{c}_respondents"] >= least:
                scaled = sv.scale_0_100(ids[0], p[f"{c}_sum"] / p[f"{c}_count"])
                out[c] = 100 - scaled if sv.item(ids[0]).reverse else scaled
        return out

    def figure(p: dict[str, float]) -> float | None:
        comp = components(p)
        return sum(comp.values()) / len(comp) if comp else None

    m, total = sm.measure_by_group(ctx, camp, a, parts, figure, lambda v: f"trust {v:.0f}/100")
    if m.value is None:
        return m
    comp = components(total.parts)
    for c in sv.TRUST_COMPONENTS:
        m.breakdown[c] = comp.get(c)
    missing = [c for c in sv.TRUST_COMPONENTS if c not in comp]
    if comp and missing:
        m.note = f"no answers for {', '.join(missing)}: the mean is of the other components"
    if comp:
        weakest = min(comp, key=lambda c: (comp[c], c))
        wording = weakest.replace("_", "-")
        m.evidence.insert(
            0,
            Evidence(
                "component",
                weakest,
                f"weakest component: {wording} {comp[weakest]:.0f}/100",
                comp[weakest],
            ),
        )
    return m


relationship_nps = declare(
    Nps(
        id="relationship_nps",
        area="relationships",
        name="Relationship NPS",
        description='% promoters (9–10) − % detractors (0–6) on "would you recommend working '
        'with IT?".',
        data_hint=SURVEY_HINT,
        kind=sv.STAKEHOLDER,
        item=sv.NPS,
        label="NPS",
    )
)


@sm.survey_metric(
    "partner_perception",
    kind=sv.STAKEHOLDER,
    area="relationships",
    name="Seen as a partner",
    unit="%",
    data_hint=SURVEY_HINT,
)
def partner_perception(ctx: Context, camp: sm.Campaign) -> Measurement:
    """Share of stakeholders who see IT as a trusted advisor or strategic partner."""
    a = camp.choices(sv.LADDER)

    def parts(t: ibis.Table) -> dict[str, ibis.Value]:
        out: dict[str, ibis.Value] = {
            c: t.value_text.count(where=t.value_text == c) for c in sv.LADDER_CHOICES
        }
        out["count"] = t.value_text.count()
        return out

    def figure(p: dict[str, float]) -> float | None:
        if not p["count"]:
            return None
        return sum(p[c] for c in sv.PARTNER_CHOICES) / p["count"] * 100

    m, total = sm.measure_by_group(
        ctx, camp, a, parts, figure, lambda v: f"{v:.0f} % see IT as a partner"
    )
    if m.value is None:
        return m
    m.breakdown["ladder"] = {c: int(total.parts.get(c, 0)) for c in sv.LADDER_CHOICES}
    early = camp.choices(sv.INVOLVE_EARLY)
    counts = camp.aggregate(early, ["value_text"], k=early.count())
    got = {str(r["value_text"]): int(r["k"]) for r in counts}
    # Shown only when enough people answered it (each answers it once).
    if sum(got.values()) >= sv.least_group(ctx.param("min_group")):
        m.breakdown["involve_early"] = {c: got.get(c, 0) for c in sv.INVOLVE_EARLY_CHOICES}
    else:
        m.breakdown["involve_early"] = None
    return m


@sm.survey_metric(
    "importance_gap",
    kind=sv.STAKEHOLDER,
    area="relationships",
    name="Important services with a satisfaction gap",
    unit="count",
    direction="lower",
    sample="services",
    data_hint="importance and satisfaction per service in the stakeholder survey",
)
def importance_gap(ctx: Context, camp: sm.Campaign) -> Measurement:
    """Services in the top third by importance whose satisfaction is more than 10 points below it.

    Both are means of the 1–10 answers scaled 0–100. The top third is the ⌈n/3⌉ most important
    of the n services rated on both, plus any tied with the last of them.
    """
    a = camp.answers()
    imp, sat = sv.IMPORTANCE_PREFIX, sv.SATISFACTION_PREFIX
    a = a.filter(
        (a.item.startswith(imp) | a.item.startswith(sat)),
        a.value_num.between(1, 10),
    )
    a = a.mutate(
        measure=ibis.ifelse(a.item.startswith(imp), "importance", "satisfaction"),
        service=ibis.ifelse(
            a.item.startswith(imp), a.item.substr(len(imp)), a.item.substr(len(sat))
        ),
    )
    agg = camp.aggregate(
        a, ["service", "measure"], mean=a.value_num.mean(), k=a.response_id.nunique()
    )
    means: dict[str, dict[str, float]] = {}
    for r in agg:
        # Importance and satisfaction share the 1–10 scale of every per-service item.
        means.setdefault(str(r["service"]), {})[str(r["measure"])] = sv.scale_0_100(
            sv.IMPORTANCE_PREFIX + str(r["service"]), float(r["mean"])
        )
    # A service rated by fewer than min_group respondents would show people's answers.
    least = sv.least_group(ctx.param("min_group"))
    few = {str(r["service"]) for r in agg if int(r["k"]) < least}
    rated = {s: m for s, m in means.items() if len(m) == 2 and s not in few}
    n = len(rated)

    def records() -> ibis.Table:
        own = camp.own(a)
        kept = own.filter(own.service.isin(sorted(rated)))
        return (
            kept.group_by(["service", "measure", "value_num"])
            .aggregate(answers=kept.count())
            .order_by(["service", "measure", "value_num"])
        )

    if not n:
        return Measurement(None, 0, breakdown=camp.as_dict(), records=records)
    ranked = sorted(rated, key=lambda s: (-rated[s]["importance"], s))
    cut = rated[ranked[math.ceil(n / 3) - 1]]["importance"]
    top = [s for s in ranked if rated[s]["importance"] >= cut]
    gaps = [s for s in top if rated[s]["satisfaction"] < rated[s]["importance"] - GAP_POINTS]
    names = _service_names(ctx, list(rated))
    evidence = []
    for s in sorted(gaps, key=lambda s: (rated[s]["satisfaction"] - rated[s]["importance"], s)):
        i, st = rated[s]["importance"], rated[s]["satisfaction"]
        name = names[s]
        detail = f"{name}: importance {i:.0f}, satisfaction {st:.0f} ({i - st:.0f} points below)"
        evidence.append(Evidence("service", name, detail, i - st))
    return Measurement(
        value=float(len(gaps)),
        n=n,
        breakdown={
            **camp.as_dict(),
            "services": {
                s: {"importance": rated[s]["importance"], "satisfaction": rated[s]["satisfaction"]}
                for s in ranked
            },
            "top_third": top,
            "gaps": sorted(gaps),
        },
        evidence=evidence,
        records=records,
    )


def _service_names(ctx: Context, keys: list[str]) -> dict[str, str]:
    """Catalogue names for per-service items, which may name a service by id or by name (from
    the service catalogue, read once per Scorer)."""
    by_id, by_name = {}, {}
    for s in service_catalogue(ctx):
        if isinstance(s.name, str):
            by_id[s.id] = s.name
            by_name[s.name.lower()] = s.name
    return {k: by_id.get(k) or by_name.get(k.lower()) or k for k in keys}


@metric(
    "review_cadence",
    area="relationships",
    name="Key stakeholders reviewed",
    unit="%",
    direction="higher",
    needs=("stakeholder.key", "engagement"),
    data_hint="the stakeholder list with key stakeholders marked, and engagements (meetings)",
)
def review_cadence(b: Batch) -> Results:
    """Share of key stakeholders with a planning, review or steering meeting in the last 90 days.

    The window is `review_window_days` before the period's end: end − window ≤ date < end.
    """
    window = int(b.param("review_window_days"))
    key = _key_stakeholders(b)
    e = records_of(b, "engagement")
    # Each stakeholder's last review as known at each period's end (a later one had not
    # happened yet), matched to the key stakeholders it names.
    e = b.before_end(e.filter(e.kind.isin(REVIEW_KINDS)), "date")
    last = e.group_by("pid", "stakeholder").aggregate(last=e.date.max())
    matched = key.join(last, _names(key, last)).select(last.pid, sid=key.id, last=last.last)
    best = matched.group_by("pid", "sid").aggregate(last=matched.last.max())
    every = key.cross_join(b.table.select("pid"))
    j = every.left_join(best, (every.pid == best.pid) & (every.id == best.sid))
    per = b.by_period(j.select(every.pid, every.id, every.name, every.business_unit, best.last))

    def build(pid: int, period: Period) -> Measurement:
        rows = per[pid]
        n = len(rows)
        if not n:
            return Measurement(None, 0, note="no key stakeholders are marked (key = true)")
        end = period.end_ts
        since = end - timedelta(days=window)
        days_since: dict[str, int | None] = {}
        by_unit: dict[str, dict[str, Any]] = {}
        for r in rows:
            seen = as_datetime(r["last"])
            days = (end - seen).days if seen is not None else None
            days_since[str(r["id"])] = days
            unit = str(r["business_unit"]) if r["business_unit"] is not None else str(r["name"])
            u = by_unit.setdefault(unit, {"key": 0, "reviewed": 0, "worst": -1, "never": 0})
            u["key"] += 1
            if seen is not None and seen >= since:
                u["reviewed"] += 1
            elif days is None:
                u["never"] += 1
            else:
                u["worst"] = max(u["worst"], days)
        covered = sum(u["reviewed"] for u in by_unit.values())
        evidence = []
        # The longest silences first; a unit never reviewed at all ranks above any count of days.
        late = [(name, u) for name, u in by_unit.items() if u["reviewed"] < u["key"]]
        late.sort(key=lambda x: (-x[1]["never"], -x[1]["worst"], x[0]))
        for name, u in late:
            if u["never"]:
                detail = f"{name}: no planning, review or steering meeting on record"
            else:
                detail = f"{name}: no review in {u['worst']} days"
            if u["key"] > 1:
                detail += f" ({u['key'] - u['reviewed']} of {u['key']} key stakeholders)"
            worst = None if u["never"] else float(u["worst"])
            evidence.append(Evidence("business_unit", name, detail, worst))

        def records() -> ibis.Table:
            ctx = b.context(period)
            key = _key_stakeholders(ctx)
            e = records_of(ctx, "engagement")
            e = e.filter(e.kind.isin(REVIEW_KINDS), e.date < ctx.end, e.date >= since)
            return e.semi_join(key, _names(key, e)).select(
                "id", "date", "stakeholder", "business_unit", "kind", "initiated_by"
            )

        return Measurement(
            value=covered / n * 100,
            n=n,
            breakdown={
                "window_days": window,
                "reviewed": covered,
                "key_stakeholders": n,
                "days_since_review": days_since,
                "by_business_unit": {
                    k: {"key": u["key"], "reviewed": u["reviewed"]}
                    for k, u in sorted(by_unit.items())
                },
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


def _key_stakeholders(ctx: Context | Batch) -> ibis.Table:
    """The stakeholders marked key: id, name and business unit (blank is none)."""
    st = records_of(ctx, "stakeholder")
    return st.filter(st.key.fill_null(False)).select(
        "id", "name", business_unit=st.business_unit.strip().nullif("")
    )


def _names(key: ibis.Table, t: ibis.Table) -> ibis.BooleanValue:
    """An engagement's stakeholder is a key stakeholder's id or, often, their name ("Jane
    Doe" in the meeting export where the list has an id)."""
    return (key.id == t.stakeholder) | (key.name.lower() == t.stakeholder.lower())


def _reactive_units(c: Counts) -> list[Evidence]:
    """Of the three business units with the lowest share of proactive contact (ties: the
    busiest first), those where some contact was reactive."""
    ranked = sorted(c.groups, key=lambda g: (g.k / g.n, -g.n, g.key))
    return [
        Evidence(
            "business_unit", g.name, f"{g.name}: {g.k} of {g.n} contacts proactive", g.k / g.n * 100
        )
        for g in ranked[:3]
        if g.k < g.n
    ]


def _contact_records(ctx: Context) -> ibis.Table:
    e = records_of(ctx, "engagement")
    e = _contacts(e.filter(in_period(ctx, e.date)))
    return e.select(
        "id", "date", "stakeholder", "business_unit", "kind", "initiated_by", "proactive"
    )


proactive_contact = declare(
    Share(
        id="proactive_contact",
        area="relationships",
        name="Proactive contact (the cable-guy ratio)",
        unit="%",
        direction="higher",
        description="Share of engagements in the period that IT initiated or that were about "
        "planning or advice.",
        needs=("engagement",),
        data_hint="engagements (meetings and contacts) with the business, with kind and who "
        "initiated them",
        records=lambda b: _contacts(b.within(records_of(b, "engagement"), "date")),
        hit=lambda t: t.proactive,
        grain="unit",
        grains={"kind": "kind"},
        missing="unknown",  # an engagement of no kind
        breakdown=lambda c: {
            "proactive": c.k,
            "engagements": c.n,
            "by_kind": {g.name: g.n for g in c.by["kind"]},
            "by_business_unit": by_count(c, "engagements", "proactive"),
        },
        evidence=_reactive_units,
        drill=_contact_records,
    )
)


def _contacts(e: ibis.Table) -> ibis.Table:
    """Engagements with `proactive` (IT initiated it, or it was about planning or advice) and
    `unit`, their business unit for grouping."""
    return e.mutate(
        proactive=(e.initiated_by == "it").fill_null(False)
        | e.kind.isin(PROACTIVE_KINDS).fill_null(False),
        unit=label(e.business_unit, NO_UNIT),
    )

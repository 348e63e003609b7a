"""Planning & Optimization: where the money goes, and whether IT plans with the business.

Every figure is read as of the period's end. docs/metrics/planning.md records each definition
and the choices FRAMEWORK.md leaves open.

Each metric computes a set of periods in one query: the aggregates per period (and per
category, line, team or business unit) and, where the evidence names records, the top few
records per period ranked by the database as the per-period code ranked them.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
from ibis import _

from trustmeter.metrics.common import (
    NO_TEAM,
    NO_UNIT,
    NOT_DEMAND,
    date_in_period,
    filled,
    in_period,
    label,
    pct,
    plural,
    records_of,
)
from trustmeter.metrics.done_work import done_work
from trustmeter.metrics.model import Batch, Row, first_per_period, grouped, split, stack
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.shapes import Share, by_count, declare, worst
from trustmeter.periods import Period

CATEGORIES = ("run", "grow", "transform")
BUDGET_KEY = ("period", "category", "line")
UNNAMED_LINE = "(unnamed line)"


# -- shared views ---------------------------------------------------------------------------
def _budget_lines(ctx: Context) -> ir.Table:
    """Budget lines dated in the period that have an actual recorded (drill-down records)."""
    b = records_of(ctx, "budget_line", BUDGET_KEY)
    b = b.filter(date_in_period(ctx, b.period), b.actual.notnull())
    return b.mutate(line_name=label(b.line, UNNAMED_LINE))


def _budget_lines_in(b: Batch) -> ir.Table:
    """Budget lines with an actual recorded, each with the period its date falls in."""
    t = records_of(b, "budget_line", BUDGET_KEY)
    t = b.within(t.filter(t.actual.notnull()), "period", is_date=True)
    return t.mutate(line_name=label(t.line, UNNAMED_LINE))


def _still_open(p: ir.Table, end: ir.DateValue) -> ir.BooleanValue:
    """Not yet ended by `end`; a project done or cancelled without an end date cannot be placed
    in time and is left out."""
    return (p.actual_end.isnull() | (p.actual_end >= end)) & ~(
        p.status.isin(("done", "cancelled")) & p.actual_end.isnull()
    ).fill_null(False)


def active_projects(ctx: Context) -> ir.Table:
    """Projects under way at the period's end: started before it and not yet ended by it.

    A project done or cancelled without an end date cannot be placed in time and is left out.
    """
    p = records_of(ctx, "project")
    end = ibis.literal(ctx.end_date)
    return p.filter(p.started_on.notnull(), p.started_on < end, _still_open(p, end))


def active_projects_in(b: Batch) -> ir.Table:
    """`active_projects` for a set of periods: each project paired with every period at whose
    end it was under way."""
    p = records_of(b, "project")
    p = b.before_end(p.filter(p.started_on.notnull()), "started_on", is_date=True)
    return p.filter(_still_open(p, p.p_end_date))


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _f(v: Any) -> float:
    return float(v or 0)


def _i(v: Any) -> int:
    return int(v or 0)


# -- run_share ------------------------------------------------------------------------------
def _effort_items(ctx: Context) -> ir.Table:
    """Work done in the period with effort and a category, containers and incidents aside."""
    w = records_of(ctx, "work_item")
    w = w.filter(
        in_period(ctx, w.done_at),
        w.effort_hours.notnull(),
        w.category.notnull(),
        w.kind.isnull() | ~w.kind.isin(NOT_DEMAND),
    ).mutate(team_name=label(_.team, NO_TEAM))
    return w.select("id", "kind", "team", "category", "effort_hours", "done_at", "title")


@metric(
    "run_share",
    area="planning",
    name="Run share",
    unit="%",
    direction="lower",
    needs=(),
    data_hint="budget lines with actual spend by run/grow/transform, or work items with effort hours and a category",
)
def run_share(b: Batch) -> Results:
    """Run ÷ (run + grow + transform) of actual spend in the period, else of effort hours on work done in it.

    Spend comes from budget lines dated in the period with an actual recorded. When there is
    none, effort hours of work items done in the period (epics and incidents aside) are used.
    """
    lines = _budget_lines_in(b)
    spend = b.by_period(
        lines.group_by("pid", "category", who=lines.line_name).aggregate(
            total=lines.actual.cast("float64").sum(), k=lines.count()
        )
    )
    # Effort: the work done per team and category, from the query unplanned_work reads too.
    done = done_work(b)

    def build(pid: int, period: Period) -> Measurement:
        # (category, who, total, records) per basis: a category's totals are the sums of its
        # groups, and its largest groups on run (by total, then name) are the evidence.
        groups: dict[str, dict[tuple[str, str], list[float]]] = {"spend": {}, "effort": {}}
        for r in spend[pid]:
            groups["spend"][(str(r["category"]), str(r["who"]))] = [_f(r["total"]), _i(r["k"])]
        for g in done[pid]:
            if g.category is not None and g.demand and g.with_effort:
                acc = groups["effort"].setdefault((g.category, g.team_name), [0.0, 0])
                acc[0] += g.effort
                acc[1] += g.with_effort

        def of(basis: str) -> tuple[dict[str, float], int, list[Row]]:
            by_cat: dict[str, float] = {}
            n = 0
            for (cat, _who), (total, k) in groups[basis].items():
                by_cat[cat] = by_cat.get(cat, 0.0) + total
                n += int(k)
            run: list[Row] = [
                {"who": who, "total": total}
                for (cat, who), (total, _k) in groups[basis].items()
                if cat == "run"
            ]
            top = sorted(run, key=lambda r: (-float(r["total"]), str(r["who"])))[:3]
            return dict(sorted(by_cat.items())), n, top

        by_cat, n, top = of("spend")
        if sum(by_cat.values()) > 0:
            total = sum(by_cat.values())
            evidence = [
                Evidence(
                    "budget_line",
                    str(g["who"]),
                    f"{g['who']}: {_money(g['total'])} of {_money(total)} spent, on run",
                    float(g["total"]),
                )
                for g in top
            ]

            def spend_records() -> ir.Table:
                return _budget_lines(b.context(period)).drop("line_name")

            return _share("spend", by_cat, n, evidence, spend_records)

        by_cat, n, top = of("effort")
        if sum(by_cat.values()) <= 0:
            return Measurement(None, 0, note="no actual spend or categorised effort in the period")
        total = sum(by_cat.values())
        evidence = [
            Evidence(
                "team",
                str(g["who"]),
                f"{g['who']}: {g['total']:.0f} of {total:.0f} hours, on run",
                float(g["total"]),
            )
            for g in top
        ]

        def effort_records() -> ir.Table:
            return _effort_items(b.context(period))

        return _share("effort", by_cat, n, evidence, effort_records)

    return b.each(build)


def _share(
    basis: str,
    by_cat: dict[str, float],
    n: int,
    evidence: list[Evidence],
    records: Any,
) -> Measurement:
    total = sum(by_cat.values())
    return Measurement(
        value=by_cat.get("run", 0.0) * 100 / total,
        n=n,
        breakdown={
            "basis": basis,
            "by_category": {c: by_cat.get(c, 0.0) for c in CATEGORIES},
            "share_by_category": {
                c: round(by_cat.get(c, 0.0) * 100 / total, 1) for c in CATEGORIES
            },
        },
        evidence=evidence,
        records=records,
    )


# -- budget_variance ------------------------------------------------------------------------
@metric(
    "budget_variance",
    area="planning",
    name="Budget variance",
    unit="%",
    direction="lower",
    needs=("budget_line.actual",),
    data_hint="budget lines with planned and actual amounts",
)
def budget_variance(b: Batch) -> Results:
    """Σ |actual − planned| ÷ Σ planned over budget lines dated in the period with an actual recorded.

    Over- and under-spend both count: a budget is a forecast, and both miss it.
    """
    t = _budget_lines_in(b)
    t = t.mutate(off=(t.actual - t.planned).abs())
    sums = grouped(
        t,
        {"all": [], "category": ["category"]},
        lambda t: {
            "off": t.off.sum(),
            "planned": t.planned.sum(),
            "actual": t.actual.sum(),
            "k": t.count(),
        },
    )
    worst = first_per_period(t, 3, [t.off.desc(), t.category, t.line_name])
    worst = worst.select(
        "pid",
        "category",
        "off",
        "planned",
        "actual",
        "line_name",
        "nth",
        grain=ibis.literal("worst"),
    )
    per = b.by_period(stack(sums, worst))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        total: Row = parts["all"][0] if parts["all"] else {"off": None, "planned": None, "k": 0}
        n = _i(total["k"])
        planned = _f(total["planned"])
        evidence = []
        for w in sorted(parts["worst"], key=lambda r: int(r["nth"])):
            if not w["off"]:
                continue
            over = w["actual"] >= w["planned"]
            rel = (
                f" ({'+' if over else '−'}{pct(w['off'] * 100 / w['planned'])})"
                if w["planned"]
                else ""
            )
            evidence.append(
                Evidence(
                    "budget_line",
                    str(w["line_name"]),
                    f"{w['line_name']} ({w['category']}): {_money(w['off'])} "
                    f"{'over' if over else 'under'} its plan of {_money(w['planned'])}{rel}",
                    float(w["off"]),
                )
            )

        def records() -> ir.Table:
            lines = _budget_lines(b.context(period))
            return lines.mutate(off=(lines.actual - lines.planned).abs()).drop("line_name")

        return Measurement(
            value=_f(total["off"]) * 100 / planned if n and planned > 0 else None,
            n=n,
            breakdown={
                "by_category": {
                    str(g["category"]): {
                        "planned": _f(g["planned"]),
                        "actual": _f(g["actual"]),
                        "variance": round(_f(g["off"]) * 100 / g["planned"], 1)
                        if g["planned"]
                        else None,
                        "lines": int(g["k"]),
                    }
                    for g in sorted(parts["category"], key=lambda g: str(g["category"]))
                }
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


# -- objective_traceability -----------------------------------------------------------------
def _traced(p: ir.Table) -> ir.Table:
    p = p.mutate(
        has_objective=filled(p.objective),
        has_sponsor=filled(p.sponsor),
        unit=label(p.business_unit, NO_UNIT),
    )
    return p.mutate(traced=p.has_objective & p.has_sponsor)


@metric(
    "objective_traceability",
    area="planning",
    name="Objective traceability",
    unit="%",
    direction="higher",
    needs=("project",),
    data_hint="the project portfolio with each project's business objective, sponsor and dates",
)
def objective_traceability(b: Batch) -> Results:
    """Share of projects active at the period's end that name both a business objective and a sponsor."""
    p = _traced(active_projects_in(b))
    sums = grouped(
        p,
        {"all": [], "unit": ["unit"]},
        lambda t: {
            "k": t.count(),
            "traced": t.traced.sum(),
            "no_objective": (~t.has_objective).sum(),
            "no_sponsor": (~t.has_sponsor).sum(),
        },
    )
    # The largest untraced projects first: they spend the most without a stated purpose.
    untraced = p.filter(~p.traced)
    missing = first_per_period(
        untraced,
        5,
        [untraced.budget_planned.desc(nulls_first=False), untraced.name, untraced.id],
    ).select(
        "pid", "id", "name", "has_objective", "has_sponsor", "nth", grain=ibis.literal("missing")
    )
    per = b.by_period(stack(sums, missing))

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        total = parts["all"][0] if parts["all"] else {"k": 0}
        n = int(total["k"])
        traced = _i(total.get("traced"))
        evidence = []
        for m in sorted(parts["missing"], key=lambda r: int(r["nth"])):
            lacks = [
                w
                for w, has in (("objective", m["has_objective"]), ("sponsor", m["has_sponsor"]))
                if not has
            ]
            evidence.append(
                Evidence("project", str(m["name"]), f"{m['name']}: no {' and no '.join(lacks)}")
            )

        def records() -> ir.Table:
            return _traced(active_projects(b.context(period))).select(
                "id",
                "name",
                "business_unit",
                "objective",
                "sponsor",
                "status",
                "started_on",
                "actual_end",
                "traced",
            )

        return Measurement(
            value=traced * 100 / n if n else None,
            n=n,
            breakdown={
                "traced": traced,
                "without_objective": _i(total.get("no_objective")),
                "without_sponsor": _i(total.get("no_sponsor")),
                "by_business_unit": {
                    str(g["unit"]): {"active": int(g["k"]), "traced": _i(g["traced"])}
                    for g in sorted(parts["unit"], key=lambda g: str(g["unit"]))
                },
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)


# -- early_involvement ----------------------------------------------------------------------
def _early(p: ir.Table) -> ir.Table:
    return p.mutate(
        early=(p.it_engaged_on.notnull() & (p.it_engaged_on <= p.approved_on)).fill_null(False),
        unit=label(p.business_unit, NO_UNIT),
    )


def _early_records(ctx: Context) -> ir.Table:
    q = records_of(ctx, "project")
    return _early(q.filter(date_in_period(ctx, q.approved_on))).select(
        "id",
        "name",
        "business_unit",
        "sponsor",
        "proposed_on",
        "it_engaged_on",
        "approved_on",
        "early",
    )


# Share of projects approved in the period that IT was engaged in on or before approval. A
# project with no IT engagement date counts as approved without IT.
early_involvement = declare(
    Share(
        id="early_involvement",
        area="planning",
        name="Early involvement",
        unit="%",
        direction="higher",
        description="Share of projects approved in the period that IT was engaged in on or "
        "before approval.",
        needs=("project.approved_on",),
        data_hint="projects with the dates they were approved and IT was first engaged",
        records=lambda b: _early(b.within(records_of(b, "project"), "approved_on", is_date=True)),
        hit=lambda t: t.early,
        grain="unit",
        breakdown=lambda c: {
            "early": c.k,
            "late_or_never": c.misses,
            "by_business_unit": by_count(c, "approved", "early"),
        },
        evidence=lambda c: [
            Evidence(
                "business_unit",
                g.name,
                f"{g.name}: {g.misses} of {plural(g.n, 'project')} approved before IT was involved",
                float(g.misses),
            )
            for g in worst(c.groups, lambda g: g.misses, positive=True)
        ],
        drill=_early_records,
    )
)


# -- portfolio_load -------------------------------------------------------------------------
@metric(
    "portfolio_load",
    area="planning",
    name="Portfolio load",
    unit="count",
    direction="lower",
    needs=("project.team",),
    data_hint="the project portfolio with each project's delivery team and dates",
)
def portfolio_load(b: Batch) -> Results:
    """Projects active at the period's end per delivery team that has any.

    Projects without a team are left out (and counted in the breakdown): they cannot be
    placed on a team, and counting them as a team of their own would distort the mean.
    """
    p = active_projects_in(b)
    p = p.mutate(has_team=filled(p.team), team_name=p.team.strip())
    # Per team, only projects that name one count; the blank "team" groups count none.
    per = b.by_period(
        grouped(
            p,
            {"all": [], "team": ["team_name"]},
            lambda t: {"k": t.count(where=t.has_team), "no_team": t.count(where=~t.has_team)},
        )
    )

    def build(pid: int, period: Period) -> Measurement:
        parts = split(per[pid])
        no_team = _i(parts["all"][0]["no_team"]) if parts["all"] else 0
        by_team = [g for g in parts["team"] if int(g["k"])]
        n = sum(int(g["k"]) for g in by_team)
        teams = len(by_team)
        counts: dict[str, Any] = {
            str(g["team_name"]): int(g["k"])
            for g in sorted(by_team, key=lambda g: str(g["team_name"]))
        }
        busiest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]

        def records() -> ir.Table:
            q = active_projects(b.context(period))
            q = q.filter(filled(q.team)).mutate(team_name=_.team.strip())
            return q.select(
                "id", "name", "team", "business_unit", "status", "started_on", "actual_end"
            )

        return Measurement(
            value=n / teams if teams else None,
            n=n,
            breakdown={"teams": teams, "by_team": counts, "projects_without_team": no_team},
            evidence=[
                Evidence(
                    "team",
                    name,
                    f"{name}: {plural(k, 'active project')} at the end of the period",
                    float(k),
                )
                for name, k in busiest
            ],
            records=records,
        )

    return b.each(build)

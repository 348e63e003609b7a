"""Planning & Optimization: where the money goes, and whether IT plans with the business.

Every figure is read as of the period's end. docs/metrics/planning.md records each definition
and the choices FRAMEWORK.md leaves open.
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
    rows,
)
from trustmeter.metrics.registry import Context, Contributor, Measurement, metric

CATEGORIES = ("run", "grow", "transform")
BUDGET_KEY = ("period", "category", "line")


def _budget_lines(ctx: Context) -> ir.Table:
    """Budget lines dated in the period that have an actual recorded."""
    b = records_of(ctx, "budget_line", BUDGET_KEY)
    b = b.filter(date_in_period(ctx, b.period), b.actual.notnull())
    return b.mutate(line_name=label(b.line, "(unnamed line)"))


def active_projects(ctx: Context) -> ir.Table:
    """Projects under way at the period's end: started before it and not yet ended by it.

    A project done or cancelled without an end date cannot be placed in time and is left out.
    """
    p = records_of(ctx, "project")
    end = ibis.literal(ctx.end_date)
    return p.filter(
        p.started_on.notnull(),
        p.started_on < end,
        p.actual_end.isnull() | (p.actual_end >= end),
        ~(p.status.isin(("done", "cancelled")) & p.actual_end.isnull()).fill_null(False),
    )


def _money(x: float) -> str:
    return f"{x:,.0f}"


@metric(
    "run_share",
    area="planning",
    name="Run share",
    unit="%",
    direction="lower",
    needs=(),
    data_hint="budget lines with actual spend by run/grow/transform, or work items with effort hours and a category",
)
def run_share(ctx: Context) -> Measurement:
    """Run ÷ (run + grow + transform) of actual spend in the period, else of effort hours on work done in it.

    Spend comes from budget lines dated in the period with an actual recorded. When there is
    none, effort hours of work items done in the period (epics and incidents aside) are used.
    """
    b = _budget_lines(ctx)
    spend = _by_category(b, "actual")
    if sum(spend.values()) > 0:
        n = int(b.count().execute())
        top = _top_run(b, "line_name", "actual")
        total = sum(spend.values())
        evidence = [
            Contributor(
                "budget_line",
                str(g["line_name"]),
                f"{g['line_name']}: {_money(g['total'])} of {_money(total)} spent, on run",
                float(g["total"]),
            )
            for g in top
        ]
        return _share("spend", spend, n, evidence, b.drop("line_name"))

    w = records_of(ctx, "work_item")
    w = w.filter(
        in_period(ctx, w.done_at),
        w.effort_hours.notnull(),
        w.category.notnull(),
        w.kind.isnull() | ~w.kind.isin(NOT_DEMAND),
    ).mutate(team_name=label(_.team, NO_TEAM))
    effort = _by_category(w, "effort_hours")
    if sum(effort.values()) <= 0:
        return Measurement(None, 0, note="no actual spend or categorised effort in the period")
    n = int(w.count().execute())
    total = sum(effort.values())
    top = _top_run(w, "team_name", "effort_hours")
    evidence = [
        Contributor(
            "team",
            str(g["team_name"]),
            f"{g['team_name']}: {g['total']:.0f} of {total:.0f} hours, on run",
            float(g["total"]),
        )
        for g in top
    ]
    records = w.select("id", "kind", "team", "category", "effort_hours", "done_at", "title")
    return _share("effort", effort, n, evidence, records)


def _by_category(t: ir.Table, amount: str) -> dict[str, float]:
    """The total of `amount` per category (run, grow, transform)."""
    return {
        str(g["category"]): float(g["total"] or 0)
        for g in rows(t.group_by("category").aggregate(total=_[amount].sum()))
    }


def _top_run(t: ir.Table, by: str, amount: str) -> list[dict[str, Any]]:
    """The three `by` groups with the most `amount` on run, largest first."""
    return rows(
        t.filter(t.category == "run")
        .group_by(by)
        .aggregate(total=_[amount].sum())
        .order_by([ibis.desc("total"), by])
        .limit(3)
    )


def _share(
    basis: str, by_cat: dict[str, float], n: int, evidence: list[Contributor], records: ir.Table
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


@metric(
    "budget_variance",
    area="planning",
    name="Budget variance",
    unit="%",
    direction="lower",
    needs=("budget_line.actual",),
    data_hint="budget lines with planned and actual amounts",
)
def budget_variance(ctx: Context) -> Measurement:
    """Σ |actual − planned| ÷ Σ planned over budget lines dated in the period with an actual recorded.

    Over- and under-spend both count: a budget is a forecast, and both miss it.
    """
    b = _budget_lines(ctx)
    b = b.mutate(off=(b.actual - b.planned).abs())
    total = rows(b.aggregate(off=b.off.sum(), planned=b.planned.sum(), n=b.count()))[0]
    n = int(total["n"])
    planned = float(total["planned"] or 0)
    by_cat = rows(
        b.group_by("category").aggregate(
            off=_.off.sum(), planned=_.planned.sum(), actual=_.actual.sum(), k=_.count()
        )
    )
    worst = rows(
        b.order_by([ibis.desc("off"), "category", "line_name"])
        .limit(3)
        .select("line_name", "category", "planned", "actual", "off")
    )
    evidence = []
    for w in worst:
        if not w["off"]:
            continue
        over = w["actual"] >= w["planned"]
        rel = (
            f" ({'+' if over else '−'}{pct(w['off'] * 100 / w['planned'])})" if w["planned"] else ""
        )
        evidence.append(
            Contributor(
                "budget_line",
                str(w["line_name"]),
                f"{w['line_name']} ({w['category']}): {_money(w['off'])} "
                f"{'over' if over else 'under'} its plan of {_money(w['planned'])}{rel}",
                float(w["off"]),
            )
        )
    return Measurement(
        value=float(total["off"] or 0) * 100 / planned if n and planned > 0 else None,
        n=n,
        breakdown={
            "by_category": {
                str(g["category"]): {
                    "planned": float(g["planned"] or 0),
                    "actual": float(g["actual"] or 0),
                    "variance": round(float(g["off"] or 0) * 100 / g["planned"], 1)
                    if g["planned"]
                    else None,
                    "lines": int(g["k"]),
                }
                for g in sorted(by_cat, key=lambda g: str(g["category"]))
            }
        },
        evidence=evidence,
        records=b.drop("line_name"),
    )


@metric(
    "objective_traceability",
    area="planning",
    name="Objective traceability",
    unit="%",
    direction="higher",
    needs=("project",),
    data_hint="the project portfolio with each project's business objective, sponsor and dates",
)
def objective_traceability(ctx: Context) -> Measurement:
    """Share of projects active at the period's end that name both a business objective and a sponsor."""
    p = active_projects(ctx)
    p = p.mutate(
        has_objective=filled(p.objective),
        has_sponsor=filled(p.sponsor),
        unit=label(p.business_unit, NO_UNIT),
    )
    p = p.mutate(traced=p.has_objective & p.has_sponsor)
    total = rows(
        p.aggregate(
            n=p.count(),
            traced=p.traced.sum(),
            no_objective=(~p.has_objective).sum(),
            no_sponsor=(~p.has_sponsor).sum(),
        )
    )[0]
    n = int(total["n"])
    traced = int(total["traced"] or 0)
    by_unit = rows(p.group_by("unit").aggregate(k=_.count(), traced=_.traced.sum()))
    # The largest untraced projects first: they spend the most without a stated purpose.
    untraced = p.filter(~p.traced)
    missing = rows(
        untraced.order_by([untraced.budget_planned.desc(nulls_first=False), "name", "id"])
        .limit(5)
        .select("id", "name", "has_objective", "has_sponsor")
    )
    evidence = []
    for m in missing:
        lacks = [
            w
            for w, has in (("objective", m["has_objective"]), ("sponsor", m["has_sponsor"]))
            if not has
        ]
        evidence.append(
            Contributor("project", str(m["name"]), f"{m['name']}: no {' and no '.join(lacks)}")
        )
    return Measurement(
        value=traced * 100 / n if n else None,
        n=n,
        breakdown={
            "traced": traced,
            "without_objective": int(total["no_objective"] or 0),
            "without_sponsor": int(total["no_sponsor"] or 0),
            "by_business_unit": {
                str(g["unit"]): {"active": int(g["k"]), "traced": int(g["traced"] or 0)}
                for g in sorted(by_unit, key=lambda g: str(g["unit"]))
            },
        },
        evidence=evidence,
        records=p.select(
            "id",
            "name",
            "business_unit",
            "objective",
            "sponsor",
            "status",
            "started_on",
            "actual_end",
            "traced",
        ),
    )


@metric(
    "early_involvement",
    area="planning",
    name="Early involvement",
    unit="%",
    direction="higher",
    needs=("project.approved_on",),
    data_hint="projects with the dates they were approved and IT was first engaged",
)
def early_involvement(ctx: Context) -> Measurement:
    """Share of projects approved in the period that IT was engaged in on or before approval.

    A project with no IT engagement date counts as approved without IT.
    """
    p = records_of(ctx, "project")
    p = p.filter(date_in_period(ctx, p.approved_on))
    p = p.mutate(
        early=(p.it_engaged_on.notnull() & (p.it_engaged_on <= p.approved_on)).fill_null(False),
        unit=label(p.business_unit, NO_UNIT),
    )
    total = rows(p.aggregate(n=p.count(), early=p.early.sum()))[0]
    n = int(total["n"])
    early = int(total["early"] or 0)
    by_unit = rows(p.group_by("unit").aggregate(k=_.count(), early=_.early.sum()))
    late = sorted(
        (g for g in by_unit if int(g["k"]) > int(g["early"] or 0)),
        key=lambda g: (-(int(g["k"]) - int(g["early"] or 0)), str(g["unit"])),
    )[:3]
    return Measurement(
        value=early * 100 / n if n else None,
        n=n,
        breakdown={
            "early": early,
            "late_or_never": n - early,
            "by_business_unit": {
                str(g["unit"]): {"approved": int(g["k"]), "early": int(g["early"] or 0)}
                for g in sorted(by_unit, key=lambda g: str(g["unit"]))
            },
        },
        evidence=[
            Contributor(
                "business_unit",
                str(g["unit"]),
                f"{g['unit']}: {int(g['k']) - int(g['early'] or 0)} of "
                f"{plural(int(g['k']), 'project')} approved before IT was involved",
                float(int(g["k"]) - int(g["early"] or 0)),
            )
            for g in late
        ],
        records=p.select(
            "id",
            "name",
            "business_unit",
            "sponsor",
            "proposed_on",
            "it_engaged_on",
            "approved_on",
            "early",
        ),
    )


@metric(
    "portfolio_load",
    area="planning",
    name="Portfolio load",
    unit="count",
    direction="lower",
    needs=("project.team",),
    data_hint="the project portfolio with each project's delivery team and dates",
)
def portfolio_load(ctx: Context) -> Measurement:
    """Projects active at the period's end per delivery team that has any.

    Projects without a team are left out (and counted in the breakdown): they cannot be
    placed on a team, and counting them as a team of their own would distort the mean.
    """
    p = active_projects(ctx)
    no_team = int(p.filter(~filled(p.team)).count().execute())
    p = p.filter(filled(p.team)).mutate(team_name=_.team.strip())
    by_team = rows(p.group_by("team_name").aggregate(k=_.count()))
    n = sum(int(g["k"]) for g in by_team)
    teams = len(by_team)
    counts: dict[str, Any] = {
        str(g["team_name"]): int(g["k"]) for g in sorted(by_team, key=lambda g: str(g["team_name"]))
    }
    busiest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return Measurement(
        value=n / teams if teams else None,
        n=n,
        breakdown={"teams": teams, "by_team": counts, "projects_without_team": no_team},
        evidence=[
            Contributor(
                "team",
                name,
                f"{name}: {plural(k, 'active project')} at the end of the period",
                float(k),
            )
            for name, k in busiest
        ],
        records=p.select(
            "id", "name", "team", "business_unit", "status", "started_on", "actual_end"
        ),
    )

"""Survey metrics: reading one campaign's answers from the store as ibis expressions, and the
machinery every survey metric shares (trustmeter.surveys holds the catalogue and the rule).

`survey_metric` registers a metric that reads, for each period, the campaign the anonymity
rule picks (surveys/campaigns.py), computing each distinct campaign once (`by_campaign`, which
the survey shapes of survey_shapes.py use too); `measure_by_group` builds a figure with its
per-group breakdown already anonymised (surveys/anonymity.py).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

import ibis
import ibis.expr.operations as ops

from trustmeter.metrics.common import as_datetime, label, latest
from trustmeter.metrics.model import Row, fetch, once
from trustmeter.metrics.registry import (
    Batch,
    Context,
    Direction,
    Evidence,
    Measurement,
    Metric,
    Results,
    metric,
)
from trustmeter.store.campaigns import campaign_ends
from trustmeter.surveys import (
    NO_GROUP,
    OTHER_GROUPS,
    STAKEHOLDER,
    CampaignKey,
    FoundCampaign,
    GroupFigure,
    SurveyKind,
    anonymise,
    found_campaign,
    item,
    least_group,
    pick_campaign,
    pool,
    utc_now,
)


@dataclass(frozen=True)
class Campaign:
    """One survey campaign as the metrics see it: deduplicated responses and their answers.

    A metric reads the campaigns of every period of a batch at once: `responses` and
    `answers()` cover all the campaigns the batch picked (`campaign` says whose each row is),
    `aggregate` groups by campaign as well and runs once for them all (the other campaigns'
    calls find the rows in `memo`), and `own` narrows an expression to this campaign for what
    is built per campaign (the drill-down records). They share the expressions too (built once,
    in `views`): building them for each campaign was most of what a survey metric cost.
    """

    kind: SurveyKind
    name: str
    # The latest submitted_at: the campaign counts as closed then. None when it has no dates.
    closed_at: datetime | None
    responses: ibis.Table  # campaign, source, response_id, group, stakeholder, submitted_at
    answers_table: ibis.Table
    # The aggregates read for the batch's campaigns: query -> campaign -> rows. Keyed by the
    # node (hashed once, compared by structure): the same aggregate built again finds its rows.
    memo: dict[ops.Node, dict[str, list[Row]]] = field(default_factory=dict, compare=False)
    # The batch's expressions shared by its campaigns: what -> expression.
    views: dict[Hashable, ibis.Table] = field(default_factory=dict, compare=False)

    def answers(self) -> ibis.Table:
        """Every answer of the batch's campaigns, with its respondent's group and campaign."""
        if "answers" not in self.views:
            a, r = self.answers_table, self.responses
            j = a.join(r, (a.source == r.source) & (a.response_id == r.response_id))
            self.views["answers"] = j.select(
                r.campaign, r.source, r.response_id, r.group, a.item, a.value_num, a.value_text
            )
        return self.views["answers"]

    def aggregate(self, t: ibis.Table, by: Sequence[str], **aggs: ibis.Value) -> list[Row]:
        """This campaign's rows of `t` grouped by `by`: one query for all the batch's campaigns."""
        expr = t.group_by([*by, "campaign"]).aggregate(**aggs)
        key = expr.op()
        if key not in self.memo:
            rows: dict[str, list[Row]] = {}
            for r in fetch(expr):
                rows.setdefault(str(r.pop("campaign")), []).append(r)
            self.memo[key] = rows
        return [dict(r) for r in self.memo[key].get(self.name, [])]

    def sibling(self, key: CampaignKey) -> Campaign:
        """Another campaign of the same batch, sharing this one's expressions and rows."""
        return dataclasses.replace(self, name=key[0], closed_at=key[1])

    def own(self, t: ibis.Table) -> ibis.Table:
        """`t` (answers or anything built from them) for this campaign alone."""
        return t.filter(t.campaign == self.name)

    def numeric(self, ids: Sequence[str]) -> ibis.Table:
        """Answers to these items that lie on their scale (anything else was never an answer)."""
        key = ("numeric", *ids)
        if key not in self.views:
            a = self.answers()
            ok = ibis.literal(False)
            for (lo, hi), same in _by_scale(ids).items():
                ok = ok | (a.item.isin(same) & a.value_num.between(lo, hi))
            self.views[key] = a.filter(ok)
        return self.views[key]

    def choices(self, id: str) -> ibis.Table:
        """Answers to a choice item, kept only when they are one of its choices."""
        key = ("choices", id)
        if key not in self.views:
            a = self.answers()
            self.views[key] = a.filter(a.item == id, a.value_text.isin(list(item(id).choices)))
        return self.views[key]

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.name,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


def _by_scale(ids: Sequence[str]) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    for id in ids:
        scale = item(id).scale
        if scale is None:
            raise ValueError(f"{id} is not a numeric item")
        out.setdefault(scale, []).append(id)
    return out


def responses(response_table: ibis.Table, kind: SurveyKind) -> ibis.Table:
    """One row per response of this kind.

    The same response id in the same campaign counts once, even when two sources wrote it
    (an export imported twice under different names): the most recent import wins, as for
    every other record (docs/metrics/delivery.md).
    """
    r = latest(response_table.filter(response_table.kind == kind), ("campaign", "id"))
    return r.select(
        r.campaign,
        r.source,
        response_id=r.source_id,
        group=label(r.group, NO_GROUP),
        stakeholder=r.stakeholder,
        submitted_at=r.submitted_at,
    )


def campaign_closings(response_table: ibis.Table, kind: SurveyKind) -> ibis.Table:
    """One row per campaign of this kind: its name, `closed` (its latest submitted_at) and
    `respondents` (its responses, each counted once)."""
    r = responses(response_table, kind)
    return r.group_by(r.campaign).aggregate(closed=r.submitted_at.max(), respondents=r.count())


def campaign_of(
    response_table: ibis.Table,
    answer_table: ibis.Table,
    kind: SurveyKind,
    key: CampaignKey,
    batch: Sequence[str] = (),
    memo: dict[ops.Node, dict[str, list[Row]]] | None = None,
) -> Campaign:
    """The campaign `key` (name, closed_at) of this kind, as the metrics read it, read with
    the other campaigns named in `batch` (sharing `memo`): see `Campaign`."""
    r = responses(response_table, kind)
    names = sorted({key[0], *batch})
    return Campaign(
        kind=kind,
        name=key[0],
        closed_at=key[1],
        responses=r.filter(r.campaign == names[0] if len(names) == 1 else r.campaign.isin(names)),
        answers_table=answer_table,
        memo={} if memo is None else memo,
    )


def campaigns(ctx: Context | Batch, kind: SurveyKind) -> list[FoundCampaign]:
    """Every campaign of this kind with its closing and respondents: one query, asked once per
    Scorer (one data version) and shared by the metrics of that kind, whatever periods they
    compute."""

    def read() -> list[FoundCampaign]:
        expr = campaign_closings(ctx.t("survey_response"), kind)
        rows = ctx.store.con.to_pyarrow(expr).to_pylist()
        ends = {} if ctx.store.read_only else campaign_ends(ctx.store)
        return [
            found_campaign(
                str(r["campaign"]), as_datetime(r["closed"]), int(r["respondents"]), ends
            )
            for r in rows
        ]

    return once(ctx, f"survey_campaigns:{kind}", read)


# -- survey metrics -----------------------------------------------------------------------


def no_campaign(kind: SurveyKind, least: int) -> Measurement:
    return Measurement(
        None,
        0,
        note=f"no {kind} survey campaign with at least {least} respondents had closed by the "
        "period's end",
    )


def too_few(campaign: Campaign, least: int) -> Measurement:
    """No figure: fewer than `least` respondents answered the metric's items."""
    return Measurement(
        None,
        0,
        breakdown=campaign.as_dict(),
        note=f"fewer than {least} respondents answered these items, so no figure is shown",
    )


def answer_counts(answers: ibis.Table) -> ibis.Table:
    """A survey metric's drill-down: how many answers each item got of each value.

    Never the answer sheets: a response id would tie one person's answers together, and a
    set of answers can single a person out even without a name.
    """
    return (
        answers.group_by(["item", "value_num", "value_text"])
        .aggregate(answers=answers.count())
        .order_by(["item", "value_num", "value_text"])
    )


def survey_metric(
    id: str,
    *,
    kind: SurveyKind,
    area: str,
    name: str,
    unit: str,
    data_hint: str,
    direction: Direction = "higher",
    sample: Literal["events", "groups", "services"] = "groups",
) -> Callable[[Callable[[Context, Campaign], Measurement]], Metric]:
    """Register a metric read from the campaign `pick_campaign` picks for each period: it needs survey answers,
    counts respondent groups as its sample unless told otherwise, and has no figure while no
    campaign of its kind with at least `min_group` respondents has closed. The computation receives that campaign; its docstring is
    the description, as for `metric`.

    Over a set of periods, the campaigns of the kind are looked up once (`campaigns`) and each
    period picks its own; each distinct campaign is computed once, with the context of the
    first period that picked it, and every period that picked it gets that figure (a trend's
    periods mostly share a campaign). So the computation must depend on its campaign and the
    parameters only, never on the period (ctx.start, ctx.end, ctx.period). Its queries go
    through `Campaign.aggregate`, so each is one round trip for all the picked campaigns.
    """

    def register(fn: Callable[[Context, Campaign], Measurement]) -> Metric:
        def compute(b: Batch) -> Results:
            return by_campaign(b, kind, fn)

        compute.__name__, compute.__qualname__ = fn.__name__, fn.__qualname__
        compute.__doc__, compute.__module__ = fn.__doc__, fn.__module__
        return metric(
            id,
            area=area,
            name=name,
            unit=unit,
            direction=direction,
            needs=("survey_answer",),
            sample=sample,
            data_hint=data_hint,
        )(compute)

    return register


def by_campaign(
    b: Batch, kind: SurveyKind, fn: Callable[[Context, Campaign], Measurement]
) -> Results:
    """Each period's figure from the campaign of `kind` it picks, `fn` run once per distinct
    campaign (see `survey_metric`, which registers a function computed so; the survey shapes
    in survey_shapes.py are computed so too)."""
    found = campaigns(b, kind)
    least = least_group(b.param("min_group"))
    now = utc_now()
    picked = {p: pick_campaign(found, p.end_ts, least, now) for p in b.periods}
    batch = sorted({c.key[0] for c in picked.values() if c is not None})
    first: Campaign | None = None  # the batch's expressions, built once
    done: dict[CampaignKey, Measurement] = {}
    out: Results = {}
    for period, chosen in picked.items():
        if chosen is None:
            out[period] = no_campaign(kind, least)
        elif chosen.key in done:
            out[period] = _same(done[chosen.key])
        else:
            first = first or campaign_of(
                b.t("survey_response"), b.t("survey_answer"), kind, chosen.key, batch
            )
            camp = first.sibling(chosen.key)
            out[period] = done[chosen.key] = fn(b.context(period), camp)
    return out


def _same(m: Measurement) -> Measurement:
    """Another period's copy of a campaign's figure (its own breakdown and evidence, so that
    nothing done to one period's figure shows in another's; the records, built when first
    asked for, are shared)."""
    # Measurement.records is None when the figure has none, which the lazy form allows too.
    records = cast(Callable[[], ibis.Table], lambda: m.records)
    return Measurement(
        m.value,
        m.n,
        breakdown=copy.deepcopy(m.breakdown),
        evidence=copy.deepcopy(m.evidence),
        records=records,
        note=m.note,
    )


def group_figures(
    campaign: Campaign, answers: ibis.Table, parts: Callable[[ibis.Table], dict[str, ibis.Value]]
) -> list[GroupFigure]:
    """Per group: its respondents and the additive parts (sums and counts) of its figure."""
    rows = campaign.aggregate(
        answers, ["group"], _respondents=answers.response_id.nunique(), **parts(answers)
    )
    out = []
    for row in rows:
        name = str(row.pop("group"))
        respondents = int(row.pop("_respondents"))
        out.append(GroupFigure(name, respondents, {k: float(v or 0) for k, v in row.items()}))
    return out


def measure_by_group(
    ctx: Context,
    campaign: Campaign,
    answers: ibis.Table,
    parts: Callable[[ibis.Table], dict[str, ibis.Value]],
    figure: Callable[[dict[str, float]], float | None],
    describe: Callable[[float], str],
) -> tuple[Measurement, GroupFigure]:
    """A survey metric: the figure over the whole campaign, n = groups, and anonymised groups.

    No figure at all when fewer than `min_group` respondents answered the items (`too_few`;
    the caller checks `value is None` before adding to the breakdown). Evidence is the
    lowest-scoring groups that may be shown ("other groups" included); `describe` words a
    figure ("satisfaction 52/100"). The drill-down is `answer_counts`, never answer sheets.
    Returns the pooled parts as well so a metric can add its own breakdown.
    """
    least = least_group(ctx.param("min_group"))
    figures = group_figures(campaign, answers, parts)
    total = pool("all", figures)
    if total.respondents < least:
        return too_few(campaign, least), total
    value = figure(total.parts) if figures else None
    kind = "business_unit" if campaign.kind == STAKEHOLDER else "team"
    anon = anonymise(figures, least)
    shown: list[tuple[GroupFigure, float]] = []
    for f in [*anon.shown, *([anon.other] if anon.other else [])]:
        v = figure(f.parts)
        if v is not None:
            shown.append((f, v))
    by_group = {f.name: {"value": v, "respondents": f.respondents} for f, v in shown}
    other = by_group.pop(OTHER_GROUPS, None)
    if other is not None and anon.other is not None:
        other["groups"] = anon.other.groups
    evidence = []
    for f, v in sorted(shown, key=lambda fv: (fv[1], fv[0].name))[:3]:
        shown_as = f"{f.name} ({f.groups} groups)" if f.name == OTHER_GROUPS else f.name
        detail = f"{shown_as}: {describe(v)} from {f.respondents} respondents"
        evidence.append(Evidence(kind, f.name, detail, v))
    breakdown: dict[str, Any] = {
        **campaign.as_dict(),
        "respondents": total.respondents,
        "groups": len(figures),
        "by_group": by_group,
        "other_groups": other,
        "hidden_groups": anon.hidden,
    }
    m = Measurement(
        value=value,
        n=len(figures) if value is not None else 0,
        breakdown=breakdown,
        evidence=evidence,
        records=lambda: answer_counts(campaign.own(answers)),
    )
    return m, total

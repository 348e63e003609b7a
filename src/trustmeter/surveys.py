"""The two surveys of FRAMEWORK.md: the item catalogue, answer validation and the anonymity rule.

The catalogue is data: every item has an id, the survey it belongs to, its wording (our own
plain words), its scale or choices, and the trust component it feeds. Importers validate
answers against it, metrics read the constants below, and the docs list it. The second half
reads one campaign's answers from the store as ibis expressions and applies the anonymity
rule, so every survey metric picks its campaign and hides small groups the same way.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

import ibis

from trustmeter.metrics.common import as_datetime, label, latest
from trustmeter.metrics.model import fetch
from trustmeter.metrics.registry import (
    Batch,
    Context,
    Contributor,
    Direction,
    Measurement,
    Metric,
    Results,
    metric,
)

SurveyKind = Literal["stakeholder", "team"]
STAKEHOLDER: SurveyKind = "stakeholder"
TEAM: SurveyKind = "team"

# Maister's trust equation, reported as parts. Self-orientation is the one to keep low.
CREDIBILITY = "credibility"
RELIABILITY = "reliability"
INTIMACY = "intimacy"
SELF_ORIENTATION = "self_orientation"
RELATIONSHIP = "relationship"
TRUST_COMPONENTS = (CREDIBILITY, RELIABILITY, INTIMACY, SELF_ORIENTATION)

OVERALL_SATISFACTION = "overall_satisfaction"
NPS = "nps"
LADDER = "ladder"
INVOLVE_EARLY = "involve_early"
COMMENT = "comment"
ENPS = "enps"
BURNOUT = "burnout"
WESTRUM_ITEMS = tuple(f"westrum_{i}" for i in range(1, 8))
IMPORTANCE_PREFIX = "importance:"
SATISFACTION_PREFIX = "satisfaction:"

LADDER_CHOICES = ("order_taker", "service_provider", "trusted_advisor", "strategic_partner")
PARTNER_CHOICES = ("trusted_advisor", "strategic_partner")
INVOLVE_EARLY_CHOICES = ("yes", "maybe", "no")

# On a 0–10 recommendation scale: 9–10 promote, 7–8 are passive, 0–6 detract.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6

# Respondents without a group are pooled under this name (and anonymised like any group).
NO_GROUP = "(no group)"
OTHER_GROUPS = "other groups"
# FRAMEWORK.md: min_group defaults to 5 and is never below 3.
MIN_GROUP_FLOOR = 3


@dataclass(frozen=True)
class Item:
    id: str
    kind: SurveyKind
    text: str
    scale: tuple[int, int] | None = None  # (min, max) for numeric items
    choices: tuple[str, ...] = ()  # for choice items
    component: str | None = None
    # Agreement with the statement is bad news (self-orientation): 100 − scaled value.
    reverse: bool = False
    choice_labels: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def free_text(self) -> bool:
        return self.scale is None and not self.choices


def _agree(id: str, component: str, text: str, reverse: bool = False) -> Item:
    return Item(id, STAKEHOLDER, text, (1, 7), component=component, reverse=reverse)


_LADDER_LABELS = {
    "order_taker": "An order taker: we tell IT what to do",
    "service_provider": "A service provider: IT runs what we need",
    "trusted_advisor": "A trusted advisor: we ask IT for advice",
    "strategic_partner": "A strategic partner: IT shapes our plans with us",
}

CATALOGUE: tuple[Item, ...] = (
    # -- stakeholder trust survey (1 = strongly disagree, 7 = strongly agree) ---------------
    _agree("credibility_1", CREDIBILITY, "IT knows its field and what it tells us is accurate."),
    _agree(
        "credibility_2", CREDIBILITY, "When IT gives us an estimate or advice, it is well founded."
    ),
    _agree("reliability_1", RELIABILITY, "IT does what it says it will do."),
    _agree(
        "reliability_2",
        RELIABILITY,
        "IT delivers when it said it would and to the standard agreed.",
    ),
    _agree("intimacy_1", INTIMACY, "I am comfortable sharing our plans and worries with IT early."),
    _agree("intimacy_2", INTIMACY, "I can raise a difficult subject with IT openly."),
    _agree(
        "self_orientation_1",
        SELF_ORIENTATION,
        "IT puts its own priorities ahead of what our part of the business needs.",
        reverse=True,
    ),
    _agree(
        "self_orientation_2",
        SELF_ORIENTATION,
        "In conversations, IT talks more about its own concerns than about our problems.",
        reverse=True,
    ),
    _agree(
        "understands_needs", RELATIONSHIP, "IT understands what our part of the business needs."
    ),
    _agree(
        "executes_as_expected", RELATIONSHIP, "IT delivers what we asked for, the way we expected."
    ),
    _agree(
        "communicates_effectively", RELATIONSHIP, "IT keeps us informed clearly and in good time."
    ),
    Item(
        OVERALL_SATISFACTION,
        STAKEHOLDER,
        "All things considered, how satisfied are you with IT? (1 = not at all, 10 = completely)",
        (1, 10),
    ),
    Item(
        NPS,
        STAKEHOLDER,
        "How likely are you to recommend working with IT to a colleague? (0 = not at all, 10 = extremely)",
        (0, 10),
    ),
    Item(
        LADDER,
        STAKEHOLDER,
        "How do you see IT today?",
        choices=LADDER_CHOICES,
        choice_labels=_LADDER_LABELS,
    ),
    Item(
        INVOLVE_EARLY,
        STAKEHOLDER,
        "Would you involve IT at the start of your next initiative?",
        choices=INVOLVE_EARLY_CHOICES,
    ),
    Item(COMMENT, STAKEHOLDER, "Is there anything else you would like IT to hear?"),
    # -- team survey (anonymous; 1 = strongly disagree, 7 = strongly agree) -----------------
    *(
        Item(id, TEAM, text, (1, 7))
        for id, text in zip(
            WESTRUM_ITEMS,
            (
                "People here go looking for the information others need, and pass it on.",
                "Someone who brings bad news or reports a failure is thanked, not blamed.",
                "We share responsibility for outcomes instead of guarding our own patch.",
                "Working across team boundaries is encouraged and rewarded.",
                "When something fails, we dig into why it happened.",
                "New ideas are welcome here, wherever they come from.",
                "We treat failures mainly as chances to improve how our systems work.",
            ),
            strict=True,
        )
    ),
    Item(
        ENPS,
        TEAM,
        "How likely are you to recommend working in this IT team to a friend? (0 = not at all, 10 = extremely)",
        (0, 10),
    ),
    Item(
        BURNOUT,
        TEAM,
        "How often does your work leave you worn out? (1 = never, 5 = nearly all the time)",
        (1, 5),
    ),
    Item(COMMENT, TEAM, "Is there anything else you would like the leadership team to hear?"),
)

# Both surveys have a `comment`; elsewhere an id names one item.
_BY_KIND_ID: dict[tuple[str, str], Item] = {(i.kind, i.id): i for i in CATALOGUE}
_BY_ID: dict[str, Item] = {}
for _i in CATALOGUE:
    _BY_ID.setdefault(_i.id, _i)


def _service_item(prefix: str, service: str, name: str | None = None) -> Item:
    shown = name or service
    if prefix == IMPORTANCE_PREFIX:
        text = f"How important is {shown} to your work? (1 = not at all, 10 = critical)"
    else:
        text = f"How satisfied are you with {shown}? (1 = not at all, 10 = completely)"
    return Item(prefix + service, STAKEHOLDER, text, (1, 10))


def item(id: str, kind: SurveyKind | None = None) -> Item:
    """The catalogue item with this id; `importance:<service>` and `satisfaction:<service>` too.

    `kind` picks the survey for an id that both have (`comment`) and rejects the other's items.
    """
    found = _BY_KIND_ID.get((kind, id)) if kind else _BY_ID.get(id)
    if found is not None:
        return found
    for prefix in (IMPORTANCE_PREFIX, SATISFACTION_PREFIX):
        if id.startswith(prefix) and len(id) > len(prefix) and kind in (None, STAKEHOLDER):
            return _service_item(prefix, id[len(prefix) :])
    known = [i.id for i in CATALOGUE if kind in (None, i.kind)]
    if kind in (None, STAKEHOLDER):
        known += ["importance:<service id>", "satisfaction:<service id>"]
    where = f" in the {kind} survey" if kind else ""
    raise KeyError(f"unknown survey item {id!r}{where}; known items: {', '.join(known)}")


def items(kind: SurveyKind, services: Iterable[tuple[str, str | None]] = ()) -> list[Item]:
    """The items of one survey in order; `services` (id, name) adds the per-service pair."""
    if kind not in (STAKEHOLDER, TEAM):
        raise ValueError(f"unknown survey kind {kind!r}: expected stakeholder or team")
    out = [i for i in CATALOGUE if i.kind == kind]
    if kind == STAKEHOLDER:
        per_service = [
            _service_item(p, sid, name)
            for sid, name in services
            for p in (IMPORTANCE_PREFIX, SATISFACTION_PREFIX)
        ]
        at = next(n for n, i in enumerate(out) if i.id == LADDER)
        out[at:at] = per_service
    return out


def _choice_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def validate(it: Item | str, value: Any, kind: SurveyKind | None = None) -> float | str:
    """An answer as stored: the number for a scale, the choice id, or the text.

    Raises ValueError whose message is what was expected ("a whole number from 1 to 7"), so
    an importer can put it beside the file, line, column and value. Blank answers are not
    answers: importers skip them before validating.
    """
    if isinstance(it, str):
        try:
            it = item(it, kind)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"an answer to {it.id} (blank answers are skipped, not validated)")
    if isinstance(value, float) and value != value:
        raise ValueError(f"an answer to {it.id} (blank answers are skipped, not validated)")
    if it.scale is not None:
        lo, hi = it.scale
        expected = f"a whole number from {lo} to {hi}"
        if isinstance(value, bool):
            raise ValueError(expected)
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise ValueError(expected) from None
        # inf and nan read as floats but are no answer (int(inf) would raise OverflowError).
        if not math.isfinite(num) or num != int(num) or not lo <= num <= hi:
            raise ValueError(expected)
        return num
    if it.choices:
        key = _choice_key(str(value))
        for choice in it.choices:
            wording = it.choice_labels.get(choice)
            if key == choice or (wording is not None and key == _choice_key(wording)):
                return choice
        raise ValueError(f"one of {', '.join(it.choices)}")
    return str(value).strip()


def scale_0_100(it: Item | str, value: float) -> float:
    """A scale answer (or a mean of answers) on 0–100: (v − min) ÷ (max − min) × 100."""
    if isinstance(it, str):
        it = item(it)
    if it.scale is None:
        raise ValueError(f"{it.id} is not a numeric item")
    lo, hi = it.scale
    return (value - lo) / (hi - lo) * 100


# -- reading a campaign's answers ---------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    """One survey campaign as the metrics see it: deduplicated responses and their answers."""

    kind: SurveyKind
    name: str
    # The latest submitted_at: the campaign counts as closed then. None when it has no dates.
    closed_at: datetime | None
    responses: ibis.Table  # source, response_id, group, stakeholder, submitted_at
    answers_table: ibis.Table

    def answers(self) -> ibis.Table:
        """Every answer of the campaign, with its respondent's group."""
        a, r = self.answers_table, self.responses
        j = a.join(r, (a.source == r.source) & (a.response_id == r.response_id))
        return j.select(r.source, r.response_id, r.group, a.item, a.value_num, a.value_text)

    def numeric(self, ids: Sequence[str]) -> ibis.Table:
        """Answers to these items that lie on their scale (anything else was never an answer)."""
        a = self.answers()
        ok = ibis.literal(False)
        for (lo, hi), same in _by_scale(ids).items():
            ok = ok | (a.item.isin(same) & a.value_num.between(lo, hi))
        return a.filter(ok)

    def choices(self, id: str) -> ibis.Table:
        """Answers to a choice item, kept only when they are one of its choices."""
        a = self.answers()
        return a.filter(a.item == id, a.value_text.isin(list(item(id).choices)))

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


CampaignKey = tuple[str, datetime | None]  # (name, closed_at)


def least_group(min_group: Any) -> int:
    """The framework's `min_group`, never below MIN_GROUP_FLOOR: the one size threshold."""
    return max(MIN_GROUP_FLOOR, int(min_group))


def utc_now() -> datetime:
    """Now, as naive UTC like every stored time: no campaign is read before it has closed,
    whatever period or `as_of` is asked for."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FoundCampaign:
    """A campaign of one kind as `pick_campaign` weighs it."""

    name: str
    # Shown as `closed_at`: a web campaign's end, or an imported campaign's last submitted_at.
    closed_at: datetime | None
    # From when its figures may be read: a web campaign's end (closing date or early close);
    # for an imported campaign, the start of the day after its last answer. None: undated.
    readable_from: datetime | None
    respondents: int

    @property
    def key(self) -> CampaignKey:
        return (self.name, self.closed_at)


def found_campaign(
    name: str, last_answer: datetime | None, respondents: int, web_ends: dict[str, datetime]
) -> FoundCampaign:
    """A campaign's closing: the web campaign's own end when it was run from the web app,
    else the end of the day of its last answer (an import has no closing date)."""
    end = web_ends.get(name)
    if end is not None:
        return FoundCampaign(name, end, end, respondents)
    if last_answer is None:
        return FoundCampaign(name, None, None, respondents)
    day_after = datetime(last_answer.year, last_answer.month, last_answer.day) + timedelta(days=1)
    return FoundCampaign(name, last_answer, day_after, respondents)


def campaign_closings(response_table: ibis.Table, kind: SurveyKind) -> ibis.Table:
    """One row per campaign of this kind: its name, `closed` (its latest submitted_at) and
    `respondents` (its responses, each counted once)."""
    r = responses(response_table, kind)
    return r.group_by(r.campaign).aggregate(closed=r.submitted_at.max(), respondents=r.count())


def web_campaign_ends(store: Any) -> dict[str, datetime]:
    """When each campaign run from the web app ends (its closing date, or when it was closed
    early). A read-only warehouse has no web campaigns."""
    if store.read_only:
        return {}
    rows = store.fetch("SELECT name, coalesce(closed_early_at, closes_at) FROM survey_campaign")
    return {str(n): end for n, end in rows if end is not None}


def pick_campaign(
    found: Sequence[FoundCampaign], end: datetime, least: int, now: datetime
) -> FoundCampaign | None:
    """The campaign a period's survey figures read, or None: the anonymity rule's first half.

    Only a campaign that has closed, both by the period's end and by now (a future `as_of`
    never reads an open campaign), and that has at least `least` respondents, is readable:
    a smaller one is never picked, even over an older one, and never shown. Among readable
    campaigns the latest close wins (ties: the later last answer, then the greater name).
    When no campaign carries a date at all, the greatest name among the big enough ones is
    used ("2024-Q1" < "2024-Q2"); undated campaigns are ignored as soon as any is dated.
    """
    big = [f for f in found if f.respondents >= least]
    if any(f.readable_from is not None for f in found):
        usable = [
            f for f in big if f.readable_from is not None and f.readable_from <= min(end, now)
        ]
        return max(
            usable,
            key=lambda f: (f.readable_from, f.closed_at or datetime.min, f.name),
            default=None,
        )
    return max(big, key=lambda f: f.name, default=None)


def campaign_of(
    response_table: ibis.Table, answer_table: ibis.Table, kind: SurveyKind, key: CampaignKey
) -> Campaign:
    """The campaign `key` (name, closed_at) of this kind, as the metrics read it."""
    r = responses(response_table, kind)
    return Campaign(
        kind=kind,
        name=key[0],
        closed_at=key[1],
        responses=r.filter(r.campaign == key[0]),
        answers_table=answer_table,
    )


def campaigns(ctx: Context | Batch, kind: SurveyKind) -> list[FoundCampaign]:
    """Every campaign of this kind with its closing and respondents: one query, asked once per
    Scorer (one data version) and shared by the metrics of that kind, whatever periods they
    compute."""
    fact = f"survey_campaigns:{kind}"
    if fact not in ctx.facts:
        expr = campaign_closings(ctx.t("survey_response"), kind)
        rows = ctx.store.con.to_pyarrow(expr).to_pylist()
        ends = web_campaign_ends(ctx.store)
        ctx.facts[fact] = [
            found_campaign(
                str(r["campaign"]), as_datetime(r["closed"]), int(r["respondents"]), ends
            )
            for r in rows
        ]
    found: list[FoundCampaign] = ctx.facts[fact]
    return found


# -- anonymity ----------------------------------------------------------------------------


@dataclass
class GroupFigure:
    """A group's respondents and the additive parts its figure is computed from."""

    name: str
    respondents: int
    parts: dict[str, float]
    groups: int = 1  # how many groups are pooled in it (for "other groups")


@dataclass
class Anonymised:
    shown: list[GroupFigure]
    # The hidden groups pooled, when the pool itself is big enough to show.
    other: GroupFigure | None
    hidden: int  # how many groups are hidden


def pool(name: str, figures: Sequence[GroupFigure]) -> GroupFigure:
    parts: dict[str, float] = {}
    for f in figures:
        for k, v in f.parts.items():
            parts[k] = parts.get(k, 0.0) + v
    return GroupFigure(
        name, sum(f.respondents for f in figures), parts, sum(f.groups for f in figures)
    )


def anonymise(figures: Sequence[GroupFigure], min_group: int) -> Anonymised:
    """Hide groups too small to show, and any group that subtraction would reveal.

    A group with fewer than `min_group` respondents (never below 3) gets no figure of its
    own; the hidden groups are pooled as "other groups". The overall figure is always shown,
    so a pool of one small group could be worked out as total − shown groups: while the pool
    has fewer than `min_group` respondents, the smallest shown group joins it. (With exactly
    one small group, the smallest shown group is therefore always hidden too.)
    """
    least = max(MIN_GROUP_FLOOR, int(min_group))
    hidden = [f for f in figures if f.respondents < least]
    shown = sorted(
        (f for f in figures if f.respondents >= least), key=lambda f: (f.respondents, f.name)
    )
    while hidden and shown and sum(f.respondents for f in hidden) < least:
        hidden.append(shown.pop(0))
    pooled = pool(OTHER_GROUPS, hidden) if hidden else None
    if pooled is not None and pooled.respondents < least:
        pooled = None
    return Anonymised(sorted(shown, key=lambda f: f.name), pooled, len(hidden))


def nps(promoters: float, detractors: float, count: float) -> float | None:
    """% promoters − % detractors."""
    if not count:
        return None
    return (promoters - detractors) / count * 100


def nps_parts(t: ibis.Table) -> dict[str, ibis.Value]:
    """The additive parts of an NPS over answers on the 0–10 scale."""
    return {
        "promoters": t.value_num.count(where=t.value_num >= PROMOTER_MIN),
        "detractors": t.value_num.count(where=t.value_num <= DETRACTOR_MAX),
        "count": t.value_num.count(),
    }


def nps_of(parts: dict[str, float]) -> float | None:
    return nps(parts["promoters"], parts["detractors"], parts["count"])


def mean_parts(t: ibis.Table) -> dict[str, ibis.Value]:
    """The additive parts of a mean over numeric answers: their sum and count."""
    return {"sum": t.value_num.sum(), "count": t.value_num.count()}


def nps_counts(parts: dict[str, float]) -> dict[str, int]:
    """Promoters, passives and detractors (all 0 when nobody answered the item)."""
    promoters, detractors, count = (
        int(parts.get(k, 0)) for k in ("promoters", "detractors", "count")
    )
    return {
        "promoters": promoters,
        "passives": count - promoters - detractors,
        "detractors": detractors,
    }


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
    parameters only, never on the period (ctx.start, ctx.end, ctx.period).
    """

    def register(fn: Callable[[Context, Campaign], Measurement]) -> Metric:
        def compute(b: Batch) -> Results:
            found = campaigns(b, kind)
            least = least_group(b.param("min_group"))
            now = utc_now()
            done: dict[CampaignKey, Measurement] = {}
            out: Results = {}
            for period in b.periods:
                chosen = pick_campaign(found, period.end_ts, least, now)
                if chosen is None:
                    out[period] = no_campaign(kind, least)
                elif chosen.key in done:
                    out[period] = _same(done[chosen.key])
                else:
                    camp = campaign_of(
                        b.t("survey_response"), b.t("survey_answer"), kind, chosen.key
                    )
                    out[period] = done[chosen.key] = fn(b.context(period), camp)
            return out

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
    answers: ibis.Table, parts: Callable[[ibis.Table], dict[str, ibis.Value]]
) -> list[GroupFigure]:
    """Per group: its respondents and the additive parts (sums and counts) of its figure."""
    agg = answers.group_by(answers.group).aggregate(
        _respondents=answers.response_id.nunique(), **parts(answers)
    )
    out = []
    for row in fetch(agg):
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
    figures = group_figures(answers, parts)
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
        evidence.append(Contributor(kind, f.name, detail, v))
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
        records=lambda: answer_counts(answers),
    )
    return m, total


def nps_measurement(ctx: Context, camp: Campaign, item_id: str, name: str) -> Measurement:
    """An NPS metric over one 0–10 item of the campaign: the figure, anonymised groups, and
    promoters, passives and detractors in the breakdown. `name` words it ("eNPS +12")."""
    a = camp.numeric([item_id])
    m, total = measure_by_group(ctx, camp, a, nps_parts, nps_of, lambda v: f"{name} {v:+.0f}")
    if m.value is not None:
        m.breakdown.update(nps_counts(total.parts))
    return m

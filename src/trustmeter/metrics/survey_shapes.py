"""Survey shapes: a survey metric declared as a mean of answers (`SurveyMean`) or an NPS (`Nps`).

A declaration names the survey kind, the items, how a figure is worded, and (for a mean)
whether it is shown on 0–100; everything else is surveyed.py's, the same for every survey
metric, declared or written as a function: each period reads the campaign `pick_campaign`
picks, each distinct campaign is computed once (`by_campaign`), no campaign or too few
respondents gives no figure, and the figure's groups (business units in the stakeholder
survey, teams in the team survey) obey the anonymity rule (`measure_by_group`). n is the
number of groups; the drill-down counts answers per item and value, never answer sheets.

    relationship_nps = declare(Nps(id="relationship_nps", area="relationships", ...,
                                   kind=sv.STAKEHOLDER, item=sv.NPS, label="NPS"))
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from trustmeter import surveys as sv
from trustmeter.metrics.model import Batch, Context, Measurement
from trustmeter.metrics.registry import Direction, Results, Sample
from trustmeter.metrics.shapes import Shape
from trustmeter.metrics.survey_parts import mean_parts, nps_counts, nps_of, nps_parts
from trustmeter.metrics.surveyed import Campaign, by_campaign, measure_by_group


@dataclass(frozen=True, kw_only=True)
class SurveyShape(Shape):
    """A metric read from one survey campaign per period. What survey metrics share is the
    default: they need survey answers, count respondent groups, and higher is better."""

    kind: sv.SurveyKind
    direction: Direction = "higher"
    needs: tuple[str, ...] = ("survey_answer",)
    sample: Sample = "groups"

    def compute(self, b: Batch) -> Results:
        return by_campaign(b, self.kind, self.measure)

    @abstractmethod
    def measure(self, ctx: Context, camp: Campaign) -> Measurement:
        """The figure of one campaign (the same for every period that picks it)."""

    def scales(self, ids: tuple[str, ...]) -> set[tuple[int, int]]:
        """The scales of these items, checked to be numeric items of this shape's survey (a
        typo in a declaration fails when the module is imported, not when a figure is read)."""
        found = set()
        for id in ids:
            it = sv.item(id, self.kind)
            if it.scale is None:
                raise ValueError(f"{self.id}: {id} is not a numeric {self.kind} survey item")
            found.add(it.scale)
        return found


@dataclass(frozen=True, kw_only=True)
class SurveyMean(SurveyShape):
    """The mean of every answer to `items` on their scale (each answer weighs the same, so a
    respondent who skips an item weighs less); with `on_0_100`, that mean scaled 0–100.

    `wording` words a group's figure in the evidence ("satisfaction {:.0f}/100"). `by_item`,
    when given, is the breakdown key of each item's mean (shown as the figure is); it is left
    empty when any item was
    answered by fewer than `min_group` respondents, for then that item's mean, or the figure
    without it, would show their answers.
    """

    items: tuple[str, ...]
    on_0_100: bool = False
    wording: str
    by_item: str | None = None

    def __post_init__(self) -> None:
        if len(self.scales(self.items)) != 1:
            raise ValueError(f"{self.id}: a mean of items on different scales")

    def shown(self, mean: float) -> float:
        """A mean of answers as the metric shows it: on the items' scale, or 0–100."""
        return sv.scale_0_100(self.items[0], mean) if self.on_0_100 else mean

    def mean(self, parts: dict[str, float]) -> float | None:
        """The figure from a group's (or the pool's) sum and count of answers."""
        return self.shown(parts["sum"] / parts["count"]) if parts["count"] else None

    def measure(self, ctx: Context, camp: Campaign) -> Measurement:
        a = camp.numeric(self.items)
        m, _ = measure_by_group(ctx, camp, a, mean_parts, self.mean, self.wording.format)
        if m.value is None or self.by_item is None:
            return m
        rows = camp.aggregate(a, ["item"], mean=a.value_num.mean(), k=a.response_id.nunique())
        least = sv.least_group(ctx.param("min_group"))
        few = any(int(r["k"]) < least for r in rows)
        ordered = sorted(rows, key=lambda r: str(r["item"]))
        m.breakdown[self.by_item] = (
            {} if few else {str(r["item"]): self.shown(float(r["mean"])) for r in ordered}
        )
        return m


@dataclass(frozen=True, kw_only=True)
class Nps(SurveyShape):
    """% promoters (9–10) − % detractors (0–6) among the answers to one 0–10 `item`, with
    promoters, passives and detractors in the breakdown. `label` words a group's figure in the
    evidence ("eNPS +12")."""

    item: str
    label: str
    unit: str = "−100…100"

    def __post_init__(self) -> None:
        if self.scales((self.item,)) != {(0, 10)}:
            raise ValueError(f"{self.id}: an NPS is asked on a 0–10 scale, {self.item} is not")

    def measure(self, ctx: Context, camp: Campaign) -> Measurement:
        a = camp.numeric([self.item])
        m, total = measure_by_group(
            ctx, camp, a, nps_parts, nps_of, lambda v: f"{self.label} {v:+.0f}"
        )
        if m.value is not None:
            m.breakdown.update(nps_counts(total.parts))
        return m

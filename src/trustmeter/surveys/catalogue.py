"""The two surveys of FRAMEWORK.md as data: every item's id, the survey it belongs to, its
wording (our own plain words), its scale or choices, and the trust component it feeds.
Importers validate answers against it, metrics read the constants below, and the docs list it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

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

"""Figures and conditions in words an executive reads without a glossary.

The scorecard speaks in metric ids and raw units ("key_person_coverage is 75, below 100",
"4068.68 min down"); these helpers say the same thing with names, units that suit the size
of the figure ("68 h down") and rounding that keeps what matters (99.85 % stays 99.85 %, 75.0 %
becomes 75 %). They change how a figure reads, never the figure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from trustmeter.report.format import MINUS, num
from trustmeter.scorecard.model import GateResult, MetricEntry

NO_DATA = "no data"


def _n(v: float, digits: int) -> str:
    s = f"{v:,.{digits}f}"
    if digits:
        s = s.rstrip("0").rstrip(".")
    return MINUS + s[1:] if s.startswith("-") and s.strip("-0.,") else s.lstrip("-")


def _sig(v: float) -> str:
    """Two or three significant figures, enough to tell figures apart and no more."""
    a = abs(v)
    return _n(v, 0 if a >= 10 else 1 if a >= 1 else 2)


def duration_minutes(minutes: float) -> str:
    """Minutes in the unit a reader thinks in: '45 min', '6.8 h', '3 days'."""
    if abs(minutes) < 120:
        return f"{_n(minutes, 0)} min"
    return duration_hours(minutes / 60)


def duration_hours(hours: float) -> str:
    if abs(hours) < 72:
        return f"{_sig(hours)} h"
    return f"{_n(hours / 24, 0)} days"


def plain_value(value: object, unit: str) -> str:
    """A metric's value with its unit, rounded to suit it; 'no data' when there is none."""
    v = num(value)
    if v is None:
        return NO_DATA
    if unit == "%":
        # Near 100 % the decimals are the story (99.85 % availability is not 100 %).
        if 99 <= abs(v) < 100:
            return f"{_n(v, 2)} %"
        return f"{_n(v, 0 if abs(v) >= 10 else 1)} %"
    if unit == "min":
        return duration_minutes(v)
    if unit == "h":
        return duration_hours(v)
    if unit == "d":
        return f"{_sig(v)} days"
    if unit == "days/week":
        return f"{_sig(v)} days a week"
    if unit == "0–100":
        return f"{_n(v, 0)} out of 100"
    if unit in ("−100…100", "-100…100"):
        return ("+" if v > 0.5 else "") + _n(v, 0)
    if unit == "1–7":
        return f"{_n(v, 1)} out of 7"
    if unit == "pp off":
        return f"{_sig(v)} points off"
    return _sig(v)


_MINUTES = re.compile(r"(\d[\d,]*(?:\.\d+)?) min\b")


def plain_text(sentence: str) -> str:
    """Evidence sentences with long minute counts written in hours or days."""

    def repl(m: re.Match[str]) -> str:
        minutes = float(m.group(1).replace(",", ""))
        return duration_minutes(minutes) if minutes >= 120 else m.group(0)

    return _MINUTES.sub(repl, sentence)


def condition_text(
    cond: GateResult, metrics: Mapping[str, MetricEntry], area_names: Mapping[str, str]
) -> str:
    """Why a gate condition fails, in a sentence: names, not ids; the figure in its unit.

    'Key-person coverage is 75 %, below 100 %'; 'Fostering Key Relationships scores 64.8,
    below 75'; with a one-service-per-expert reading for key-person coverage.
    """
    if cond.kind == "area":
        name = area_names.get(cond.target, cond.target)
        actual, prev = num(cond.actual), num(cond.previous)
        if actual is None:
            return f"{name} is not measured yet"
        req = _n(cond.required, 0)
        if actual < cond.required:
            return f"{name} scores {actual:.1f}, below {req}"
        if prev is not None and prev < cond.required:
            return f"{name} scored {prev:.1f} the period before, below {req}"
        return f"{name} scores {actual:.1f}, at least {req}"
    m = metrics.get(cond.target)
    name = m.name if m else cond.target.replace("_", " ").capitalize()
    unit = m.unit if m else ""
    if m is not None and m.id == "key_person_coverage" and m.scored:
        single = _single_experts(m)
        if single:
            return single
    actual, prev = num(cond.actual), num(cond.previous)
    req = plain_value(cond.required, unit)
    if actual is None:
        return f"{name} has no data yet"
    if actual < cond.required:
        return f"{name} is {plain_value(actual, unit)}, below {req}"
    if prev is not None and prev < cond.required:
        return f"{name} was {plain_value(prev, unit)} the period before, below {req}"
    return f"{name} is {plain_value(actual, unit)}, at least {req}"


def condition_clause(
    cond: GateResult, metrics: Mapping[str, MetricEntry], area_names: Mapping[str, str]
) -> str:
    """`condition_text` to follow "while" mid-sentence: a metric's name loses its capital
    ('key-person coverage is 75 %'), an area's name keeps it ('Delivery scores 64.8')."""
    text = condition_text(cond, metrics, area_names)
    if cond.kind == "metric" and len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _single_experts(m: MetricEntry) -> str:
    """'1 of 4 tier-1 services has a single expert (SAP S/4HANA ERP)' from the breakdown."""
    single = m.breakdown.get("single_person")
    no_one = m.breakdown.get("no_one")
    if not isinstance(single, list) or not isinstance(no_one, list) or m.n <= 0:
        return ""
    scope = "tier-1 services" if m.breakdown.get("scope") == "tier 1" else "services"
    names = [e.name for e in m.evidence if e.kind == "service"]
    parts = []
    if single:
        verb = "has" if len(single) == 1 else "have"
        parts.append(f"{len(single)} of {m.n} {scope} {verb} a single expert")
    if no_one:
        verb = "has" if len(no_one) == 1 else "have"
        parts.append(f"{len(no_one)} of {m.n} {verb} no one able to support them")
    if not parts:
        return ""
    out = " and ".join(parts)
    return out + (f" ({', '.join(names[:3])})" if names else "")


def change_text(delta: float | None) -> str:
    """A change in score points: '+2.1', '−3.2', '0.0'; an em dash when it cannot be said."""
    if delta is None:
        return "\u2014"
    d = round(delta, 1)
    if d == 0:
        return "0.0"
    return f"{d:+.1f}".replace("-", MINUS)

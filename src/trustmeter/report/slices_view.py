"""Business units, services and teams in words: the synthesis sentence of each slice and the rows
of the slice pages' index.

The synthesis (scorecard/focus.py) judges a slice's figures against their targets and floors;
this says it in one sentence with its evidence, names instead of ids and every sample with
what it counts: "Operations is neglected: 3 of 9 figures are at or past their floor: net
promoter score −100 (7 respondents), …". It computes nothing.
"""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import num
from trustmeter.report.plain import plain_value
from trustmeter.scorecard.focus import SliceFigure, Synthesis
from trustmeter.scorecard.model import Scorecard
from trustmeter.scorecard.samples import sample_phrase

KIND_WORDS = {"unit": "business unit", "service": "service", "team": "team"}
KIND_PLURAL = {"unit": "business units", "service": "services", "team": "teams"}
# The verdict in words, per kind of slice.
VERDICT_WORDS = {
    "unit": {"poor": "is neglected", "good": "is served well", "mixed": "is served unevenly"},
    "service": {"poor": "hurts", "good": "runs well", "mixed": "runs unevenly"},
    "team": {"poor": "is under strain", "good": "is doing well", "mixed": "is doing unevenly"},
}
# The figures each index shows beside the slice's synthesis: the questions the pages answer
# ("which services hurt most", "which team is overloaded").
KEY_METRICS = {
    "unit": ("request_lead_time", "review_cadence", "proactive_contact"),
    "service": ("availability", "major_incidents", "mttr"),
    "team": ("portfolio_load", "unplanned_work", "request_lead_time"),
}


def figure_text(f: SliceFigure) -> str:
    """'net promoter score −100 (7 respondents)'; 'MTTR 9.1 h (12 P1/P2 incidents resolved)'."""
    sample = f"{f.n} respondents" if f.survey else sample_phrase(f.entry)
    return f"{f.name} {plain_value(f.value, f.unit)} ({sample})"


def synthesis_sentence(s: Synthesis, label: str) -> str:
    """The slice's verdict in one sentence, with the figures that carry it."""
    if s.verdict == "unmeasured":
        return f"{label}: no figure could be scored for this {KIND_WORDS.get(s.kind, s.kind)} yet."
    words = VERDICT_WORDS.get(s.kind, VERDICT_WORDS["unit"])[s.verdict]
    total = len(s.figures)
    if s.verdict == "good":
        best = ", ".join(figure_text(f) for f in s.good[:3])
        verb = "meets" if len(s.good) == 1 else "meet"
        return f"{label} {words}: {len(s.good)} of {total} figures {verb} their target ({best})."
    poor = s.poor
    if poor:
        worst = "; ".join(figure_text(f) for f in poor[:3])
        areas = sorted({f.area for f in poor})
        spread = f", in {len(areas)} areas" if len(areas) > 1 else ""
        return (
            f"{label} {words}: {len(poor)} of {total} figures {'is' if len(poor) == 1 else 'are'}"
            " at or past their floor"
            f"{spread}: {worst}."
        )
    weakest = "; ".join(figure_text(f) for f in s.figures[:2])
    return f"{label} {words}: no figure is at its floor; the weakest are {weakest}."


def slice_row(card: Scorecard, s: Synthesis, label: str, href: str) -> dict[str, Any]:
    """One line of a slice index: the headline figures and the synthesis."""
    measured = [a for a in card.areas if num(a.score) is not None and a.status != "not_measured"]
    key = []
    for mid in KEY_METRICS.get(s.kind, ()):
        m = card.metric(mid)
        if m is None:
            continue
        shown = m.status in ("ok", "insufficient") and num(m.value) is not None
        key.append(
            {
                "name": m.name,
                "value": plain_value(m.value, m.unit) if shown else "no data",
                "sample": sample_phrase(m) if shown else (m.note or ""),
            }
        )
    average = num(card.indices.trust.uncapped)
    return {
        "label": label,
        "href": href,
        "verdict": s.verdict,
        "sentence": synthesis_sentence(s, label),
        "average": f"{average:.1f}" if average is not None else "\u2014",
        "average_value": average,
        "areas": [{"name": a.name, "score": f"{num(a.score):.1f}"} for a in measured],
        "poor": len(s.poor),
        "figures": len(s.figures),
        "key": key,
    }


def order_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst first: most figures at their floor, then the lowest average of the areas."""
    return sorted(
        rows,
        key=lambda r: (
            r["verdict"] == "unmeasured",
            -r["poor"],
            r["average_value"] if r["average_value"] is not None else 101.0,
            r["label"].casefold(),
        ),
    )


def slice_section(kind: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The report's section for one kind of slice: its rows, worst first."""
    return {
        "kind": kind,
        "title": f"By {KIND_WORDS.get(kind, kind)}",
        "noun": KIND_WORDS.get(kind, kind),
        "rows": order_rows(rows),
    }

"""The executive one-pager: the stage, the Trust Index, the five areas, three focus items, freshness.

One sheet a CEO reads in two minutes (docs/report.md, "The one-pager"). It is built from
scorecards the Scorer made (this period, the one before and the one a year before) and the
store's record dates; it computes nothing but differences between two periods. Every sentence
uses names, not ids, and values rounded in units that suit them (report/plain.py); no CLI
flag, calibration table or metric id appears. The full report is the appendix.

Like the report, the HTML is one self-contained file with autoescape on, so text from the
data reaches the page escaped; report/pdf.py prints it to one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from trustmeter.report.format import fmt_num, fmt_score, num
from trustmeter.report.onepager_focus import focus_items
from trustmeter.report.perception import QUADRANTS
from trustmeter.report.plain import change_text, condition_clause, plain_value
from trustmeter.report.stage import stage_of
from trustmeter.scorecard.freshness import QUIET_DAYS
from trustmeter.scorecard.model import Scorecard
from trustmeter.store.freshness import RecordsEnd

# A record kind whose data stops more than this many days before the period ends is flagged:
# sparse kinds (training, contacts) may be quiet for a week without the export being stale.
STALE_AFTER_DAYS = QUIET_DAYS  # one rule with the scorecard's freshness (scorecard/freshness.py)
# Kinds that arrive in waves (a survey campaign, a budget period): their last date is shown,
# never flagged, since a quarter without a survey is normal.
PERIODIC = frozenset({"survey_response", "budget_line"})


@dataclass(frozen=True)
class OnePagerInput:
    """What the one-pager reads: this period's card, the ones to compare with, the data's end."""

    current: Scorecard
    previous: Scorecard | None
    year_ago: Scorecard | None
    freshness: Sequence[RecordsEnd]
    title: str = "IT trust on one page"


def render_onepager(data: OnePagerInput) -> str:
    """The one-pager as a complete HTML document (opens offline, prints to one page)."""
    return _env().get_template("onepager.html.j2").render(v=onepager_view(data))


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("trustmeter.report", "templates"),
        autoescape=True,  # every template; nothing is ever marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _fmt_day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def onepager_view(data: OnePagerInput) -> dict[str, Any]:
    cur = data.current
    last_day = cur.period.end - timedelta(days=1)
    return {
        "title": data.title,
        "workspace": str(cur.workspace.get("name") or ""),
        "period_label": cur.period.label,
        "period_dates": f"{_fmt_day(cur.period.start)} to {_fmt_day(last_day)}",
        "rendered_on": _fmt_day(datetime.now(UTC).date()),
        "stage": stage_view(cur),
        "trust": trust_view(cur, data.previous, data.year_ago),
        "areas": areas_view(cur, data.previous, data.year_ago),
        "perception": perception_line(cur),
        "focus": focus_items(cur, limit=3),
        "freshness": freshness_view(data.freshness, last_day),
    }


def _names(card: Scorecard) -> tuple[dict[str, Any], dict[str, str]]:
    return {m.id: m for m in card.metrics()}, {a.id: a.name for a in card.areas}


def stage_view(card: Scorecard) -> dict[str, Any]:
    """The stage and what holds it there, in one sentence."""
    st = card.stage
    top: int = stage_of(card)["top"]  # the default ladder when the card carries none
    metrics, areas = _names(card)
    head = f"Stage {st.level} of {top}: {st.name or 'not determined'}"
    if st.blocked_by:
        first = st.blocked_by[0]
        why = condition_clause(first, metrics, areas)
        more = len(st.blocked_by) - 1
        tail = f" (and {more} more {'condition' if more == 1 else 'conditions'})" if more else ""
        sentence = f"{first.stage_name} is out of reach while {why}{tail}."
        next_name = first.stage_name
    elif st.level >= top:
        sentence, next_name = "Every gate passes: the task now is to hold that standard.", ""
    else:
        sentence, next_name = "", ""
    return {
        "level": st.level,
        "top": top,
        "name": st.name or "not determined",
        "head": head,
        "sentence": sentence,
        "next_name": next_name,
    }


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _direction(d: float | None) -> str:
    if d is None:
        return "none"
    return "up" if round(d, 1) > 0 else "down" if round(d, 1) < 0 else "flat"


def trust_view(
    cur: Scorecard, previous: Scorecard | None, year_ago: Scorecard | None
) -> dict[str, Any]:
    """The index and the area average side by side, each with its change, and the cap's reason."""
    t = cur.indices.trust
    value, average = num(t.value), num(t.uncapped)
    stage = cur.stage
    cap = ""
    if t.capped:
        metrics, areas = _names(cur)
        why = (
            condition_clause(stage.blocked_by[0], metrics, areas)
            if stage.blocked_by
            else "the next gate does not pass"
        )
        cap = f"Capped at {fmt_num(t.ceiling)} by the {stage.name} ceiling: {why}."
    elif value is not None:
        cap = f"Not capped: the {stage.name or 'current'} ceiling is {fmt_num(t.ceiling)}."

    def changes(of: str) -> list[dict[str, str]]:
        out = []
        for card, what in ((previous, ""), (year_ago, ", a year before")):
            if card is None:
                continue
            before = num(card.trust_index if of == "index" else card.indices.trust.uncapped)
            now = value if of == "index" else average
            d = _delta(before, now)
            out.append(
                {
                    "label": f"since {card.period.label}{what}",
                    "value": change_text(d),
                    "dir": _direction(d),
                    "from": fmt_score(before),
                }
            )
        return out

    return {
        "value": fmt_score(value),
        "missing": value is None,
        "average": fmt_score(average),
        "areas_measured": t.areas_measured,
        "capped": t.capped,
        "cap": cap,
        "index_changes": changes("index"),
        "average_changes": changes("average"),
        "predictability": fmt_score(cur.predictability_index),
    }


def areas_view(
    cur: Scorecard, previous: Scorecard | None, year_ago: Scorecard | None
) -> dict[str, Any]:
    """The five areas: score, change since the last period and since a year before."""
    blocking = cur.blocking_areas()
    rows = []
    for a in cur.areas:
        score = num(a.score) if a.measured else None
        cells = []
        for card in (previous, year_ago):
            if card is None:
                continue
            old = card.area(a.id)
            before = num(old.score) if old is not None and old.measured else None
            d = _delta(before, score)
            cells.append({"value": change_text(d), "dir": _direction(d)})
        rows.append(
            {
                "name": a.name,
                "score": fmt_score(score) if score is not None else "not measured",
                "bar": max(0.0, min(100.0, score or 0.0)),
                "measured": score is not None,
                "holds_back": a.id in blocking,
                "changes": cells,
            }
        )
    heads = [c.period.label for c in (previous, year_ago) if c is not None]
    return {"rows": rows, "heads": heads, "since": [f"since {h}" for h in heads]}


def perception_line(card: Scorecard) -> dict[str, str] | None:
    """The perception quadrant, saying what it compares, so it cannot read as the stage."""
    p = card.perception
    if p is None or num(p.perceived) is None or num(p.measured) is None:
        return None
    heading, explain = next((h, e) for k, h, e in QUADRANTS.values() if k == p.quadrant)
    against = (
        f"Business leaders rate IT's reliability {plain_value(p.perceived, '0–100')}; "
        f"measured stability and delivery average {plain_value(p.measured, '0–100')} "
        f"(each counts as high from {fmt_score(p.threshold).removesuffix('.0')})."
    )
    scope = ""
    if card.stage.blocked_by:
        scope = "This compares reliability only; the stage also needs the conditions above."
    return {"heading": f"Reliability as perceived: {heading}", "explain": explain,
            "against": against, "scope": scope}  # fmt: skip


def freshness_view(rows: Sequence[RecordsEnd], period_last_day: date) -> dict[str, Any]:
    """Each record kind's last day, flagged when it ends well before the period does."""
    out, stale = [], []
    for r in rows:
        if r.records == 0 or r.last_day is None:
            out.append({"label": r.label, "to": "no records", "flag": r.table not in PERIODIC})
            continue
        short = (period_last_day - r.last_day).days > STALE_AFTER_DAYS
        flag = short and r.table not in PERIODIC
        if flag:
            stale.append(r.label.lower())
        to = _fmt_day(r.last_day)
        if r.table == "budget_line":
            to = f"the period from {to}"
        elif r.table == "survey_response":
            to = f"latest {to}"
        out.append({"label": r.label, "to": to, "flag": flag})
    warning = ""
    if stale:
        kinds = stale[0] if len(stale) == 1 else ", ".join(stale[:-1]) + " and " + stale[-1]
        warning = (
            f"The records of {kinds} end more than {STALE_AFTER_DAYS} days before "
            f"{_fmt_day(period_last_day)}: figures that rest on them miss the end of the period."
        )
    return {"rows": out, "warning": warning, "period_end": _fmt_day(period_last_day)}

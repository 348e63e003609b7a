"""The focus cards and the scorecard tables: each metric's figures, status and evidence as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trustmeter.report.format import (
    DASH,
    fmt_num,
    fmt_pct,
    fmt_score,
    fmt_unit,
    fmt_value,
    num,
    r1,
    status_class,
    status_label,
    text,
)
from trustmeter.report.plain import condition_text, plain_text
from trustmeter.scorecard.model import Area, Evidence, FocusItem, Scorecard
from trustmeter.scorecard.samples import sample_phrase


def focus_view(current: Scorecard, ctx: dict[str, Any]) -> dict[str, Any]:
    focus = current.focus
    stage = ctx["stage"]
    # Each failing condition's reason in words (the scorecard's quotes metric ids).
    plain_reasons = {
        b.reason: condition_text(b, ctx["metrics"], ctx["area_names"])
        for b in current.stage.blocked_by
    }

    def item_view(i: FocusItem) -> dict[str, Any]:
        n = num(i.n)
        return {
            "name": i.name,
            "area": ctx["area_names"].get(i.area, i.area),
            "value": fmt_value(i.value, i.unit),
            "target": fmt_value(i.target, i.unit),
            "score": fmt_score(i.score),
            "gap": fmt_score(i.gap),
            # n with what it counts ("14 P1/P2 incidents resolved"), not a bare "n = 14".
            "n": sample_phrase(ctx["metrics"][i.metric])
            if i.metric in ctx["metrics"]
            else (fmt_num(n) if n is not None else ""),
            "status": status_label(i.status),
            "status_class": status_class(i.status),
            "reason": plain_reasons.get(i.reason, i.reason),
            "note": text(i.note),
            "evidence": _evidence(i.evidence),
            "actions": [a for a in i.actions if a],
        }

    at_top = stage["level"] >= stage["top"] and not stage["blocked_by"]
    return {
        "stage_name": focus.stage_name,
        "summary": plain_focus_summary(current),
        "cards": [item_view(i) for i in focus.items],
        "unmeasured": [item_view(i) for i in focus.unmeasured],
        "at_top": at_top,
    }


def plain_focus_summary(card: Scorecard) -> str:
    """The focus summary with names instead of metric ids: the scorecard's own summary
    quotes each failing condition's reason ("key_person_coverage is 75, below 100"); this
    says it as a person would ("1 of 4 tier-1 services has a single expert (ERP)")."""
    focus, blocked = card.focus, card.stage.blocked_by
    if not blocked:
        head = f"Every gate passes at {card.stage.name}."
    else:
        metrics = {m.id: m for m in card.metrics()}
        areas = {a.id: a.name for a in card.areas}
        reasons = "; ".join(condition_text(b, metrics, areas) for b in blocked[:3])
        head = f"To reach {focus.stage_name}: {reasons}."
    if focus.items:
        top = focus.items[0]
        ev = (
            f" ({plain_text(top.evidence[0].detail)})"
            if top.evidence and top.evidence[0].detail
            else ""
        )
        head += f" Start with {top.name[:1].lower() + top.name[1:]}{ev}."
    elif focus.unmeasured:
        first = focus.unmeasured[0]
        head += (
            f" First measure {first.name[:1].lower() + first.name[1:]}: {first.note or 'no data'}."
        )
    return head


def _evidence(evidence: Sequence[Evidence]) -> list[str]:
    """Each contributor's sentence (its name when it has none)."""
    return [e.detail or e.name for e in evidence if e.detail or e.name]


def scorecard_tables(areas: list[Area]) -> list[dict[str, Any]]:
    out = []
    for a in areas:
        score = num(a.score)
        measured = score is not None and a.status != "not_measured"
        rows = []
        for m in a.metrics:
            status = m.status
            n = num(m.n)
            min_sample = num(m.min_sample)
            ok = status == "ok"
            detail = ""
            if status == "insufficient" and not m.note:
                detail = f"n = {fmt_num(n)}" + (
                    f", needs {fmt_num(min_sample)}" if min_sample is not None else ""
                )
            rows.append(
                {
                    "name": m.name,
                    "id": m.id,
                    "value": fmt_num(m.value) if status in ("ok", "insufficient") else DASH,
                    "provisional": status == "insufficient" and num(m.value) is not None,
                    "unit": fmt_unit(m.unit),
                    "target": fmt_num(m.target),
                    "floor": fmt_num(m.floor),
                    "score": fmt_score(m.score) if ok else DASH,
                    "score_w": r1(max(0.0, min(100.0, num(m.score) or 0.0))) if ok else None,
                    "n": fmt_num(n, 0)
                    if n is not None and status in ("ok", "insufficient")
                    else DASH,
                    "status": status_label(status),
                    "status_detail": detail,
                    "status_class": status_class(status),
                    "note": text(m.note),
                    "evidence": _evidence(m.evidence[:3]),
                }
            )
        out.append(
            {
                "id": a.id,
                "name": a.name,
                "measured": measured,
                "score": fmt_score(score) if measured else DASH,
                "coverage": fmt_pct(a.coverage),
                "measure_with": a.measure_with,
                "weight": fmt_num(a.weight),
                "rows": rows,
            }
        )
    return out

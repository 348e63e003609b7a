"""The "Does the order hold here?" section's view: plain strings and numbers, no markup.

It reads the dict `Ordering.as_dict()` gives (`trustmeter ordering --json`), and the current
scorecard's commitment_reliability breakdown for predictability per delivery method and per
team. Any part may be missing or of the wrong type: the section still renders what it has.
The report (report.html.j2) and the dashboard page (web/ordering.py) lay it out with
autoescape on, so imported text such as a campaign's or a team's name is always escaped.
"""

from __future__ import annotations

from typing import Any

from trustmeter.scorecard.model import Scorecard, find_metric

DASH = "–"
VERDICT_LABEL = {
    "supports": "supports",
    "contradicts": "contradicts",
    "mixed": "mixed",
    "not_demonstrable": "not demonstrable yet",
}
VERDICT_CLASS = {
    "supports": "pass",
    "contradicts": "fail",
    "mixed": "unknown",
    "not_demonstrable": "unknown",
}


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _score(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return DASH
    return f"{v:.0f}"


def _interval(v: Any) -> str:
    iv = _l(v)
    if len(iv) != 2:
        return DASH
    return f"{iv[0]}–{iv[1]}" if all(isinstance(x, int | float) for x in iv) else DASH


def _pairs(data: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for p in _l(data.get("pairs")):
        p = _d(p)
        verdict = str(p.get("verdict", ""))
        iv = _l(p.get("interval"))
        rows.append(
            {
                "pair": f"{p.get('leader', '?')} → {p.get('follower', '?')}",
                "lag": DASH if p.get("lag_periods") is None else str(p.get("lag_periods")),
                "interval": f"[{iv[0]}, {iv[1]}]" if len(iv) == 2 else DASH,
                "r": DASH if p.get("correlation") is None else f"{p['correlation']:.2f}",
                "n": str(p.get("pairs", 0)),
                "observed": str(p.get("observed_at", "")),
                "verdict": VERDICT_LABEL.get(verdict, verdict),
                "css": VERDICT_CLASS.get(verdict, ""),
                "reason": str(p.get("reason", "")),
                "needs": str(_d(p.get("needs")).get("text", "")),
            }
        )
    return rows


def _timeline(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    periods = [_d(p) for p in _l(data.get("periods"))]
    areas = list(_d(periods[0].get("scores"))) if periods else []
    sparse = _d(data.get("observed_at_surveys"))
    heads = [a + (" *" if a in sparse else "") for a in areas]
    rows = []
    for p in periods:
        scores = _d(p.get("scores"))
        stage, default = _d(p.get("stage")), _d(p.get("default_stage"))
        rows.append(
            {
                "label": str(p.get("label", "")),
                "cells": [_score(scores.get(a)) for a in areas],
                "stage": f"{stage.get('level', DASH)} {stage.get('name', '')}".strip(),
                "default": f"{default.get('level', DASH)} {default.get('name', '')}".strip(),
                "differs": stage.get("level") != default.get("level"),
                "surveys": ", ".join(str(c) for c in _l(p.get("campaigns"))),
            }
        )
    return heads, rows


def _predictability(card: Scorecard | None) -> dict[str, Any] | None:
    """Say/do per delivery method and per team, with n, interval and the small-sample caveat."""
    m = find_metric(card.areas, "commitment_reliability") if card else None
    if m is None or not m.breakdown:
        return None

    def row(name: str, g: dict[str, Any], method: str = "") -> dict[str, str]:
        return {
            "name": name,
            "method": method,
            "value": _score(g.get("value")),
            "n": str(g.get("n", 0)),
            "interval": _interval(g.get("interval")),
            "caveat": str(g.get("caveat", "")),
        }

    kinds = [
        row(str(k), _d(g), str(_d(g).get("method", "")))
        for k, g in _d(m.breakdown.get("by_kind")).items()
    ]
    teams = []
    for team, g in _d(m.breakdown.get("by_team")).items():
        methods = ", ".join(
            str(_d(x).get("method", k)) for k, x in _d(_d(g).get("methods")).items()
        )
        teams.append(row(str(team), _d(g), methods))
    if not kinds and not teams:
        return None
    return {"kinds": kinds, "teams": teams, "period": card.period.label if card else ""}


def ordering_view(data: Any, current: Scorecard | None = None) -> dict[str, Any] | None:
    """The section's plain values; None when there is neither an analysis nor predictability."""
    d = _d(data)
    predictability = _predictability(current)
    if not d and predictability is None:
        return None
    heads, rows = _timeline(d)
    verdict = str(d.get("verdict", ""))
    crossings = [
        {
            "area": str(g.get("area", "")),
            "gate": f"≥ {_score(g.get('min')) if g.get('min') is not None else DASH}"
            + (f", {g.get('periods')} periods running" if (g.get("periods") or 1) > 1 else ""),
            "stage": f"{g.get('stage')} {g.get('stage_name', '')}",
            "crossed": str(g.get("crossed_period") or "not (yet) for good"),
        }
        for g in map(_d, _l(d.get("gates")))
        if not g.get("every_area")
    ]
    return {
        "present": bool(d),
        "verdict": VERDICT_LABEL.get(verdict, verdict),
        "css": VERDICT_CLASS.get(verdict, ""),
        "summary": str(d.get("summary", "")),
        "needs": str(_d(d.get("needs")).get("text", "")),
        "heads": heads,
        "rows": rows,
        "same_framework": bool(d.get("same_framework", True)),
        "sparse": ", ".join(
            f"{a} (the {k} survey)" for a, k in _d(d.get("observed_at_surveys")).items()
        ),
        "crossings": crossings,
        "pairs": _pairs(d),
        "method": _d(d.get("method")),
        "predictability": predictability,
        "changes": _changes(d),
    }


def _changes(data: dict[str, Any]) -> list[dict[str, str]]:
    """Teams that changed method: say/do before and after, each with n and its interval."""
    rows = []
    for m in map(_d, _l(data.get("method_changes"))):
        b, a = _d(m.get("before")), _d(m.get("after"))
        rows.append(
            {
                "team": str(m.get("team", "")),
                "change": f"{b.get('method', '?')} → {a.get('method', '?')}",
                "since": str(m.get("changed_in", "")),
                "before": f"{_score(b.get('value'))} (n {b.get('n', 0)}, {_interval(b.get('interval'))})",
                "after": f"{_score(a.get('value'))} (n {a.get('n', 0)}, {_interval(a.get('interval'))})",
                "difference": f"{m.get('difference')} ({_interval(m.get('interval'))})",
                "verdict": str(m.get("verdict", "")),
                "delivery": str(_d(m.get("delivery")).get("text", "–")),
            }
        )
    return rows

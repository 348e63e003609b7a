"""Terminal rendering of the scorecard object; it formats, it never computes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from trustmeter.metrics.slices import WORDS as SLICE_WORDS

if TYPE_CHECKING:
    from trustmeter.scorecard.explain import Explanation
    from trustmeter.scorecard.model import Scorecard

STATUS_STYLE = {"ok": "green", "insufficient": "yellow", "no_data": "dim", "left_out": "dim"}


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
        if text.endswith(".00"):
            text = text[:-3]
    else:
        text = str(value)
    if unit in ("%", "pp off"):
        return f"{text} {unit}".replace(" pp off", " pp")
    # Scales (0–100, 1–7, −100…100) and counts read best as bare numbers.
    return f"{text} {unit}" if unit in ("h", "min", "d", "days/week") else text


def _score(v: float | None) -> Text:
    if v is None:
        return Text("–", style="dim")
    style = "green" if v >= 70 else "yellow" if v >= 40 else "red"
    return Text(f"{v:.0f}", style=style)


def headline(card: Scorecard) -> RenderableType:
    st = card.stage
    lines = Text()
    where = f"{card.workspace.get('name', '')}  ·  {card.period.label}"
    if card.slice is not None:
        where += f"  ·  {SLICE_WORDS.get(card.slice.kind, card.slice.kind)} {card.slice.name}"
    lines.append(where + "\n", style="bold")
    lines.append(f"Stage {st.level}: {st.name}\n", style="bold cyan")
    trust = card.indices.trust
    lines.append(f"Trust Index {fmt(card.trust_index)}")
    if trust.capped:
        lines.append(
            f" (capped at the stage ceiling {st.ceiling:g}; uncapped {trust.uncapped:.1f})",
            style="dim",
        )
    lines.append(f"   Predictability Index {fmt(card.predictability_index)}")
    return Panel(lines, title="trustmeter", expand=False)


def scorecard_text(card: Scorecard) -> RenderableType:
    parts: list[RenderableType] = [headline(card)]
    areas = Table(title="Areas", title_justify="left", show_edge=False)
    for col in ("area", "score", "coverage", "status"):
        areas.add_column(col, justify="right" if col in ("score", "coverage") else "left")
    for a in card.areas:
        areas.add_row(
            escape(a.name),
            _score(a.score),
            f"{a.coverage:.0%}",
            a.status.replace("_", " "),
        )
    parts.append(areas)
    for a in card.areas:
        t = Table(title=escape(a.name), title_justify="left", show_edge=False)
        # The id is what `explain` takes: never cut it; on a narrow terminal the values wrap.
        widest = max((len(m.id) for m in a.metrics), default=6)
        t.add_column("metric", no_wrap=True, min_width=widest)
        t.add_column("value", justify="right")
        t.add_column("target", justify="right")
        t.add_column("score", justify="right")
        t.add_column("n", justify="right")
        t.add_column("status", no_wrap=True, min_width=max(len(m.status) for m in a.metrics))
        for m in a.metrics:
            t.add_row(
                m.id,
                fmt(m.value, m.unit),
                fmt(m.target, m.unit),
                _score(m.score),
                str(m.n),
                Text(m.status, style=STATUS_STYLE.get(m.status, "")),
            )
        parts.append(t)
    parts.append(stage_text(card))
    parts.append(focus_text(card))
    if card.perception:
        p = card.perception
        parts.append(
            Text(
                f"Perception vs measurement: {p.label} (stakeholder-rated reliability {p.perceived:.0f}, "
                f"measured stability/delivery {p.measured:.0f}, threshold {p.threshold:.0f})"
            )
        )
    return Group(*parts)


def stage_text(card: Scorecard) -> RenderableType:
    st = card.stage
    out = Text("\nStage ladder\n", style="bold")
    for rung in st.ladder:
        mark = "●" if rung.level <= st.level else "○"
        out.append(
            f"  {mark} {rung.level} {rung.name}",
            style="bold" if rung.level == st.level else "",
        )
        out.append("\n")
    if st.blocked_by:
        out.append(f"Blocked from {st.blocked_by[0].stage_name} by:\n", style="bold")
        for b in st.blocked_by:
            out.append(f"  ✗ {b.condition}: {b.reason}\n")
    return out


def focus_text(card: Scorecard) -> RenderableType:
    f = card.focus
    out = Text("\nNext focus\n", style="bold")
    out.append(f.summary + "\n")
    for i, item in enumerate(f.items, 1):
        out.append(
            f"{i}. {item.name} ({item.area}): {fmt(item.value, item.unit)}, "
            f"score {item.score:.0f}, n = {item.n}\n",
            style="bold",
        )
        for e in item.evidence:
            out.append(f"   · {e.detail}\n")
        for action in item.actions[:2]:
            out.append(f"   → {action}\n", style="cyan")
    if f.unmeasured:
        out.append(
            "Not yet measured: " + ", ".join(i.metric for i in f.unmeasured) + "\n",
            style="dim",
        )
    return out


def trend_text(cards: Sequence[Scorecard]) -> RenderableType:
    """Two tables, so that both fit an 80-column terminal: the stage and the indices, then the
    area scores."""
    overall = Table(title="Trend", title_justify="left", show_edge=False)
    overall.add_column("period", no_wrap=True)
    overall.add_column("stage", no_wrap=True)
    overall.add_column("Trust Index", justify="right")
    overall.add_column("Predictability Index", justify="right")
    for c in cards:
        overall.add_row(
            c.period.label,
            f"{c.stage.level} {c.stage.name}",
            _score(c.trust_index),
            _score(c.predictability_index),
        )
    areas = Table(title="Area scores", title_justify="left", show_edge=False)
    areas.add_column("period", no_wrap=True)
    for a in cards[0].areas if cards else []:
        areas.add_column(escape(a.id), justify="right", no_wrap=True)
    for c in cards:
        areas.add_row(c.period.label, *(_score(a.score) for a in c.areas))
    return Group(overall, areas)


def explain_text(result: Explanation) -> RenderableType:
    m = result.metric
    out: list[RenderableType] = [
        Text(f"{m.id} — {m.name} ({result.period.label})", style="bold"),
        Text(m.description),
        Text(
            f"value {fmt(m.value, m.unit)}, n = {m.n}, target {fmt(m.target, m.unit)}, "
            f"floor {fmt(m.floor, m.unit)}, score {fmt(m.score)}, status {m.status}"
        ),
    ]
    for e in m.evidence:
        out.append(Text(f"  · {e.detail}"))
    recs = result.records
    if recs.columns:
        t = Table(title=f"records behind it ({recs.shown} of {recs.total})", title_justify="left")
        for c in recs.columns:
            t.add_column(c, overflow="fold")
        for row in recs.rows:
            t.add_row(*(escape("" if v is None else str(v)) for v in row))
        out.append(t)
    return Group(*out)

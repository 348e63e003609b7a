"""Terminal rendering of a comparison and of the benchmarks; it formats, it never computes.

Sentences name metrics by their names, and every n says what it counts.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from trustmeter.cli.render import fmt
from trustmeter.scorecard.benchmarks import Placement, place, references
from trustmeter.scorecard.compare import Comparison, MetricChange, ScoreChange, Side
from trustmeter.scorecard.model import Scorecard

VERDICT_STYLE = {
    "beyond_noise": "bold",
    "within_noise": "dim",
    "no_change": "dim",
    "too_small": "yellow",
    "short_history": "yellow",
    "not_comparable": "dim",
}


def _signed(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    if v == 0:
        return "0"
    text = fmt(abs(v), "" if unit in ("%", "pp", "pp off") else unit)
    if unit in ("pp", "%", "pp off"):
        text += " pp"
    return ("+" if v > 0 else "−") + text


def _cell(side: Side, unit: str) -> Text:
    out = Text(fmt(side.value, unit) if side.value is not None else side.status.replace("_", " "))
    out.append("\n" + side.sample, style="dim")
    return out


def _verdict(m: MetricChange | ScoreChange) -> Text:
    text = m.noise.words
    if isinstance(m, MetricChange) and m.better is not None and m.noise.verdict == "beyond_noise":
        text += ", better" if m.better else ", worse"
    return Text(text, style=VERDICT_STYLE.get(m.noise.verdict, ""))


def _score(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}"


def comparison_text(c: Comparison) -> RenderableType:
    a, b = c.period_a.label, c.period_b.label
    head = Text(f"{a} against {b}", style="bold")
    if c.slice is not None:
        head.append(f"  ·  {c.slice['kind']} {escape(c.slice['name'])}")
    head.append(
        f"\nNoise judged against {len(c.history)} periods: {c.history[0].label} to "
        f"{c.history[-1].label} (docs/compare.md)\n",
        style="dim",
    )
    head.append(f"Stage: {c.stage_a[0]} {c.stage_a[1]} → {c.stage_b[0]} {c.stage_b[1]}\n")
    parts: list[RenderableType] = [head]
    overall = Table(title="Headline and areas", title_justify="left", show_edge=False)
    for col in ("", a, b, "change", "noise"):
        overall.add_column(col, justify="left" if col in ("", "noise") else "right")
    for s in (c.trust_index, c.area_average, *c.areas):
        change = "–" if s.change is None else f"{s.change:+.1f}".replace("-", "−")
        overall.add_row(escape(s.name), _score(s.a), _score(s.b), change, _verdict(s))
    parts.append(overall)
    for area in c.areas:
        t = Table(title=escape(area.name), title_justify="left", show_edge=False)
        t.add_column("metric", ratio=3)
        t.add_column(a, justify="right", ratio=3)
        t.add_column(b, justify="right", ratio=3)
        t.add_column("change", justify="right", ratio=2)
        t.add_column("noise", ratio=2)
        for m in c.metrics:
            if m.area == area.id:
                t.add_row(
                    escape(m.name),
                    _cell(m.a, m.unit),
                    _cell(m.b, m.unit),
                    _signed(m.change, m.change_unit),
                    _verdict(m),
                )
        parts.append(t)
    parts.append(_sentences(c))
    return Group(*parts)


def _sentences(c: Comparison) -> Text:
    """The changes beyond noise, and where a figure sits against a published band."""
    out = Text("\nBeyond period-to-period noise\n", style="bold")
    moved = [m for m in c.metrics if m.noise.verdict == "beyond_noise"]
    for m in moved:
        way = "rose" if (m.change or 0) > 0 else "fell"
        judged = "better" if m.better else "worse"
        out.append(
            f"  · {escape(m.name)} {way} from {fmt(m.a.value, m.unit)} to "
            f"{fmt(m.b.value, m.unit)} ({_signed(m.change, m.change_unit)}), {judged}: "
            f"{escape(m.noise.reason)}\n"
        )
    if not moved:
        out.append("  No metric moved beyond its routine variation.\n")
    placed = [m for m in c.metrics if m.a.benchmark is not None or m.b.benchmark is not None]
    if placed:
        out.append("\nAgainst published benchmarks\n", style="bold")
        for m in placed:
            sides = [
                f"{label} {fmt(side.value, m.unit)}, {_band(side.benchmark)}"
                for label, side in ((c.period_a.label, m.a), (c.period_b.label, m.b))
                if side.benchmark is not None
            ]
            out.append(f"  · {escape(m.name)}: {'; '.join(sides)}\n")
        out.append(_sources(), style="dim")
    return out


def _band(p: Placement | None) -> str:
    if p is None or p.band is None:
        return "outside the published bands"
    return f"{p.band} ({p.band_text})"


def _sources() -> str:
    seen = dict.fromkeys(f"{r.citation}: {r.url}" for r in references().values())
    return "".join(f"  Bands from {s}\n" for s in seen)


def benchmarks_text(card: Scorecard, notes: bool = True) -> RenderableType:
    """Each metric with a published reference: the figure, the band it falls in, the source;
    with `notes`, how the metric differs from the publication's."""
    out = Text(f"\nAgainst published benchmarks ({card.period.label})\n", style="bold")
    for ref in references().values():
        m = card.metric(ref.metric)
        if m is None:
            continue
        placed = place(m.id, m.value if m.status == "ok" else None)
        where = placed.sentence if placed is not None else f"{m.status.replace('_', ' ')}"
        out.append(f"  · {escape(m.name)}: {fmt(m.value, m.unit)}, {where}\n")
        if notes:
            out.append(f"    {ref.note}\n", style="dim")
    out.append(_sources(), style="dim")
    return out

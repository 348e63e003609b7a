"""Terminal output of the ordering analysis: the time line, the crossings, the pairs, the verdict."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from trustmeter.ordering.analysis import Ordering

LABEL = {
    "supports": "supports",
    "contradicts": "contradicts",
    "mixed": "mixed",
    "not_demonstrable": "not demonstrable yet",
}
STYLE = {"supports": "green", "contradicts": "red", "mixed": "yellow", "not_demonstrable": "dim"}


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


def timeline(o: Ordering) -> Table:
    """One row per period: area scores, the stage level under both frameworks, surveys closed."""
    h = o.history
    t = Table(title="History", title_justify="left")
    t.add_column("period", no_wrap=True)
    for a in h.scores:
        t.add_column(a[:5] + ("*" if a in h.sparse else ""), justify="right")
    t.add_column("stage", justify="right")
    if not h.same_framework:
        t.add_column("default", justify="right")
    t.add_column("surveys closed")
    for i, p in enumerate(h.periods):
        row = [p.label, *(_num(v[i]) for v in h.scores.values()), str(h.stages[i].level)]
        if not h.same_framework:
            row.append(str(h.default_stages[i].level))
        row.append(escape(", ".join(c.name for c in h.campaigns if c.period == i)))
        t.add_row(*row)
    return t


def stage_legend(o: Ordering) -> Text:
    """The stage names behind the levels, under each framework."""
    h = o.history
    names = {s.level: s.name for s in h.stages}
    text = "Stages: " + ", ".join(f"{k} {v}" for k, v in sorted(names.items()))
    if not h.same_framework:
        text += " (the workspace's framework); default: " + ", ".join(
            f"{k} {v}" for k, v in sorted({s.level: s.name for s in h.default_stages}.items())
        )
    return Text(text, style="dim")


def crossings(o: Ordering) -> Table:
    t = Table(title="Gates crossed for good", title_justify="left")
    for col in ("area", "gate", "stage", "crossed"):
        t.add_column(col)
    for g in o.history.gates:
        if g.every_area:
            continue
        when = "per period" if g.periods == 1 else f"{g.periods} periods running"
        t.add_row(
            g.area,
            f"≥ {g.min:g} ({when})",
            f"{g.stage} {g.stage_name}",
            g.crossed.label if g.crossed else "not (yet) for good",
        )
    return t


def pairs(o: Ordering) -> Table:
    t = Table(title="Which moved first", title_justify="left")
    for col in ("leader → follower", "lag", "90 % interval", "r", "p", "n", "verdict"):
        t.add_column(col)
    for p in o.pairs:
        r = p.result
        t.add_row(
            f"{p.leader} → {p.follower}",
            "–" if r.lag is None else str(r.lag),
            "–" if r.interval is None else f"[{r.interval[0]}, {r.interval[1]}]",
            "–" if r.correlation is None else f"{r.correlation:.2f}",
            "–" if r.p_value is None else f"{r.p_value:.3f}",
            str(r.pairs),
            Text(LABEL[p.verdict], style=STYLE[p.verdict]),
        )
    return t


def method_changes(o: Ordering) -> Table:
    """Teams whose commitments switched kind: say/do before and after, with intervals."""
    t = Table(title="Teams that changed method", title_justify="left")
    for col in ("team", "from → to", "since", "before", "after", "difference", "verdict"):
        t.add_column(col)
    t.add_column("delivered (before → after, difference)")
    for m in o.as_dict()["method_changes"]:
        b, a = m["before"], m["after"]
        t.add_row(
            escape(m["team"]),
            f"{b['method']} → {a['method']}",
            m["changed_in"],
            f"{b['value']:g} (n {b['n']}, {b['interval'][0]:g}–{b['interval'][1]:g})",
            f"{a['value']:g} (n {a['n']}, {a['interval'][0]:g}–{a['interval'][1]:g})",
            f"{m['difference']:+g} ({m['interval'][0]:+g} to {m['interval'][1]:+g})",
            m["verdict"],
            delivery_text(m.get("delivery")),
        )
    return t


def delivery_text(d: dict[str, Any] | None) -> str:
    """Throughput and lead time before and after a change of method, in one cell."""
    return str(d["text"]) if d else "–"


def ordering_text(o: Ordering) -> RenderableType:
    h = o.history
    parts: list[RenderableType] = [timeline(o), stage_legend(o)]
    if h.sparse:
        marked = ", ".join(f"{a} (the {k} survey)" for a, k in h.sparse.items())
        parts.append(Text(f"* observed only when a survey closes: {marked}", style="dim"))
    parts += [crossings(o), pairs(o)]
    if o.method_changes:
        parts.append(method_changes(o))
    for p in o.pairs:
        line = f"{p.leader} → {p.follower}: {LABEL[p.verdict]}. {p.reason}"
        if p.needs:
            line += f". Needs: {p.needs.text}"
        parts.append(Text(line))
    verdict = Text(
        f"\nVerdict: {LABEL[o.overall.verdict]}. ", style="bold " + STYLE[o.overall.verdict]
    )
    verdict.append(o.overall.text, style="")
    parts.append(verdict)
    if o.overall.needs:
        parts.append(Text(f"What would decide it: {o.overall.needs.text}."))
    return Group(*parts)

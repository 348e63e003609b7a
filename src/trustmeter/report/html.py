"""Render scorecards (`scorecard_model.Scorecard`) as one self-contained HTML report.

The work is split in two. This module assembles a *view* of the scorecard's attributes: plain
strings, numbers and chart geometry, with every missing value already decided ("—", "not
measured", no bar), one sibling module per part (summary, stage, charts, sections,
perception, forecast_view; format for the text of a value). The Jinja2 templates in
`templates/` only lay the view out. Autoescape is
on for every template and nothing is ever marked safe, so any text that came from the data
(names, evidence, notes, the workspace, the title) reaches the page escaped, inside SVG as
well.

Nothing in the output points outside the file: no scripts, stylesheets, fonts or images are
referenced, the CSS is inline, and the charts are inline SVG drawn here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from trustmeter.periods import Period
from trustmeter.report.charts import area_bars, area_chart, trend_chart
from trustmeter.report.forecast_view import forecast_view
from trustmeter.report.format import (
    DASH,
    STATUS_LABELS,
    fmt_date,
    fmt_num,
    fmt_pct,
    fmt_score,
    fmt_timestamp,
    fmt_value,
    text,
)
from trustmeter.report.metric_trend import metric_trends
from trustmeter.report.onepager_focus import focus_items
from trustmeter.report.ordering_view import ordering_view
from trustmeter.report.perception import perception_view
from trustmeter.report.sections import focus_view, scorecard_tables
from trustmeter.report.stage import ladder_view, stage_of
from trustmeter.report.summary import headline_view, summary_view
from trustmeter.report.template_cache import TemplateCache
from trustmeter.scorecard.model import Scorecard

# The web app's pages format figures with these, imported from here.
__all__ = [
    "DASH",
    "DEFAULT_TITLE",
    "STATUS_LABELS",
    "build_view",
    "fmt_date",
    "fmt_num",
    "fmt_pct",
    "fmt_score",
    "fmt_timestamp",
    "fmt_value",
    "render_html",
]


DEFAULT_TITLE = "IT trust report"


def render_html(
    current: Scorecard,
    trend: Sequence[Scorecard],
    title: str = DEFAULT_TITLE,
    forecasting: dict[str, Any] | None = None,
    ordering: dict[str, Any] | None = None,
    slices: list[dict[str, Any]] | None = None,
    template_cache: Path | None = None,
) -> str:
    """Render the executive report for `current`, with `trend` (oldest first) as history.

    `trend` may be empty, may or may not contain `current`, and may be a single period.
    `forecasting` is what `report.forecasting.forecasting_data` returns; with it the report
    gains a "Forecasts and flow" section (docs/report.md). `template_cache` is a folder to
    keep the compiled templates in between processes (report/template_cache.py).
    """
    view = build_view(current, trend, title or DEFAULT_TITLE)
    view["forecasting"] = forecast_view(forecasting)
    view["ordering"] = ordering_view(ordering, current)  # `trustmeter ordering --json`
    view["slices"] = slices or []  # report/slices_view.slice_section, one per kind
    return _env(template_cache).get_template("report.html.j2").render(v=view)


# Every template, whatever its name, is autoescaped; never disabled.
_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


@cache
def _env(template_cache: Path | None = None) -> Environment:
    """One Environment per process (and cache folder): Jinja keeps the templates it compiled."""
    return Environment(
        loader=PackageLoader("trustmeter.report", "templates"),
        undefined=StrictUndefined,
        bytecode_cache=None
        if template_cache is None
        else TemplateCache(template_cache, f"report|{sorted(_OPTIONS.items())!r}"),
        **_OPTIONS,
    )


def build_view(current: Scorecard, trend: Sequence[Scorecard], title: str) -> dict[str, Any]:
    areas = list(current.areas)
    area_names = {a.id: a.name for a in areas}
    metrics = {m.id: m for m in current.metrics()}
    series = _series(current, trend)
    stage = stage_of(current)
    ctx = {
        "areas": areas,
        "area_names": area_names,
        "metrics": metrics,
        "stage": stage,
    }
    area_view = area_bars(areas, stage)
    return {
        "title": title,
        "workspace": text(current.workspace.get("name")),
        "profile": text(current.workspace.get("profile")),
        "period_label": current.period.label,
        "period_dates": _period_dates(current.period),
        "computed_at": fmt_timestamp(current.generated_at),
        "rendered_at": datetime.now(UTC).strftime("%d %b %Y, %H:%M UTC"),
        "version": current.trustmeter,
        "headline": headline_view(current, stage, series, metrics),
        "summary": summary_view(current, stage, ctx, series, area_view),
        "ladder": ladder_view(stage, ctx),
        "area_chart": area_chart(area_view),
        "trend": trend_chart(series, areas),
        "focus": focus_view(current, ctx),
        "top_three": focus_items(current, 3),
        "metric_trends": metric_trends(series) if len(series) >= 2 else [],
        "tables": scorecard_tables(areas),
        "perception": perception_view(current),
    }


def _period_dates(period: Period) -> str:
    """`period.end` is exclusive; the reader wants the last day inside the period."""
    last = period.end - timedelta(days=1)
    return f"{fmt_date(period.start.isoformat())} to {fmt_date(last.isoformat())}"


def _series(current: Scorecard, trend: Sequence[Scorecard]) -> list[Scorecard]:
    """The history up to and including `current`, oldest first, one card per period."""

    def key(card: Scorecard) -> tuple[date, str]:
        return (card.period.start, card.period.label)

    ck = key(current)
    seen: set[tuple[date, str]] = set()
    out: list[Scorecard] = []
    for card in trend:
        k = key(card)
        if k == ck or k in seen:
            continue
        seen.add(k)
        out.append(card)
    out.append(current)
    out.sort(key=lambda c: c.period.start)
    return [c for c in out if c.period.start <= current.period.start]

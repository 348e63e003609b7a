"""The reports of a workspace: the full HTML report (the trend of scorecards and the forecasting
section) and the executive one-pager, as HTML or as a one-page PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from trustmeter.forecast.backtest_cache import FOLDER as BACKTEST_CACHE
from trustmeter.forecast.backtest_cache import BacktestCache
from trustmeter.ordering import Ordering, scored_periods
from trustmeter.ordering import run as run_ordering
from trustmeter.ordering.history import first_record_day
from trustmeter.periods import Period, containing, last_complete, series
from trustmeter.report import render_html
from trustmeter.report.forecasting import forecasting_data
from trustmeter.report.onepager import OnePagerInput, render_onepager
from trustmeter.report.pdf import Paper, html_to_pdf
from trustmeter.report.slices_view import slice_row, slice_section
from trustmeter.report.template_cache import FOLDER as TEMPLATE_CACHE
from trustmeter.scorecard.focus import slice_synthesis
from trustmeter.scorecard.model import Scorecard
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store.freshness import records_end
from trustmeter.usecases.scoring import scorer_for
from trustmeter.usecases.slicing import slice_names
from trustmeter.workspace import Workspace


@dataclass(frozen=True)
class Report:
    cards: list[Scorecard]  # oldest first; the last is the report's period
    html: str
    ordering: Ordering  # does the framework's order hold on this history (docs/ordering.md)


def build_report(
    ws: Workspace, scorer: Scorer, last: Period, periods: int, day: date, slices: bool = False
) -> Report:
    """`periods` scorecards ending with `last`, forecasts made as of `day`, and the test of
    the framework's order on the history up to `day`; with `slices`, a section per business
    unit, service and team (each slice is scored: seconds more on two years of data)."""
    kind = last.kind if last.kind != "custom" else "quarter"
    shown = series(last, periods)
    # Where the history begins, asked once (five queries) for both uses below.
    begins = first_record_day(scorer)
    # The trend and the ordering's history in one Scorer pass: every metric is one query
    # for all the periods, so two passes would run each query twice.
    scorer.prepare([*shown, *scored_periods(scorer, kind, begins, end=day)])
    cards = scorer.trend(shown)
    forecasts = forecasting_data(
        scorer.store, ws.timezone, day, BacktestCache(ws.root / BACKTEST_CACHE)
    )
    order = run_ordering(scorer, kind, begins, end=day)
    title = f"{ws.name}: IT trust report"
    by_slice = slice_sections(ws, scorer, cards[-1]) if slices else None
    html = render_html(
        cards[-1],
        cards,
        title,
        forecasts,
        ordering=order.as_dict(),
        slices=by_slice,
        template_cache=ws.root / TEMPLATE_CACHE,
    )
    return Report(cards, html, order)


def slice_sections(ws: Workspace, scorer: Scorer, department: Scorecard) -> list[dict[str, Any]]:
    """Every business unit, service and team the records name, scored for the department
    card's period on the same store and framework, as the report's slice sections."""
    sections = []
    for kind, names in slice_names(scorer.store).items():
        rows = []
        for n in names:
            sliced = scorer_for(ws, scorer.store, n.slice, scorer.framework)
            card = sliced.scorecard(department.period)
            rows.append(slice_row(card, slice_synthesis(card, department), n.label, ""))
        sections.append(slice_section(kind, rows))
    return sections


def write_report(
    ws: Workspace,
    scorer: Scorer,
    out: Path,
    as_of: date | None = None,
    periods: int = 8,
    slices: bool = False,
) -> Report:
    """The report as of `as_of` (by default today, or the day after the records end when they
    end earlier), for the framework's period, to `out`."""
    day = as_of or scorer.default_day(date.today())
    last = last_complete(day, scorer.framework.settings.period)
    report = build_report(ws, scorer, last, periods, day, slices)
    out.write_text(report.html, "utf-8")
    return report


def year_before(period: Period) -> Period | None:
    """The same month or quarter a year earlier; None for a custom range."""
    if period.kind not in ("month", "quarter"):
        return None
    return containing(date(period.start.year - 1, period.start.month, 1), period.kind)


def build_onepager(ws: Workspace, scorer: Scorer, last: Period) -> OnePagerInput:
    """This period, the one before and the one a year before, in one pass, and the data's end."""
    ago = year_before(last)
    wanted = [p for p in (ago, last.previous(), last) if p is not None]
    cards = scorer.trend(wanted)
    by_period = {c.period: c for c in cards}
    return OnePagerInput(
        current=by_period[last],
        previous=by_period[last.previous()],
        year_ago=by_period[ago] if ago is not None else None,
        freshness=records_end(scorer.store, ws.timezone),
        title=f"{ws.name}: IT trust on one page",
    )


def onepager_period(scorer: Scorer, as_of: date | None) -> Period:
    """The framework's last complete period before `as_of` (today when not given)."""
    return last_complete(as_of or date.today(), scorer.framework.settings.period)


def write_onepager(
    ws: Workspace,
    scorer: Scorer,
    as_of: date | None = None,
    html_out: Path | None = None,
    pdf_out: Path | None = None,
    paper: Paper = "a4",
) -> OnePagerInput:
    """The one-pager as HTML to `html_out` and/or as a one-page PDF to `pdf_out`.

    The PDF is printed before anything is written, so a missing browser leaves no half result.
    """
    data = build_onepager(ws, scorer, onepager_period(scorer, as_of))
    html = render_onepager(data)
    pdf = html_to_pdf(html, paper) if pdf_out is not None else None
    if html_out is not None:
        html_out.write_text(html, "utf-8")
    if pdf_out is not None and pdf is not None:
        pdf_out.write_bytes(pdf)
    return data

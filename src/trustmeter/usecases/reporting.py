"""The HTML report of a workspace: the trend of scorecards and the forecasting section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from trustmeter.periods import Period, last_complete, series
from trustmeter.report import render_html
from trustmeter.report.forecasting import forecasting_data
from trustmeter.scorecard.model import Scorecard
from trustmeter.scorecard.scorer import Scorer
from trustmeter.workspace import Workspace


@dataclass(frozen=True)
class Report:
    cards: list[Scorecard]  # oldest first; the last is the report's period
    html: str


def build_report(ws: Workspace, scorer: Scorer, last: Period, periods: int, day: date) -> Report:
    """`periods` scorecards ending with `last`, and forecasts made as of `day`."""
    cards = scorer.trend(series(last, periods))
    forecasts = forecasting_data(scorer.store, ws.timezone, day)
    title = f"{ws.name}: IT trust report"
    return Report(cards, render_html(cards[-1], cards, title=title, forecasting=forecasts))


def write_report(
    ws: Workspace, scorer: Scorer, out: Path, as_of: date | None = None, periods: int = 8
) -> Report:
    """The report as of `as_of` (today when not given), for the framework's period, to `out`."""
    day = as_of or date.today()
    last = last_complete(day, scorer.framework.settings.period)
    report = build_report(ws, scorer, last, periods, day)
    out.write_text(report.html, "utf-8")
    return report

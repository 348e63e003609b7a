"""`score`, `trend`, `explain` and `report`: the scorecard, its history, its records, its report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trustmeter.cli.common import (
    clean_errors,
    parse_date,
    scorer_period,
    slice_of,
    slice_options,
    workspace_of,
)
from trustmeter.periods import series
from trustmeter.usecases.scoring import open_scorer

# The renderers and the report are imported where used: `score --json` needs neither, and
# they are a sixth of its start-up.


@click.command()
@click.option("--as-of", help="Score the last complete period before this date (YYYY-MM-DD).")
@click.option("--from", "date_from", help="Period start (YYYY-MM-DD), inclusive.")
@click.option("--to", "date_to", help="Period end (YYYY-MM-DD), exclusive.")
@click.option(
    "--period",
    "period_kind",
    type=click.Choice(["month", "quarter"]),
    help="Period length (default: the framework's, a quarter).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard object as JSON.")
@slice_options
@click.pass_context
@clean_errors
def score(
    ctx: click.Context,
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    period_kind: str | None,
    as_json: bool,
    unit: str | None,
    service: str | None,
    team: str | None,
) -> None:
    """Print the scorecard: metrics, area scores, stage, indices and next focus.

    The default period is the last complete quarter.

    Example:

        trustmeter score --as-of 2026-10-01 --json

    With --unit, --service or --team it scores that slice only, and says which metrics have
    no meaning for it:

        trustmeter score --service "SAP S/4HANA ERP"
    """
    ws = workspace_of(ctx)
    with open_scorer(ws, slice_of(unit, service, team)) as scorer:
        period = scorer_period(scorer, as_of, date_from, date_to, period_kind)
        card = scorer.scorecard(period)
    if as_json:
        click.echo(json.dumps(card.as_dict(), indent=2, default=str))
    else:
        from rich.console import Console

        from trustmeter.cli.compare_render import benchmarks_text
        from trustmeter.cli.render import scorecard_text

        Console(highlight=False).print(scorecard_text(card), benchmarks_text(card, notes=False))


@click.command()
@click.option(
    "--periods",
    default=8,
    show_default=True,
    type=click.IntRange(1, 60),
    help="How many periods, ending with the last complete one.",
)
@click.option("--as-of", help="End with the last complete period before this date.")
@click.option("--period", "period_kind", type=click.Choice(["month", "quarter"]))
@click.option("--json", "as_json", is_flag=True, help='Print {"periods": [scorecard…]} as JSON.')
@slice_options
@click.pass_context
@clean_errors
def trend(
    ctx: click.Context,
    periods: int,
    as_of: str | None,
    period_kind: str | None,
    as_json: bool,
    unit: str | None,
    service: str | None,
    team: str | None,
) -> None:
    """One scorecard per period, oldest first: are we getting better?

    Example:

        trustmeter trend --periods 8

    --unit, --service or --team give the trend of one slice (see `score`).
    """
    ws = workspace_of(ctx)
    with open_scorer(ws, slice_of(unit, service, team)) as scorer:
        last = scorer_period(scorer, as_of, None, None, period_kind)
        cards = scorer.trend(series(last, periods))
    if as_json:
        click.echo(json.dumps({"periods": [c.as_dict() for c in cards]}, indent=2, default=str))
    else:
        from rich.console import Console

        from trustmeter.cli.render import trend_text

        Console(highlight=False).print(trend_text(cards))


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Where to write the HTML file (default: trustmeter-report.html, or "
    "trustmeter-summary.html with --summary).",
)
@click.option("--as-of", help="Report on the last complete period before this date.")
@click.option(
    "--periods",
    default=8,
    show_default=True,
    type=click.IntRange(1, 60),
    help="Periods in the trend chart of the full report.",
)
@click.option(
    "--summary",
    is_flag=True,
    help="Write the executive one-pager instead of the full report.",
)
@click.option(
    "--pdf",
    "pdf_out",
    type=click.Path(dir_okay=False),
    help="Print the one-pager to this PDF file, one page (needs the `pdf` extra).",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="The PDF's paper size.",
)
@click.option(
    "--slices",
    is_flag=True,
    help="Add a section per business unit, service and team to the full report (slower).",
)
@click.pass_context
@clean_errors
def report(
    ctx: click.Context,
    out: str | None,
    as_of: str | None,
    periods: int,
    summary: bool,
    pdf_out: str | None,
    paper: str,
    slices: bool,
) -> None:
    """Write one self-contained HTML report that opens offline, or the one-pager.

    Example:

        trustmeter report --out q3-report.html

        trustmeter report --summary --out q3-summary.html

        trustmeter report --pdf q3-summary.pdf --paper letter

    --pdf alone writes only the PDF; with --summary or --out it writes the HTML one-pager too.
    """
    from trustmeter.usecases.reporting import write_onepager, write_report

    ws = workspace_of(ctx)
    day = parse_date(as_of, "--as-of") if as_of else None
    with open_scorer(ws) as scorer:
        if summary or pdf_out:
            html_out = Path(out or "trustmeter-summary.html") if summary or out else None
            write_onepager(
                ws,
                scorer,
                day,
                html_out=html_out,
                pdf_out=Path(pdf_out) if pdf_out else None,
                paper="letter" if paper == "letter" else "a4",
            )
            for written in (html_out, pdf_out):
                if written:
                    click.echo(f"wrote {written}")
            return
        target = out or "trustmeter-report.html"
        write_report(ws, scorer, Path(target), day, periods, slices)
    click.echo(f"wrote {target}")


@click.command()
@click.argument("metric_id")
@click.option("--as-of", help="The last complete period before this date.")
@click.option("--from", "date_from")
@click.option("--to", "date_to")
@click.option("--period", "period_kind", type=click.Choice(["month", "quarter"]))
@click.option("--limit", default=50, show_default=True, help="Records to show.")
@click.option("--json", "as_json", is_flag=True)
@slice_options
@click.pass_context
@clean_errors
def explain(
    ctx: click.Context,
    metric_id: str,
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    period_kind: str | None,
    limit: int,
    as_json: bool,
    unit: str | None,
    service: str | None,
    team: str | None,
) -> None:
    """Show how a metric was computed and the records behind it.

    Example:

        trustmeter explain mttr --as-of 2026-10-01

    With --unit, --service or --team: the slice's figure and only its records.
    """
    from trustmeter.scorecard.explain import explain_metric

    ws = workspace_of(ctx)
    with open_scorer(ws, slice_of(unit, service, team)) as scorer:
        period = scorer_period(scorer, as_of, date_from, date_to, period_kind)
        result = explain_metric(scorer, metric_id, period, limit)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        from rich.console import Console

        from trustmeter.cli.render import explain_text

        Console(highlight=False).print(explain_text(result))

"""`trustmeter ordering`: does the framework's order hold on this organisation's history?

Thin like the rest of the CLI: parse, open the workspace, call trustmeter.ordering.run,
print. Registered on the main group in cli/__init__.py.
"""

from __future__ import annotations

import json
from datetime import date

import click
from rich.console import Console

from trustmeter.cli.common import clean_errors, parse_date, workspace_of
from trustmeter.periods import PeriodKind
from trustmeter.usecases.scoring import open_scorer


def _day(text: str | None, opt: str) -> date | None:
    return None if text is None else parse_date(text, opt)


@click.command("ordering")
@click.option(
    "--period",
    "period_kind",
    type=click.Choice(["month", "quarter"]),
    help="Period length (default: the framework's, a quarter). Months give more changes to test.",
)
@click.option("--from", "date_from", help="First day of the history (default: the first record).")
@click.option("--to", "date_to", help="End of the history, exclusive (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.pass_context
@clean_errors
def ordering(
    ctx: click.Context,
    period_kind: str | None,
    date_from: str | None,
    date_to: str | None,
    as_json: bool,
) -> None:
    """Does the framework's order hold here? Gates crossed, which area moved first, a verdict.

    For each pair the framework orders (stability and delivery before relationships and
    planning, talent underneath) it finds the lag that best aligns the two areas' changes,
    with an interval and a null test, and says supports, contradicts, mixed or not
    demonstrable yet, with what more data would decide it. docs/ordering.md has the method.

    Example:

        trustmeter ordering --period month --json
    """
    from trustmeter.ordering import run
    from trustmeter.ordering.render import ordering_text

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if start and end and end <= start:
        raise click.UsageError("--to must be after --from")
    with open_scorer(workspace_of(ctx)) as scorer:
        wanted = period_kind or scorer.framework.settings.period
        kind: PeriodKind = "month" if wanted == "month" else "quarter"
        result = run(scorer, kind, start, end)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        Console(highlight=False).print(ordering_text(result))

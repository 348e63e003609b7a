"""`trustmeter ordering`: does the framework's order hold on this organisation's history?

Thin like the rest of the CLI: parse, open the workspace, call trustmeter.ordering.run,
print. Registered on the main group in cli.py.
"""

from __future__ import annotations

import json
from datetime import date

import click
from rich.console import Console

from trustmeter import workspace as ws_mod
from trustmeter.cli import clean_errors
from trustmeter.periods import PeriodKind


def _day(text: str | None, opt: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r}: expected a date as YYYY-MM-DD", param_hint=opt
        ) from exc


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
    from trustmeter.scorecard import Scorer

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if start and end and end <= start:
        raise click.UsageError("--to must be after --from")
    ws = ws_mod.find(ctx.obj.get("workspace"))
    fw = ws.framework()
    store = ws.open()
    try:
        scorer = Scorer(store, fw, ws.profile, ws.as_dict())
        kind: PeriodKind = "month" if (period_kind or fw.params["period"]) == "month" else "quarter"
        result = run(scorer, kind, start, end)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        Console(highlight=False).print(ordering_text(result))

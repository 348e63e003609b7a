"""`compare` and `benchmarks`: two periods side by side; figures against published bands."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.console import Console

from trustmeter.cli.common import clean_errors, period_of, slice_of, slice_options, workspace_of
from trustmeter.cli.compare_render import benchmarks_text, comparison_text
from trustmeter.periods import Period, PeriodKind
from trustmeter.scorecard.benchmarks import place, references
from trustmeter.usecases.comparing import HISTORY, compare_periods, period_named
from trustmeter.usecases.scoring import open_scorer


@click.command()
@click.argument("period_a")
@click.argument("period_b")
@click.option(
    "--history",
    default=HISTORY,
    show_default=True,
    type=click.IntRange(2, 40),
    help="Periods, ending with the earlier one, whose moving ranges set the noise limits.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@slice_options
@click.pass_context
@clean_errors
def compare(
    ctx: click.Context,
    period_a: str,
    period_b: str,
    history: int,
    as_json: bool,
    unit: str | None,
    service: str | None,
    team: str | None,
) -> None:
    """Two periods side by side: every metric, its change, and whether the change is beyond
    the period-to-period noise.

    A period is a quarter (2026-Q2), a month (2026-05) or a date (the quarter, or the
    framework's period, that contains it).

    Example:

        trustmeter compare 2026-Q2 2026-Q3
        trustmeter compare 2025-Q3 2026-Q3 --unit Operations

    Shares (change failure rate, review cadence…) are judged by a two-proportion test; every
    other figure by the moving ranges of its last --history periods (docs/compare.md).
    """
    ws = workspace_of(ctx)
    with open_scorer(ws, slice_of(unit, service, team)) as scorer:
        kind = scorer.framework.settings.period
        a = _period(period_a, kind, "PERIOD_A")
        b = _period(period_b, kind, "PERIOD_B")
        try:
            result = compare_periods(scorer, a, b, history)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        Console(highlight=False).print(comparison_text(result))


def _period(text: str, framework_kind: str, hint: str) -> Period:
    """A PERIOD argument; a bare date means the framework's period kind that contains it."""
    kind: PeriodKind = "month" if framework_kind == "month" else "quarter"
    try:
        return period_named(text, kind)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc


@click.command()
@click.option("--as-of", help="Place the last complete period before this date (YYYY-MM-DD).")
@click.option("--period", "period_kind", type=click.Choice(["month", "quarter"]))
@click.option("--json", "as_json", is_flag=True, help="Print the references and placements.")
@slice_options
@click.pass_context
@clean_errors
def benchmarks(
    ctx: click.Context,
    as_of: str | None,
    period_kind: str | None,
    as_json: bool,
    unit: str | None,
    service: str | None,
    team: str | None,
) -> None:
    """Where the figures sit against published bands (DORA), citing each source.

    Only published bands are used; a metric without one has no benchmark (docs/benchmarks.md).

    Example:

        trustmeter benchmarks --as-of 2026-10-01
    """
    ws = workspace_of(ctx)
    with open_scorer(ws, slice_of(unit, service, team)) as scorer:
        period = period_of(as_of, None, None, period_kind or scorer.framework.settings.period)
        card = scorer.scorecard(period)
    if not as_json:
        Console(highlight=False).print(benchmarks_text(card))
        return
    out = []
    for ref in references().values():
        m = card.metric(ref.metric)
        if m is None:
            continue
        placed = place(m.id, m.value) if m.status == "ok" else None
        out.append(
            {
                "metric": m.id,
                "name": m.name,
                "value": m.value,
                "unit": m.unit,
                "status": m.status,
                "placement": None if placed is None else placed.as_dict(),
                "reference": asdict(ref),
            }
        )
    click.echo(json.dumps({"period": card.period.as_dict(), "benchmarks": out}, indent=2))

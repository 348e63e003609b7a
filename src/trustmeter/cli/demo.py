"""`trustmeter demo`: a realistic organisation, generated, imported, scored and reported."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from trustmeter.cli.common import clean_errors


@click.command()
@click.argument("directory", default="trustmeter-demo", type=click.Path(file_okay=False))
@click.option(
    "--seed",
    default=7,
    show_default=True,
    help="Random seed: the same seed gives the same organisation.",
)
@click.option("--db", help="Database URL for the demo workspace (default: embedded DuckDB).")
@click.option("--force", is_flag=True, help="Replace an existing demo folder.")
@clean_errors
def demo(directory: str, seed: int, db: str | None, force: bool) -> None:
    """Build a realistic demo organisation, import it, score it and write the report.

    About 40 IT staff, 12 services and two years of history, written as the files real tools
    export and imported through the normal importers.

    Example:

        trustmeter demo my-demo
    """
    from trustmeter.cli.render import scorecard_text, trend_text
    from trustmeter.usecases.demo import DEMO_TODAY, run_demo

    run = run_demo(Path(directory), seed=seed, db=db, force=force, echo=click.echo)
    console = Console(highlight=False)
    console.print(trend_text(run.cards))
    console.print(scorecard_text(run.cards[-1]))
    click.echo(f"Does the framework's order hold here? {run.order_verdict}")
    click.echo(f"\nwrote the report to {run.report}")
    click.echo(
        f"demo finished in {run.seconds:.1f} s; try:\n"
        f"  trustmeter -w {directory} score --as-of {DEMO_TODAY}\n"
        f"  trustmeter -w {directory} explain mttr --as-of {DEMO_TODAY}"
    )

"""`trustmeter import KIND FILES`: read exports into the workspace, in one transaction."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import click
from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from trustmeter.cli.common import (
    RECORD_KINDS,
    clean_errors,
    err,
    parse_pairs,
    parse_value_maps,
    workspace_of,
)
from trustmeter.connectors.explain import Explanation
from trustmeter.connectors.explain import render as render_explanation
from trustmeter.usecases.importing import ImportRequest, Progress, import_records, summary


@click.command("import")
@click.argument("kind", type=click.Choice(RECORD_KINDS))
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False),
    help="A saved mapping file (TOML): columns, value maps, time zone, date format.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a canonical field from a column, e.g. --map opened_at='Opened'.",
)
@click.option(
    "--value",
    "values",
    multiple=True,
    metavar="FIELD:VALUE=CANONICAL",
    help="Map a value, e.g. --value severity:critical=P1.",
)
@click.option("--source", help="Source name; re-importing the same source updates its records.")
@click.option(
    "--timezone", "tz", help="Zone for timestamps without one (default: the workspace's)."
)
@click.option("--date-format", help="strptime format for dates, e.g. '%d/%m/%Y %H:%M'.")
@click.option("--delimiter", help="Field delimiter for CSV/TSV files.")
@click.option("--sheet", help="Sheet name for XLSX files.")
@click.option("--dry-run", is_flag=True, help="Validate everything and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--format",
    "fmt",
    metavar="NAME",
    help="A built-in preset for a tool's export, e.g. servicenow, jira, pagerduty, git "
    "(`trustmeter presets` lists them).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show which columns are used or ignored and what each value maps to.",
)
@click.pass_context
@clean_errors
def import_(
    ctx: click.Context,
    kind: str,
    files: tuple[str, ...],
    mapping_file: str | None,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    source: str | None,
    tz: str | None,
    date_format: str | None,
    delimiter: str | None,
    sheet: str | None,
    dry_run: bool,
    as_json: bool,
    fmt: str | None = None,
    explain: bool = False,
) -> None:
    """Import records of KIND from CSV, TSV, JSON, NDJSON or XLSX files.

    All files are imported in one transaction: one bad row rejects them all, with an error
    naming the file, line, column, value and what was expected. Re-running is safe.

    Example:

        trustmeter import incidents export.csv --map id=number --map opened_at=opened \\
            --value severity:"1 - Critical"=P1 --timezone Europe/Berlin --source servicenow
        trustmeter import incidents incident.csv --format servicenow --explain
    """
    ws = workspace_of(ctx)
    req = ImportRequest(
        kind=kind,
        files=tuple(Path(f) for f in files),
        preset=fmt,
        mapping_file=Path(mapping_file) if mapping_file else None,
        columns=parse_pairs(maps, "--map"),
        values=parse_value_maps(values),
        timezone=tz,
        source=source,
        date_format=date_format,
        delimiter=delimiter,
        sheet=sheet,
        dry_run=dry_run,
        explain=explain,
    )

    def show_explanation(e: Explanation) -> None:
        if not as_json:
            click.echo(render_explanation(e) + "\n")

    with progress_bar(kind, req.files, show=not as_json) as progress:
        outcome = import_records(ws, req, progress, show_explanation)
    if as_json:
        click.echo(json.dumps(outcome.as_dict(), indent=2, default=str))
    else:
        click.echo(summary(kind, outcome.result))


@contextlib.contextmanager
def progress_bar(kind: str, files: tuple[Path, ...], show: bool) -> Iterator[Progress]:
    """A bar on stderr for big imports (over 5 MB) on a terminal; silent otherwise."""
    total = sum(f.stat().st_size for f in files if f.exists())
    with RichProgress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=err,
        disable=not (show and total > 5_000_000 and err.is_terminal),
        transient=True,
    ) as bar:
        task = bar.add_task(kind, total=total or 1, rows=0)

        def progress(rows: int, done: int, _total: int) -> None:
            bar.update(task, completed=done, rows=rows)

        yield progress

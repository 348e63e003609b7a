"""The command line: a thin shell that parses, opens the workspace, asks the core, and prints.

Every command turns trustmeter's own errors into one clean message on stderr (exit code 1 for
a user error, 2 for bad usage); no command computes a figure or writes SQL itself.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from trustmeter import __version__
from trustmeter import workspace as ws_mod
from trustmeter.errors import TrustmeterError
from trustmeter.periods import Period, last_complete, series

RECORD_KINDS = [
    "services",
    "incidents",
    "changes",
    "work-items",
    "commitments",
    "projects",
    "objectives",
    "engagements",
    "stakeholders",
    "people",
    "skills",
    "learning",
    "budget",
    "survey-responses",
]

err = Console(stderr=True, highlight=False)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print trustmeter's errors as one message, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TrustmeterError as exc:
            err.print(f"[bold red]error:[/] {_esc(str(exc))}")
            sys.exit(1)

    return wrapper


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _workspace(ctx: click.Context) -> ws_mod.Workspace:
    return ws_mod.find(ctx.obj.get("workspace"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trustmeter")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False),
    envvar="TRUSTMETER_WORKSPACE",
    help="Workspace folder (default: the nearest folder up with trustmeter.toml).",
)
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """trustmeter: where does IT stand on the road from order taker to trusted partner?

    Import your incident, change, ticket, project, budget, HR and survey exports, then ask
    for the scorecard, the stage, the next focus and the trend.

    Example:

        trustmeter demo            # a realistic organisation, end to end
        trustmeter init acme-it --profile mid --timezone Europe/Berlin
        trustmeter -w acme-it import incidents incidents.csv --mapping servicenow.toml
        trustmeter -w acme-it score
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace


# -- init -----------------------------------------------------------------------------------
@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--profile",
    type=click.Choice(ws_mod.PROFILES),
    default="mid",
    show_default=True,
    help="Size of the IT department: small (≤10 staff), mid (11–100), large (>100).",
)
@click.option(
    "--db",
    help="Database URL (default: an embedded DuckDB file in the workspace). "
    "For a team: postgresql://user@host:5432/dbname",
)
@click.option(
    "--timezone",
    "tz",
    default="UTC",
    show_default=True,
    help="Zone for timestamps that arrive without one (IANA name).",
)
@click.option("--name", help="Workspace name shown in reports (default: the folder name).")
@clean_errors
def init(directory: str, profile: str, db: str | None, tz: str, name: str | None) -> None:
    """Create a workspace: trustmeter.toml and its database.

    Example:

        trustmeter init acme-it --profile mid --timezone Europe/Berlin
        trustmeter init team-ws --db postgresql://trustmeter@db.internal/trustmeter
    """
    ws = ws_mod.init(Path(directory), profile=profile, db=db, timezone=tz, name=name)
    click.echo(f"created workspace {ws.name!r} in {ws.root} ({ws.database}, profile {profile})")


# -- import ---------------------------------------------------------------------------------
def _parse_pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: expected field=column", param_hint=what)
        k, _, col = v.partition("=")
        out[k.strip()] = col.strip()
    return out


def _parse_value_maps(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for v in values:
        field, sep, rest = v.partition(":")
        src, sep2, dst = rest.rpartition("=")
        if not sep or not sep2 or not field or not src:
            raise click.BadParameter(
                f"{v!r}: expected field:value=canonical, e.g. severity:critical=P1",
                param_hint="--value",
            )
        out.setdefault(field.strip(), {})[src.strip()] = dst.strip()
    return out


@cli.command("import")
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
    if fmt or explain:
        from trustmeter.cli_connectors import import_with_format

        return import_with_format(
            ctx,
            kind,
            files,
            fmt,
            explain,
            mapping_file,
            maps,
            values,
            source,
            tz,
            date_format,
            delimiter,
            sheet,
            dry_run,
            as_json,
        )
    ws = _workspace(ctx)
    result = run_import(
        ws,
        kind,
        [Path(f) for f in files],
        mapping_file,
        _parse_pairs(maps, "--map"),
        _parse_value_maps(values),
        source,
        tz,
        date_format,
        delimiter,
        sheet,
        dry_run,
        quiet=as_json,
    )
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        click.echo(_import_summary(kind, result))


def run_import(
    ws: ws_mod.Workspace,
    kind: str,
    files: list[Path],
    mapping_file: str | None = None,
    columns: dict[str, str] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    source: str | None = None,
    tz: str | None = None,
    date_format: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    quiet: bool = False,
) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from trustmeter.ingest import ImportOptions, Mapping, import_files

    mapping = Mapping.load(Path(mapping_file)) if mapping_file else Mapping()
    if columns or values or tz:
        # --timezone beats the mapping file's zone, which beats the workspace's.
        mapping = mapping.merged(columns=columns or {}, values=values or {}, timezone=tz)
    total = sum(f.stat().st_size for f in files if f.exists())
    show = not quiet and total > 5_000_000 and err.is_terminal
    with Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task(kind, total=total or 1, rows=0)

        def progress(rows: int, done: int, _total: int) -> None:
            bar.update(task, completed=done, rows=rows)

        opts = ImportOptions(
            mapping=mapping,
            source=source,
            timezone=ws.timezone,
            date_format=date_format,
            delimiter=delimiter,
            sheet=sheet,
            dry_run=dry_run,
            progress=progress,
        )
        store = ws.open()
        try:
            return import_files(store, kind, files, opts)
        finally:
            store.close()


def _import_summary(kind: str, r: Any) -> str:
    verb = "would import" if r.dry_run else "imported"
    lines = [
        f"{verb} {r.rows_read:,} {kind} rows from {len(r.files)} file(s) as source {r.source!r}: "
        f"{r.inserted:,} inserted, {r.updated:,} updated, {r.unchanged:,} unchanged"
    ]
    if r.skipped:
        lines.append(f"  {r.skipped:,} rows were left out by the mapping's [keep] filter")
    if r.duplicates_in_file:
        lines.append(
            f"  {r.duplicates_in_file:,} rows repeated a record already in the file; the last was kept"
        )
    if r.zoneless:
        lines.append(f"  {r.zoneless:,} timestamps had no time zone and were read as {r.timezone}")
    if getattr(r, "stubs", 0):
        lines.append(
            f"  {r.stubs:,} services/teams/people named but not yet in the catalogue were created as stubs"
        )
    if r.dry_run:
        lines.append("  dry run: nothing was written")
    return "\n".join(lines)


# -- score / trend ----------------------------------------------------------------------------
def _period(as_of: str | None, date_from: str | None, date_to: str | None, kind: str) -> Period:
    if (date_from is None) != (date_to is None):
        raise click.UsageError("give both --from and --to, or neither")
    if date_from and as_of:
        raise click.UsageError("give either --as-of or --from/--to, not both")
    if date_from and date_to:
        start, end = _date(date_from, "--from"), _date(date_to, "--to")
        if end <= start:
            raise click.UsageError(
                "--to must be after --from (the period runs up to, not including, --to)"
            )
        return Period(start, end, "custom")
    day = _date(as_of, "--as-of") if as_of else date.today()
    return last_complete(day, kind)  # type: ignore[arg-type]


def _date(text: str, opt: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r}: expected a date as YYYY-MM-DD", param_hint=opt
        ) from exc


@contextlib.contextmanager
def _scorer(ws: ws_mod.Workspace, slice_: Any = None) -> Iterator[Any]:
    from trustmeter.scorecard import Scorer

    fw = ws.framework()
    store = ws.open()
    try:
        yield Scorer(store, fw, ws.profile, ws.as_dict(), slice=slice_)
    finally:
        store.close()


def slice_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--unit / --service / --team: a scorecard for one business unit, service or team."""
    fn = click.option("--team", help="Score one team (work items, commitments, projects, people).")(
        fn
    )
    fn = click.option(
        "--service", help="Score one service, by name or id (its incidents and changes)."
    )(fn)
    return click.option(
        "--unit", help="Score one business unit (the services it owns, the demand it raised)."
    )(fn)


def _slice(unit: str | None, service: str | None, team: str | None) -> Any:
    from trustmeter.metrics.slices import Slice

    given = [(k, v) for k, v in (("unit", unit), ("service", service), ("team", team)) if v]
    if len(given) > 1:
        raise click.UsageError("give one of --unit, --service and --team, not several")
    if not given:
        return None
    kind, name = given[0]
    if not name.strip():
        raise click.BadParameter("expected a name", param_hint=f"--{kind}")
    return Slice(kind, name.strip())  # type: ignore[arg-type]


@cli.command()
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
    from trustmeter.render import scorecard_text

    ws = _workspace(ctx)
    with _scorer(ws, _slice(unit, service, team)) as scorer:
        period = _period(
            as_of, date_from, date_to, period_kind or scorer.framework.params["period"]
        )
        card = scorer.scorecard(period)
    if as_json:
        click.echo(json.dumps(card.as_dict(), indent=2, default=str))
    else:
        Console(highlight=False).print(scorecard_text(card))


@cli.command()
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
    from trustmeter.render import trend_text

    ws = _workspace(ctx)
    with _scorer(ws, _slice(unit, service, team)) as scorer:
        last = _period(as_of, None, None, period_kind or scorer.framework.params["period"])
        cards = scorer.trend(series(last, periods))
    if as_json:
        click.echo(json.dumps({"periods": [c.as_dict() for c in cards]}, indent=2, default=str))
    else:
        Console(highlight=False).print(trend_text(cards))


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="trustmeter-report.html",
    show_default=True,
    help="Where to write the HTML file.",
)
@click.option("--as-of", help="Report on the last complete period before this date.")
@click.option(
    "--periods",
    default=8,
    show_default=True,
    type=click.IntRange(1, 60),
    help="Periods in the trend chart.",
)
@click.pass_context
@clean_errors
def report(ctx: click.Context, out: str, as_of: str | None, periods: int) -> None:
    """Write one self-contained HTML report that opens offline.

    Example:

        trustmeter report --out q3-report.html
    """
    ws = _workspace(ctx)
    path = write_report(ws, Path(out), as_of, periods)
    click.echo(f"wrote {path}")


def write_report(
    ws: ws_mod.Workspace, out: Path, as_of: str | None = None, periods: int = 8
) -> Path:
    from trustmeter.ordering import run as run_ordering
    from trustmeter.report import render_html
    from trustmeter.report.forecasting import forecasting_data

    with _scorer(ws) as scorer:
        last = _period(as_of, None, None, scorer.framework.params["period"])
        cards = scorer.trend(series(last, periods))
        day = _date(as_of, "--as-of") if as_of else date.today()
        forecasts = forecasting_data(scorer.store, ws.timezone, day)
        ordering = run_ordering(scorer, last.kind, end=day).as_dict()
    html = render_html(
        cards[-1], cards, f"{ws.name}: IT trust report", forecasts, ordering=ordering
    )
    out.write_text(html, "utf-8")
    return out


@cli.command()
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
    from trustmeter.trace import explain_metric

    ws = _workspace(ctx)
    with _scorer(ws, _slice(unit, service, team)) as scorer:
        period = _period(
            as_of, date_from, date_to, period_kind or scorer.framework.params["period"]
        )
        result = explain_metric(scorer, metric_id, period, limit)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        from trustmeter.render import explain_text

        Console(highlight=False).print(explain_text(result))


# -- framework --------------------------------------------------------------------------------
@cli.group()
def framework() -> None:
    """Show or check the framework: areas, metrics, targets, gates, actions, profiles."""


@framework.command("show")
@click.option(
    "--default", "default", is_flag=True, help="The packaged defaults, without workspace overrides."
)
@click.pass_context
@clean_errors
def framework_show(ctx: click.Context, default: bool) -> None:
    """Print the framework in force (TOML), with the workspace's overrides applied.

    Example:

        trustmeter framework show > my-framework.toml
    """
    import tomli_w

    from trustmeter import framework as fw

    if default:
        click.echo(fw.default_text())
        return
    try:
        ws = _workspace(ctx)
    except ws_mod.NoWorkspace:
        click.echo(fw.default_text())
        return
    click.echo(tomli_w.dumps(ws.framework().raw))


@framework.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.pass_context
@clean_errors
def framework_validate(ctx: click.Context, file: str | None) -> None:
    """Check a framework file (or the workspace's framework) and report the first problem.

    Example:

        trustmeter framework validate my-framework.toml
    """
    from trustmeter import framework as fw

    if file:
        f = fw.load([(file, fw.load_file(Path(file)))])
        where = file
    else:
        ws = _workspace(ctx)
        f = ws.framework()
        where = str(ws.config_path)
    click.echo(
        f"{where}: valid ({len(f.areas)} areas, {len(f.metrics)} metrics, {len(f.stages)} stages)"
    )


# -- demo -------------------------------------------------------------------------------------
@cli.command()
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
    from trustmeter.demo_run import run_demo

    run_demo(Path(directory), seed=seed, db=db, force=force, echo=click.echo)


from trustmeter.cli_forecast import forecast  # noqa: E402  (it imports this module's helpers)

cli.add_command(forecast)

from trustmeter.cli_connectors import presets_cmd, sources, sync  # noqa: E402

cli.add_command(presets_cmd)
cli.add_command(sources)
cli.add_command(sync)

from trustmeter.cli_web import serve, user  # noqa: E402

cli.add_command(serve)
cli.add_command(user)

from trustmeter.cli_backup import backup, restore  # noqa: E402

cli.add_command(backup)
cli.add_command(restore)

from trustmeter.cli_ordering import ordering  # noqa: E402

cli.add_command(ordering)


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()

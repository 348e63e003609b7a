"""`trustmeter backup FILE` and `trustmeter restore FILE [DIR]`: move a workspace, losing nothing.

Thin like the rest of the CLI: parse, make one call into trustmeter.store.backup, print.
Registered on the main group in cli/__init__.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from trustmeter.cli.common import clean_errors, err, esc, workspace_of

BIG = 200_000  # rows: below this a backup or restore takes seconds and shows no bar


@contextlib.contextmanager
def _bar(verb: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback for the core; a bar on stderr only for big jobs on a terminal."""
    with Progress(
        TextColumn(verb + " {task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} of {task.total:,} rows"),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    ) as bar:
        task: list[TaskID] = []

        def progress(table: str, done: int, total: int) -> None:
            if total < BIG:
                return
            if not task:
                task.append(bar.add_task(table, total=total))
            bar.update(task[0], completed=done, description=table)

        yield progress


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
@clean_errors
def backup(ctx: click.Context, file: str) -> None:
    """Write the whole workspace to one file, to restore on another machine or database.

    The file is a zip archive: manifest.json (versions, row counts, SHA-256 checksums), one
    Parquet file per table and trustmeter.toml. It is read in one consistent snapshot and
    written to a temporary file that is renamed at the end: an existing FILE is replaced only
    by a complete backup. Secrets (trustmeter.secrets.toml) are never included.

    Example:

    \b
        trustmeter backup nightly.tmbackup
        trustmeter -w acme-it backup /backups/acme-$(date +%F).tmbackup
    """
    from trustmeter.store.backup import backup_workspace

    ws = workspace_of(ctx)
    with _bar("backing up") as progress:
        result = backup_workspace(ws, Path(file), progress)
    click.echo(
        f"backed up workspace {ws.name!r} ({result.engine}, schema version "
        f"{result.schema_version}): {len(result.tables)} tables, {result.rows:,} rows, "
        f"{len(result.files)} workspace file(s) to {result.path} ({_size(result.size)})"
    )
    if result.other_tables:
        click.echo("  left out (not trustmeter's tables): " + ", ".join(result.other_tables))
    for note in result.notes:
        err.print(f"[yellow]note:[/] {esc(note)}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--db",
    metavar="URL",
    help="Database to restore into (default: an embedded DuckDB file in DIRECTORY), "
    "e.g. postgresql://user@host:5432/dbname.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the data of a non-empty target database and an existing trustmeter.toml "
    "(still in one transaction).",
)
@clean_errors
def restore(file: str, directory: str, db: str | None, force: bool) -> None:
    """Make a workspace in DIRECTORY (default: here) from a backup made by `trustmeter backup`.

    The whole file is verified (manifest, checksums, schema) before anything is written; then
    every table is loaded in one transaction, so a failure leaves the target as it was, and
    any newer migrations are applied. A DuckDB backup can be restored into PostgreSQL and the
    other way round. A non-empty target database is refused unless --force.

    Example:

    \b
        trustmeter restore nightly.tmbackup acme-it
        trustmeter restore nightly.tmbackup team-ws --db postgresql://trustmeter@db.internal/tm
    """
    from trustmeter.store.backup import SECRET_FILES
    from trustmeter.store.backup import restore as restore_backup

    with _bar("restoring") as progress:
        r = restore_backup(Path(file), Path(directory), db, force, progress)
    m = r.manifest
    click.echo(
        f"restored {len(r.tables)} tables, {r.rows:,} rows from {file} (made {m['created_at']} "
        f"by trustmeter {m.get('trustmeter_version', '?')} on {m['engine']}, schema version "
        f"{m['schema_version']}) into {r.root} ({r.engine}: {r.database})"
    )
    if r.migrated:
        click.echo("  then applied the newer migrations " + ", ".join(str(v) for v in r.migrated))
    if r.replaced:
        click.echo("  --force: the trustmeter data and configuration the target held were replaced")
    err.print(
        f"[yellow]note:[/] the backup holds no secrets: copy {SECRET_FILES[0]} (API "
        "credentials for `trustmeter sync`) yourself if the workspace uses it"
    )

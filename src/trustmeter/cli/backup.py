"""`trustmeter backup FILE` and `trustmeter restore FILE [DIR]`: move a workspace, losing nothing.

Thin like the rest of the CLI: parse, make one call into trustmeter.backup, print. The backup
package imports nothing above store/, so the workspace's folder, configuration file name and
database are passed in from here. Registered on the main group in cli/__init__.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from trustmeter import workspace as ws_mod
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


KEY_HELP = (
    "The backup key file (default: $TRUSTMETER_BACKUP_KEY, else "
    "~/.config/trustmeter/backup.key; made on the first backup)."
)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--with-accounts",
    is_flag=True,
    help="Include the web app's accounts (user names, roles, password hashes). Without it a "
    "restore keeps the target's accounts.",
)
@click.option("--key", "key_file", metavar="FILE", type=click.Path(dir_okay=False), help=KEY_HELP)
@click.pass_context
@clean_errors
def backup(ctx: click.Context, file: str, with_accounts: bool, key_file: str | None) -> None:
    """Write the whole workspace to one file, to restore on another machine or database.

    The file is a zip archive: manifest.json (versions, row counts, SHA-256 checksums) signed
    with the backup key (an HMAC kept outside every backup), one Parquet file per table and
    trustmeter.toml. It is read in one consistent snapshot and written to a temporary file
    that is renamed at the end: an existing FILE is replaced only by a complete backup.
    Secrets (trustmeter.secrets.toml, the session and backup keys) are never included;
    accounts and their password hashes only with --with-accounts; sessions never.

    Example:

    \b
        trustmeter backup nightly.tmbackup
        trustmeter -w acme-it backup /backups/acme-$(date +%F).tmbackup --with-accounts
    """
    from trustmeter.backup import backup as backup_store
    from trustmeter.store import connect

    ws = workspace_of(ctx)
    store = connect(ws.database, base=ws.root, read_only=True)
    try:
        with _bar("backing up") as progress:
            result = backup_store(
                store,
                Path(file),
                ws.root,
                config=ws_mod.CONFIG,
                framework_file=ws.framework_file,
                workspace=ws.as_dict(),
                with_accounts=with_accounts,
                key_file=Path(key_file) if key_file else None,
                progress=progress,
            )
    finally:
        store.close()
    click.echo(
        f"backed up workspace {ws.name!r} ({result.engine}, schema version "
        f"{result.schema_version}): {len(result.tables)} tables, {result.rows:,} rows, "
        f"{len(result.files)} workspace file(s) to {result.path} ({_size(result.size)}), "
        f"signed with {result.key_path}"
    )
    if result.left_out:
        click.echo("  left out (accounts and sessions): " + ", ".join(result.left_out))
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
@click.option(
    "--key",
    "key_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=KEY_HELP.replace("; made on the first backup", "")
    + " To restore a backup made on another machine, pass a copy of that machine's key.",
)
@clean_errors
def restore(file: str, directory: str, db: str | None, force: bool, key_file: str | None) -> None:
    """Make a workspace in DIRECTORY (default: here) from a backup made by `trustmeter backup`.

    The whole file is verified (the manifest's signature with the backup key, checksums,
    sizes, schema) before anything is written or inflated; then
    every table is loaded in one transaction, so a failure leaves the target as it was, and
    any newer migrations are applied. A DuckDB backup can be restored into PostgreSQL and the
    other way round. A non-empty target database is refused unless --force. A backup made
    without --with-accounts leaves the target's accounts as they are.

    Example:

    \b
        trustmeter restore nightly.tmbackup acme-it
        trustmeter restore nightly.tmbackup team-ws --db postgresql://trustmeter@db.internal/tm
        trustmeter restore copied.tmbackup acme-it --key /media/usb/backup.key
    """
    from trustmeter.backup import SECRET_FILES
    from trustmeter.backup import restore as restore_backup

    with _bar("restoring") as progress:
        r = restore_backup(
            Path(file),
            Path(directory),
            db=db or ws_mod.DEFAULT_DB,
            config=ws_mod.CONFIG,
            key_file=Path(key_file) if key_file else None,
            force=force,
            progress=progress,
        )
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
    click.echo(
        {
            "restored": "  accounts: the backup's (it was made with --with-accounts)",
            "kept": "  accounts: the target's, kept (the backup holds none)",
            "none": "  accounts: none (the backup holds none): make one with `trustmeter user add`",
        }[r.accounts]
    )
    err.print(
        f"[yellow]note:[/] the backup holds no secrets: copy {SECRET_FILES[0]} (API "
        "credentials for `trustmeter sync`) yourself if the workspace uses it"
    )

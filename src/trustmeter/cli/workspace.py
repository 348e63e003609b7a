"""`trustmeter init` and `trustmeter framework show|validate`: the workspace and its framework."""

from __future__ import annotations

from pathlib import Path

import click

from trustmeter import workspace as ws_mod
from trustmeter.cli.common import clean_errors, workspace_of


@click.command()
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


@click.group()
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
        ws = workspace_of(ctx)
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
        ws = workspace_of(ctx)
        f = ws.framework()
        where = str(ws.config_path)
    click.echo(
        f"{where}: valid ({len(f.areas)} areas, {len(f.metrics)} metrics, {len(f.stages)} stages)"
    )

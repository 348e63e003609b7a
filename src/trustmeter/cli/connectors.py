"""The connectors' commands: `presets`, `sources` and `sync`.

Thin like the rest of the CLI: parse, open the workspace, make one library call, print.
"""

from __future__ import annotations

import json
from typing import Any

import click

from trustmeter.cli.common import clean_errors, err, workspace_of
from trustmeter.errors import ConfigError


# -- presets ------------------------------------------------------------------------------------
@click.command("presets")
@click.argument("name", required=False)
@click.option("--kind", help="The record kind, when NAME is a tool with several presets.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@clean_errors
def presets_cmd(name: str | None, kind: str | None, as_json: bool) -> None:
    """List the built-in formats for `import --format`, or show one with its mapping.

    Example:

        trustmeter presets
        trustmeter presets servicenow-incidents
    """
    from trustmeter.connectors.presets import get_preset, list_presets

    every = list_presets()
    if name is None:
        if as_json:
            click.echo(json.dumps([_preset_dict(p) for p in every], indent=2))
            return
        for p in every:
            click.echo(f"{p.name:<34} {p.kind:<17} {p.title}")
        click.echo("\nimport with: trustmeter import KIND FILE --format NAME (or the tool's name)")
        return
    if kind is None:
        matches = [p for p in every if p.name == name] or [p for p in every if p.tool == name]
        if len(matches) != 1:
            raise ConfigError(
                f"{name!r} names {len(matches)} presets: pass --kind, or one of "
                + ", ".join(p.name for p in every)
            )
        p = matches[0]
    else:
        p = get_preset(name, kind)
    if as_json:
        click.echo(json.dumps(_preset_dict(p), indent=2))
        return
    click.echo(f"{p.name}: {p.title}\nkind: {p.kind}; files: {', '.join(p.formats)}")
    if p.notes:
        click.echo("\n" + p.notes)
    for d in p.docs:
        click.echo(f"vendor docs: {d}")
    import tomli_w

    click.echo("\n# the mapping (override any part with --mapping, --map or --value)")
    click.echo(tomli_w.dumps(p.raw))


def _preset_dict(p: Any) -> dict[str, Any]:
    return {
        "name": p.name,
        "tool": p.tool,
        "vendor": p.vendor,
        "kind": p.kind,
        "title": p.title,
        "formats": list(p.formats),
        "docs": list(p.docs),
        "notes": p.notes,
        "mapping": p.raw,
    }


# -- sources and sync ----------------------------------------------------------------------------
def _sources(ws: Any) -> dict[str, Any]:
    from trustmeter.connectors.sync import SourceConfig

    return {
        name: SourceConfig.from_table(name, table, str(ws.config_path))
        for name, table in ws.sources.items()
    }


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@clean_errors
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the API sources declared in trustmeter.toml and their last sync.

    Sources are tables of trustmeter.toml (docs/connectors.md lists the options).

    Example:

        trustmeter sources

        # in trustmeter.toml
        [sources.pagerduty]
        type = "pagerduty"
        [sources.jira]
        type = "jira"
        base_url = "https://acme.atlassian.net"
        options = { jql = "project in (OPS, SD)" }
    """
    from trustmeter.connectors.sync import credentials, status

    ws = workspace_of(ctx)
    declared = _sources(ws)
    store = ws.open()
    try:
        rows = []
        for name, src in declared.items():
            creds = credentials(src, ws.root)
            rows.append(
                {
                    "name": name,
                    "type": src.type,
                    "base_url": src.base_url,
                    "credentials": "found" if creds.token or creds.password else "missing",
                    "last_sync": status(store, name),
                }
            )
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo(f"no sources: declare them under [sources.NAME] in {ws.config_path}")
        return
    for r in rows:
        last = r["last_sync"]
        when = (
            "never synced"
            if last is None
            else f"last sync {last['started_at']:%Y-%m-%d %H:%M} UTC: {last['status']}, "
            f"{last['records']:,} records in {last['pages']:,} pages"
        )
        click.echo(
            f"{r['name']:<16} {r['type']:<11} {r['base_url']}  credentials {r['credentials']}; {when}"
        )


@click.command("sync")
@click.argument("source", required=False)
@click.option("--all", "sync_all", is_flag=True, help="Sync every declared source.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@clean_errors
def sync(ctx: click.Context, source: str | None, sync_all: bool, as_json: bool) -> None:
    """Pull new and changed records from a source's API (PagerDuty, Jira, ServiceNow, GitHub,
    GitLab). Incremental and resumable: each page is written with its cursor.

    Credentials come from TRUSTMETER_<SOURCE>_TOKEN (and _USER, _PASSWORD) or from
    trustmeter.secrets.toml beside trustmeter.toml; they never reach the database or logs.

    Example:

        export TRUSTMETER_PAGERDUTY_TOKEN=...
        trustmeter sync pagerduty
    """
    from trustmeter.connectors import sync as sync_mod

    ws = workspace_of(ctx)
    declared = _sources(ws)
    if sync_all:
        names = list(declared)
    elif source:
        if source not in declared:
            known = ", ".join(declared) or "none"
            raise ConfigError(f"no source {source!r} in {ws.config_path} (declared: {known})")
        names = [source]
    else:
        raise click.UsageError("name a SOURCE, or pass --all")
    results = []
    store = ws.open()
    try:
        for name in names:
            src = declared[name]
            creds = sync_mod.credentials(src, ws.root)
            r = sync_mod.run(
                store,
                src,
                creds,
                ws.timezone,
                log=None if as_json else lambda m: err.print(m, markup=False),
            )
            results.append(r.as_dict())
            if not as_json:
                click.echo(
                    f"synced {name}: {r.records:,} records in {r.pages:,} pages "
                    f"({r.inserted:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged"
                    + (f", {r.skipped:,} left out by the preset's filter" if r.skipped else "")
                    + ")"
                )
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str))

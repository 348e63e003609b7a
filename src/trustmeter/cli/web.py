"""`trustmeter serve` and `trustmeter user add|passwd|remove|list`: the web app's commands.

Both need the `web` extra; without it they say which install fixes it. Registered on the main
group in cli/__init__.py.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

import click

from trustmeter.cli.common import clean_errors, err, workspace_of
from trustmeter.workspace import Workspace


def _web_extra() -> None:
    from trustmeter.web import MISSING_EXTRA

    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f"{MISSING_EXTRA} ({exc.name} is missing)") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the session cookie over plain HTTP too. Only for a trial on a trusted network: "
    "serve a team over HTTPS (a reverse proxy in front) instead.",
)
@click.option("--no-warm", is_flag=True, help="Do not compute the scorecards at start-up.")
@click.pass_context
@clean_errors
def serve(ctx: click.Context, host: str, port: int, insecure_cookies: bool, no_warm: bool) -> None:
    """Serve the workspace's dashboard, uploads and surveys in the browser.

    Sign in with an account made by `trustmeter user add`. Survey links need no account.
    The JSON API is described at /api/openapi.json.

    Example:

        trustmeter user add alice --role admin
        trustmeter serve --port 8000
    """
    _web_extra()
    import secrets

    import uvicorn

    from trustmeter.store.accounts import list_users
    from trustmeter.web import control
    from trustmeter.web.app import create_app
    from trustmeter.web.guards import install_redaction
    from trustmeter.web.scheduler import interval_text, schedule_of

    ws = workspace_of(ctx)
    schedule = schedule_of(ws)  # a mistake in [web.schedule] stops here, before the server starts
    key = secrets.token_urlsafe(32)
    # DuckDB: `trustmeter user` cannot open the file while this runs, so it asks this server,
    # found through `.trustmeter-serve` (web.control), which the app writes at start-up.
    url = control.loopback_url(host, port) if _is_duckdb(ws) else ""
    app = create_app(ws, serve_settings(ws, insecure_cookies, no_warm, key, url))
    config = server_config(app, host, port)  # sets up uvicorn's logging: redact after it
    install_redaction()
    with app.state.web.db.connection() as store:
        if not list_users(store):
            err.print(
                "[yellow]no accounts yet:[/] make one with `trustmeter user add NAME --role admin`"
            )
    jobs = []
    if schedule.sync_every and schedule.sources:
        every = interval_text(schedule.sync_every)
        jobs.append(f"sync {', '.join(schedule.sources)} every {every}")
    if schedule.digest_every:
        jobs.append(f"digest every {interval_text(schedule.digest_every)}")
    if jobs:
        click.echo("scheduled: " + "; ".join(jobs))
    click.echo(f"serving {ws.name} on http://{host}:{port} (Ctrl+C to stop)")
    try:
        uvicorn.Server(config).run()
    finally:  # the app removes it at shutdown; this covers a start-up that failed
        control.remove_serve_file(ws.root, key)


def serve_settings(
    ws: Workspace, insecure_cookies: bool, no_warm: bool, key: str, control_url: str = ""
) -> Any:
    """The web settings `serve` runs with: the workspace secret, `[web] trusted_proxies`."""
    from trustmeter.web.mail import web_table
    from trustmeter.web.settings import WebSettings, proxies_from, workspace_secret

    return WebSettings(
        secret=workspace_secret(ws.root),
        cookie_secure=not insecure_cookies,
        warm_cache=not no_warm,
        trusted_proxies=proxies_from(web_table(ws), f"{ws.config_path} [web]"),
        control_key=key,
        control_url=control_url,
        run_schedule=True,
    )


def server_config(app: Any, host: str, port: int) -> Any:
    """uvicorn's configuration for `serve`. uvicorn's own proxy-header handling is off: it
    would believe X-Forwarded-For from 127.0.0.1 (or anyone FORWARDED_ALLOW_IPS names); the
    app believes it only from `[web] trusted_proxies`."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, log_level="info")


def _is_duckdb(ws: Workspace) -> bool:
    return ws.database.split(":", 1)[0].split("+")[0] == "duckdb"


@click.group()
def user() -> None:
    """Manage the web app's accounts: admins manage uploads and surveys, viewers view."""


def _password(prompt: bool, stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    value: Any = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(value)


def _server(ws: Workspace) -> Any:
    """The running `serve` to ask, when the workspace is on DuckDB and one holds it."""
    from trustmeter.web import control

    return control.running_server(ws.root) if _is_duckdb(ws) else None


def _change(ws: Workspace, action: str, direct: Callable[[Any], object], **fields: str) -> str:
    """Apply an account change through the running server (DuckDB) or the database itself;
    says which, for the command's message."""
    from trustmeter.web import control

    server = _server(ws)
    if server is not None:
        try:
            server.call(action, **fields)
            return " (through the running server)"
        except control.ServerGone:
            pass  # killed without removing its file: the database is free again
    store = ws.open()
    try:
        direct(store)
    finally:
        store.close()
    return ""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "viewer"]), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@clean_errors
def user_add(ctx: click.Context, username: str, role: str, password_stdin: bool) -> None:
    """Add an account; asks for its password (at least 10 characters).

    Example:

        trustmeter user add alice --role admin
    """
    _web_extra()
    from trustmeter.web import accounts

    ws = workspace_of(ctx)
    accounts.check_username(username)
    password = accounts.check_password(_password(True, password_stdin), username)
    hashed = accounts.hash_password(password)
    via = _change(
        ws,
        "add",
        lambda store: accounts.add_hashed(store, username, hashed, role),
        username=username,
        password_hash=hashed,
        role=role,
    )
    click.echo(f"added {role} {username!r}{via}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@clean_errors
def user_passwd(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password; every session the user had ends.

    Works while `serve` runs: on DuckDB the running server makes the change.

    Example:

        trustmeter user passwd alice
    """
    _web_extra()
    from trustmeter.web import accounts

    ws = workspace_of(ctx)
    password = accounts.check_password(_password(True, password_stdin), username)
    hashed = accounts.hash_password(password)
    via = _change(
        ws,
        "passwd",
        lambda store: accounts.set_hash(store, username, hashed),
        username=username,
        password_hash=hashed,
    )
    click.echo(f"changed the password of {username!r}; their sessions have ended{via}")


@user.command("remove")
@click.argument("username")
@click.pass_context
@clean_errors
def user_remove(ctx: click.Context, username: str) -> None:
    """Remove an account; its sessions end at once.

    Works while `serve` runs: on DuckDB the running server makes the change.

    Example:

        trustmeter user remove alice
    """
    _web_extra()
    from trustmeter.web import accounts

    ws = workspace_of(ctx)
    via = _change(ws, "remove", lambda store: accounts.remove(store, username), username=username)
    click.echo(f"removed {username!r}; their sessions have ended{via}")


@user.command("list")
@click.pass_context
@clean_errors
def user_list(ctx: click.Context) -> None:
    """List the accounts and their roles.

    Example:

        trustmeter user list
    """
    from trustmeter.store.accounts import list_users
    from trustmeter.web import control

    ws = workspace_of(ctx)
    server = _server(ws)
    if server is not None:
        with contextlib.suppress(control.ServerGone):
            for u in server.call("list"):
                click.echo(f"{u['username']}\t{u['role']}\tpassword set {u['changed'][:10]}")
            return
    store = ws.open()
    try:
        for u in list_users(store):
            click.echo(f"{u.username}\t{u.role}\tpassword set {u.password_changed_at:%Y-%m-%d}")
    finally:
        store.close()

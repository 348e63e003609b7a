"""`trustmeter serve` and `trustmeter user add|passwd|remove|list`: the web app's commands.

Both need the `web` extra; without it they say which install fixes it. Registered on the main
group in cli/__init__.py.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from trustmeter.cli.common import clean_errors, err, workspace_of


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
    import logging

    import uvicorn

    from trustmeter.web.app import TokenRedactor, create_app
    from trustmeter.web.settings import WebSettings, workspace_secret

    ws = workspace_of(ctx)
    settings = WebSettings(
        secret=workspace_secret(ws.root),
        cookie_secure=not insecure_cookies,
        warm_cache=not no_warm,
    )
    app = create_app(ws, settings)
    logging.getLogger("uvicorn.access").addFilter(TokenRedactor())
    with app.state.web.db.connection() as store:
        from trustmeter.store.accounts import list_users

        if not list_users(store):
            err.print(
                "[yellow]no accounts yet:[/] make one with `trustmeter user add NAME --role admin`"
            )
    click.echo(f"serving {ws.name} on http://{host}:{port} (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")


@click.group()
def user() -> None:
    """Manage the web app's accounts: admins manage uploads and surveys, viewers view."""


def _password(prompt: bool, stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    value: Any = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(value)


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
    password = _password(True, password_stdin)
    store = ws.open()
    try:
        accounts.add(store, username, password, role)
    finally:
        store.close()
    click.echo(f"added {role} {username!r}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
@clean_errors
def user_passwd(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password; every session the user had ends.

    Example:

        trustmeter user passwd alice
    """
    _web_extra()
    from trustmeter.web import accounts

    ws = workspace_of(ctx)
    password = _password(True, password_stdin)
    store = ws.open()
    try:
        accounts.change_password(store, username, password)
    finally:
        store.close()
    click.echo(f"changed the password of {username!r}; their sessions have ended")


@user.command("remove")
@click.argument("username")
@click.pass_context
@clean_errors
def user_remove(ctx: click.Context, username: str) -> None:
    """Remove an account; its sessions end at once.

    Example:

        trustmeter user remove alice
    """
    _web_extra()
    from trustmeter.web import accounts

    ws = workspace_of(ctx)
    store = ws.open()
    try:
        accounts.remove(store, username)
    finally:
        store.close()
    click.echo(f"removed {username!r}")


@user.command("list")
@click.pass_context
@clean_errors
def user_list(ctx: click.Context) -> None:
    """List the accounts and their roles.

    Example:

        trustmeter user list
    """
    from trustmeter.store.accounts import list_users

    ws = workspace_of(ctx)
    store = ws.open()
    try:
        for u in list_users(store):
            click.echo(f"{u.username}\t{u.role}\tpassword set {u.password_changed_at:%Y-%m-%d}")
    finally:
        store.close()

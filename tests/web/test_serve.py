"""Issue 12, with real servers: which client address the throttle sees behind `serve`'s own
uvicorn configuration (X-Forwarded-For only from `[web] trusted_proxies`), and `trustmeter
user passwd|remove|add|list` while `trustmeter serve` holds a DuckDB workspace.
"""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from serve_process import free_port, in_thread, serving
from web_helpers import PASSWORD, SECRET, csrf_of

from trustmeter import workspace as ws_mod
from trustmeter.cli import cli
from trustmeter.cli.web import serve_settings
from trustmeter.web import accounts
from trustmeter.web.app import create_app
from trustmeter.web.control import SERVE_FILE
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import Workspace


def guesses(base: str, forwarded: list[str]) -> list[int]:
    """One wrong sign-in per X-Forwarded-For value, from 127.0.0.1; their statuses."""
    with httpx.Client(base_url=base, timeout=30) as c:
        token = csrf_of(c.get("/login").text)
        data = {"username": "admin", "password": "wrong password!", "csrf_token": token}
        return [
            c.post("/login", data=data, headers={"X-Forwarded-For": f}).status_code
            for f in forwarded
        ]


def _app(workspace: Workspace, proxies: tuple[str, ...] = ()) -> Any:
    extra = {"trusted_proxies": proxies} if proxies else {}  # the default: none trusted
    return create_app(workspace, WebSettings(secret=SECRET, cookie_secure=False, **extra))


def _close(app: Any) -> None:
    app.state.web.scorecards.close()
    app.state.web.db.close()


@pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)
def test_forwarded_for_from_an_untrusted_client_does_not_reset_the_count(
    workspace: Workspace,
) -> None:
    app = _app(workspace)
    try:
        with in_thread(app, serve_config=True) as base:
            statuses = guesses(base, [f"203.0.113.{n}" for n in range(7)])
    finally:
        _close(app)
    # Before: uvicorn believed 127.0.0.1's header, so each guess came from a "new" address.
    assert statuses == [401] * 5 + [429] * 2


@pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)
def test_forwarded_for_from_a_trusted_proxy_names_the_client(workspace: Workspace) -> None:
    app = _app(workspace, ("127.0.0.1",))
    try:
        with in_thread(app, serve_config=True) as base:
            # Two clients behind the proxy: each has its own count.
            assert guesses(base, ["203.0.113.1"] * 6) == [401] * 5 + [429]
            assert guesses(base, ["203.0.113.2"]) == [401]
    finally:
        _close(app)


def test_trusted_proxies_are_read_from_the_workspace(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", name="proxies")
    ws.config_path.write_text(
        ws.config_path.read_text() + '\n[web]\ntrusted_proxies = ["10.0.0.2", "192.168.0.0/24"]\n'
    )
    settings = serve_settings(ws, False, True, "k" * 43)
    assert settings.trusted_proxies == ("10.0.0.2", "192.168.0.0/24")
    ws.config_path.write_text(ws.config_path.read_text().replace('"10.0.0.2"', '"proxy.lan"'))
    with pytest.raises(Exception, match="not an IP address or network"):
        serve_settings(ws, False, True, "k" * 43)


# -- accounts while `serve` holds a DuckDB workspace -------------------------------------------


def sign_in(base: str, user: str, password: str = PASSWORD) -> str:
    """The session cookie of a fresh sign-in."""
    with httpx.Client(base_url=base, timeout=30) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": user, "password": password, "csrf_token": token})
        assert r.status_code == 303, r.text
        return str(c.cookies["trustmeter_session"])


def status_with(base: str, cookie: str) -> int:
    with httpx.Client(base_url=base, timeout=30, cookies={"trustmeter_session": cookie}) as c:
        return c.get("/surveys.json").status_code


def user(root: Path, *args: str, password: str | None = None) -> Any:
    extra = ["--password-stdin"] if password is not None else []
    return CliRunner().invoke(
        cli, ["-w", str(root), "user", *args, *extra], input=f"{password}\n", obj={}
    )


def test_user_commands_work_while_serve_holds_duckdb(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", name="accounts")
    store = ws.open()
    try:
        accounts.add(store, "admin", PASSWORD, "admin")
        accounts.add(store, "viewer", PASSWORD, "viewer")
    finally:
        store.close()
    # Stopped with SIGTERM (as systemd stops a service): the file must go all the same.
    with serving(ws.root, tmp_path / "serve.log", signal.SIGTERM) as base:
        serve_file = ws.root / SERVE_FILE
        assert stat.S_IMODE(serve_file.stat().st_mode) == 0o600
        cookie = sign_in(base, "viewer")
        assert status_with(base, cookie) == 200

        r = user(ws.root, "passwd", "viewer", password="a brand new password")
        assert r.exit_code == 0, r.output
        assert "through the running server" in r.output
        assert status_with(base, cookie) == 401  # the copied cookie stopped working at once
        cookie = sign_in(base, "viewer", "a brand new password")
        assert status_with(base, cookie) == 200

        r = user(ws.root, "remove", "viewer")
        assert r.exit_code == 0, r.output
        assert status_with(base, cookie) == 401

        r = user(ws.root, "add", "carol", "--role", "admin", password="carol's long password")
        assert r.exit_code == 0, r.output
        assert status_with(base, sign_in(base, "carol", "carol's long password")) == 200
        listed = user(ws.root, "list").output
        assert "admin\tadmin" in listed and "carol\tadmin" in listed and "viewer" not in listed

        # The server's refusals reach the command as clean errors.
        r = user(ws.root, "remove", "nobody")
        assert r.exit_code == 1 and "no user 'nobody'" in r.output
        r = user(ws.root, "passwd", "carol", password="short")
        assert r.exit_code == 1 and "too short" in r.output

        # Without the key, the route is not there.
        with httpx.Client(base_url=base) as c:
            forged = c.post("/_serve/accounts", json={"action": "remove", "username": "admin"})
            assert forged.status_code == 404
        assert status_with(base, sign_in(base, "admin")) == 200
    assert not (ws.root / SERVE_FILE).exists()
    # With the server stopped, the commands open the database themselves.
    r = user(ws.root, "list")
    assert r.exit_code == 0 and "carol\tadmin" in r.output


def test_a_stale_serve_file_does_not_block_the_commands(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", name="stale")
    (ws.root / SERVE_FILE).write_text(
        f'{{"pid": {os.getpid()}, "url": "http://127.0.0.1:{free_port()}", "key": "x"}}'
    )  # a live process (this one) that serves nothing: the call fails, the database is used
    r = user(ws.root, "add", "dora", password="dora's long password")
    assert r.exit_code == 0, r.output
    assert "through the running server" not in r.output
    assert "dora\tviewer" in user(ws.root, "list").output


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_user_commands_end_sessions_of_a_running_server_on_postgres(
    db_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL the commands write to the database; the server sees it next request."""
    ws = ws_mod.init(tmp_path / "ws", db=db_url, name="pg-accounts")
    store = ws.open()
    try:
        accounts.add(store, "viewer", PASSWORD, "viewer")
    finally:
        store.close()
    app = _app(ws)
    try:
        with in_thread(app, serve_config=True) as base:
            cookie = sign_in(base, "viewer")
            assert status_with(base, cookie) == 200
            r = user(ws.root, "passwd", "viewer", password="a brand new password")
            assert r.exit_code == 0 and "through the running server" not in r.output
            assert status_with(base, cookie) == 401
            cookie = sign_in(base, "viewer", "a brand new password")
            assert user(ws.root, "remove", "viewer").exit_code == 0
            assert status_with(base, cookie) == 401
    finally:
        _close(app)

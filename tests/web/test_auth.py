"""Accounts, sessions, CSRF, roles and sign-in throttling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, csrf_of, login, new_client

from trustmeter.cli import cli
from trustmeter.store import connect
from trustmeter.store.accounts import get_user
from trustmeter.web import accounts
from trustmeter.web.throttle import LoginThrottle
from trustmeter.workspace import Workspace


def test_pages_need_a_session(client: TestClient) -> None:
    r = client.get("/scorecard?as_of=2026-01-01", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/scorecard%3Fas_of%3D2026-01-01"
    r = client.get("/scorecard.json")
    assert r.status_code == 401 and r.json()["error"]
    assert client.get("/surveys.json").status_code == 401
    assert client.get("/uploads", follow_redirects=False).status_code == 303


def test_sign_in_sets_a_secure_session_cookie(client: TestClient) -> None:
    r = login(client)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/surveys.json").status_code == 200
    # Signing out ends the session.
    page = client.get("/surveys")
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/surveys.json").status_code == 401


def test_password_is_stored_as_an_argon2_hash(workspace: Workspace) -> None:
    store = connect(workspace.database)
    try:
        user = get_user(store, "admin")
    finally:
        store.close()
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_forged_or_missing_csrf_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    r = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "forged" * 8}
    )
    assert r.status_code == 403
    assert client.get("/surveys.json").status_code == 401
    # Signed in, an admin action with a forged token is refused too and changes nothing.
    assert login(client).status_code == 303
    r = client.post(
        "/surveys/new",
        data={"csrf_token": "x" * 43, "name": "forged", "kind": "team"},
    )
    assert r.status_code == 403
    assert "forged" not in client.get("/surveys").text


def test_token_from_another_session_is_refused(app: Any) -> None:
    with new_client(app) as a, new_client(app) as b:
        assert login(a).status_code == 303
        stolen = csrf_of(a.get("/surveys").text)
        assert login(b).status_code == 303
        r = b.post("/surveys/new", data={"csrf_token": stolen, "name": "x", "kind": "team"})
        assert r.status_code == 403


def test_a_viewer_cannot_do_admin_actions(client: TestClient) -> None:
    assert login(client, "viewer").status_code == 303
    assert client.get("/surveys").status_code == 200
    assert client.get("/uploads").status_code == 403
    assert client.get("/surveys/new").status_code == 403
    token = csrf_of(client.get("/surveys").text)
    r = client.post(
        "/surveys/new",
        data={"csrf_token": token, "name": "by a viewer", "kind": "team"},
    )
    assert r.status_code == 403
    r = client.post(
        "/uploads",
        data={"csrf_token": token, "kind": "services"},
        files={"file": ("s.csv", b"id,name\nX,Y\n", "text/csv")},
    )
    assert r.status_code == 403
    assert "Upload" not in client.get("/surveys").text.split("<main")[0]


def test_failed_sign_ins_are_throttled_per_user_and_address(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "admin", "wrong password!").status_code == 401
    r = login(client, "admin", PASSWORD)
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    # Another user from the same address is not locked out by someone guessing at admin.
    assert login(client, "viewer", PASSWORD).status_code == 303


def test_unknown_user_and_wrong_password_read_the_same(client: TestClient) -> None:
    a = login(client, "nobody", "whatever123")
    b = login(client, "admin", "whatever123")
    assert a.status_code == b.status_code == 401
    assert "do not match an account" in a.text and "do not match an account" in b.text


def test_new_password_ends_sessions(app: Any, client: TestClient) -> None:
    assert login(client).status_code == 303
    assert client.get("/surveys.json").status_code == 200
    with app.state.web.db.connection() as store:
        accounts.change_password(store, "admin", "a brand new password")
    assert client.get("/surveys.json").status_code == 401
    assert login(client, "admin", "a brand new password").status_code == 303


def test_no_open_redirect_after_sign_in(client: TestClient) -> None:
    page = client.get("/login?next=https://evil.example/")
    assert 'value="/"' in page.text
    r = client.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_throttle_window() -> None:
    now = [0.0]
    t = LoginThrottle(3, 60, clock=lambda: now[0])
    for _ in range(3):
        assert t.attempt("A", "ip") == 0  # counted as it is allowed
    assert t.attempt("a", "ip") == pytest.approx(60)
    assert t.attempt("a", "other-ip") == 0
    now[0] = 61
    assert t.attempt("a", "ip") == 0
    t.succeeded("a", "ip")  # a success clears the pair
    for _ in range(3):
        assert t.attempt("a", "ip") == 0


def test_account_rules() -> None:
    with pytest.raises(accounts.AccountError, match="at least 10"):
        accounts.check_password("short")
    with pytest.raises(accounts.AccountError, match="user name"):
        accounts.check_password("alice-alice", "ALICE-alice")
    with pytest.raises(accounts.AccountError, match="not a valid user name"):
        accounts.check_username("../etc")


def test_user_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    assert runner.invoke(cli, ["init", ws], obj={}).exit_code == 0
    r = runner.invoke(
        cli, ["-w", ws, "user", "add", "alice", "--role", "admin", "--password-stdin"],
        input="a long enough password\n", obj={},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "added admin 'alice'" in r.output
    r = runner.invoke(cli, ["-w", ws, "user", "add", "alice", "--password-stdin"],
                      input="another password!\n", obj={})  # fmt: skip
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(cli, ["-w", ws, "user", "passwd", "alice", "--password-stdin"],
                      input="short\n", obj={})  # fmt: skip
    assert r.exit_code == 1 and "too short" in r.output
    r = runner.invoke(cli, ["-w", ws, "user", "passwd", "alice", "--password-stdin"],
                      input="a newer long password\n", obj={})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "alice\tadmin" in runner.invoke(cli, ["-w", ws, "user", "list"], obj={}).output
    assert runner.invoke(cli, ["-w", ws, "user", "remove", "alice"], obj={}).exit_code == 0
    r = runner.invoke(cli, ["-w", ws, "user", "remove", "alice"], obj={})
    assert r.exit_code == 1 and "no user 'alice'" in r.output

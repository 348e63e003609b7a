"""Issue 12, in-process: the sign-in throttle under simultaneous guesses, server-side sessions,
request-size limits enforced while the body is read, tokens kept out of log lines, and clean
4xx (or a 500 without a traceback) with the security headers for hostile input.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import BASE, PASSWORD, SECRET, csrf_of, login, new_client, upload

from trustmeter.store import accounts as account_rows
from trustmeter.web import accounts, auth
from trustmeter.web.app import create_app
from trustmeter.web.guards import TokenRedactor
from trustmeter.web.pool import DatabaseUnavailable
from trustmeter.web.settings import WebSettings
from trustmeter.web.views import SECURITY_HEADERS
from trustmeter.workspace import Workspace


def secure(r: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value, (name, r.status_code)


# -- 1. the throttle counts an attempt before its password is checked --------------------------
def test_simultaneous_guesses_are_not_all_checked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    real = accounts.authenticate

    def slow(*args: Any) -> Any:
        checked.append(1)
        time.sleep(0.3)  # every guess is in flight while the first are being checked
        return real(*args)

    monkeypatch.setattr(auth.accounts, "authenticate", slow)
    token = csrf_of(client.get("/login").text)
    data = {"username": "admin", "password": "wrong password!", "csrf_token": token}
    statuses: list[int] = []
    start = threading.Barrier(30)

    def guess() -> None:
        start.wait()
        statuses.append(client.post("/login", data=data).status_code)

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(checked) == 5, f"{len(checked)} of 30 simultaneous guesses were checked"
    assert sorted(statuses) == [401] * 5 + [429] * 25
    # The right password waits too, until the window has passed.
    assert login(client).status_code == 429


# -- 2. server-side sessions -------------------------------------------------------------------
def stolen(app: Any, cookie: str) -> int:
    """The status a copy of a session cookie gets, in a client of its own (a thief's)."""
    with new_client(app) as thief:
        thief.cookies.set("trustmeter_session", cookie)
        return int(thief.get("/surveys.json").status_code)


def test_logout_ends_the_session_for_a_copied_cookie(app: Any, client: TestClient) -> None:
    assert login(client).status_code == 303
    cookie = client.cookies["trustmeter_session"]
    assert stolen(app, cookie) == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/surveys").text)})
    assert stolen(app, cookie) == 401
    assert client.get("/surveys.json").status_code == 401


def test_new_password_and_removal_end_copied_sessions(app: Any, client: TestClient) -> None:
    assert login(client, "viewer").status_code == 303
    cookie = client.cookies["trustmeter_session"]
    with app.state.web.db.connection() as store:
        assert account_rows.session_count(store, "viewer") == 1
        accounts.change_password(store, "viewer", "a brand new password")
        assert account_rows.session_count(store, "viewer") == 0
    assert stolen(app, cookie) == 401
    assert login(client, "viewer", "a brand new password").status_code == 303
    cookie = client.cookies["trustmeter_session"]
    assert stolen(app, cookie) == 200
    with app.state.web.db.connection() as store:
        accounts.remove(store, "viewer")
        assert account_rows.session_count(store, "viewer") == 0
    assert stolen(app, cookie) == 401


def test_the_database_keeps_only_a_hash_of_the_session_id(app: Any, client: TestClient) -> None:
    assert login(client).status_code == 303
    with app.state.web.db.connection() as store:
        rows = store.fetch("SELECT id_hash, username, expires_at - created_at FROM web_session")
    assert len(rows) == 1 and rows[0][1] == "admin" and len(rows[0][0]) == 64
    assert rows[0][2].total_seconds() == 8 * 3600
    # The cookie is signed: the stored hash put in its place signs no one in.
    assert stolen(app, rows[0][0]) == 401


# -- 3. request-size limits, enforced while reading ------------------------------------------
CHUNK = 64 * 1024
BOUNDARY = "b0undary"


def _multipart_file(total_chunks: int) -> Iterator[bytes]:
    """A multipart body whose one file part never ends: what a 2 GiB upload looks like."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    for _ in range(total_chunks):
        yield b"0" * CHUNK


def _send(
    app: Any, path: str, chunks: Iterator[bytes], headers: dict[str, str] | None = None
) -> tuple[int, int, dict[str, str]]:
    """POST `chunks` to the app as a chunked body, straight through ASGI: the status, how
    many chunks the app read, and the response's headers."""
    read = 0
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}

    sent = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **(headers or {})}
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "https", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "server": ("testserver", 443), "client": ("10.0.0.9", 5000),
        "headers": [(k.encode(), v.encode()) for k, v in sent.items()],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return answer["status"], read, answer["headers"]


def test_an_anonymous_huge_sign_in_is_refused_while_it_streams(app: Any) -> None:
    status, read, headers = _send(app, "/login", _multipart_file(1600))  # 100 MiB
    assert status == 413
    # 1 MiB is 16 chunks: refused within the limit, never spooled to disk whole.
    assert read <= 18, f"read {read} chunks of 64 KiB before refusing"
    assert headers["x-frame-options"] == "DENY"


def test_a_declared_length_over_the_limit_is_refused_before_reading(app: Any) -> None:
    status, read, headers = _send(
        app, "/login", _multipart_file(10), {"content-length": str(2 << 30)}
    )
    assert (status, read) == (413, 0)
    assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_an_anonymous_upload_is_refused_before_its_body_is_read(app: Any) -> None:
    status, read, _ = _send(app, "/uploads", _multipart_file(800))
    assert status == 401 and read == 0


def test_the_upload_limit_applies_while_the_file_streams(workspace: Workspace) -> None:
    app = create_app(workspace, WebSettings(secret=SECRET, upload_max_bytes=1 << 20))
    try:
        with TestClient(app, base_url=BASE) as c:
            assert login(c).status_code == 303
            cookie = f"trustmeter_session={c.cookies['trustmeter_session']}"
        status, read, _ = _send(app, "/uploads", _multipart_file(320), {"cookie": cookie})
        assert status == 413
        # The limit is the upload's 1 MiB plus 2 MiB for a mapping file and the form: 48
        # chunks of 64 KiB, of the 320 (20 MiB) sent.
        assert read <= 50, f"read {read} chunks of 64 KiB before refusing"
    finally:
        app.state.web.scorecards.close()
        app.state.web.db.close()


def test_ordinary_forms_and_uploads_pass(admin: TestClient) -> None:
    r = upload(admin, "services", "s.csv", b"id,name\nSVC-X,Billing\n")
    assert r.status_code == 200 and "1 new" in r.text


# -- 5. survey tokens in log lines --------------------------------------------------------------
TOKEN = "SeCrEtToKeN_abcdefghijklmnopqrstuvwxyz0123"


def test_503_log_lines_hold_no_survey_token(
    app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down() -> Any:
        raise DatabaseUnavailable(f"lost the connection while serving /s/{TOKEN}")

    monkeypatch.setattr(app.state.web.db, "connection", down)
    with caplog.at_level(logging.INFO):
        r = client.get(f"/s/{TOKEN}")
        assert r.status_code == 503
        secure(r)
        client.post(f"/s/{TOKEN}", data={"form_token": "x"})
    lines = [r for r in caplog.records if r.name == "trustmeter.web" and "503" in r.getMessage()]
    assert len(lines) == 2
    for rec in caplog.records:
        assert TOKEN not in rec.getMessage() and TOKEN not in (rec.exc_text or "")
    assert "/s/…" in lines[0].getMessage()


def test_tracebacks_and_arguments_are_redacted_too() -> None:
    try:
        raise RuntimeError(f"failed on /s/{TOKEN}")
    except RuntimeError as exc:
        error = exc
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "at %s: %s", ("x", error),
            (RuntimeError, error, error.__traceback__),
        )  # fmt: skip
    assert TokenRedactor().filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text and "failed on /s/…" in text


# -- 6. clean 4xx, and a 500 without a traceback, all with the security headers ---------------
PAGES = ["/scorecard", "/areas/stability", "/metrics/mttr", "/trends", "/perception"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_as_of_is_a_clean_400_on_every_page(admin: TestClient, day: str) -> None:
    for path in PAGES + [p + ".json" for p in PAGES]:
        r = admin.get(f"{path}?as_of={day}")
        assert r.status_code == 400, (path, r.status_code)
        secure(r)
        assert "out of range" in r.text and "Traceback" not in r.text


def test_as_of_at_the_bounds_still_scores(admin: TestClient) -> None:
    for day in ("1900-01-01", "2999-12-31"):
        assert admin.get(f"/scorecard.json?as_of={day}").status_code == 200


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("junk.csv", bytes(range(256)) * 50, "not valid UTF-8"),
        ("big.json", b'[{"id": "A", "name": "B", "tier": ' + b"1" * 5001 + b"}]", "5,001 digits"),
        ("deep.json", b'[{"id": "A", "name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}]",
         "nested too deeply"),
        ("deep.ndjson", b'{"id": "A", "name": ' + b"{\"a\": " * 50_000 + b"1" + b"}" * 50_001
         + b"\n", "nested too deeply"),
    ],
)  # fmt: skip
def test_hostile_uploads_are_a_clean_400(
    admin: TestClient, name: str, body: bytes, says: str
) -> None:
    r = upload(admin, "services", name, body)
    assert r.status_code == 400, r.status_code
    secure(r)
    assert name in r.text and says in r.text and "Traceback" not in r.text


def test_an_unexpected_error_is_a_500_page_with_the_security_headers(
    app: Any, admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*a: Any) -> Any:
        raise RuntimeError("internal detail the visitor must not see")

    monkeypatch.setattr(app.state.web.scorecards, "period", broken)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        c.cookies = admin.cookies
        for path in ("/scorecard", "/scorecard.json"):
            r = c.get(path)
            assert r.status_code == 500
            secure(r)
            assert "internal detail" not in r.text and "Traceback" not in r.text
        assert c.get("/scorecard.json").json()["status"] == 500


def test_sign_in_needs_no_more_than_the_password_check(client: TestClient) -> None:
    """A correct sign-in still works with every guard in place, and a success clears the
    failures counted for that user and address."""
    for _ in range(4):
        assert login(client, "admin", "wrong password!").status_code == 401
    assert login(client).status_code == 303
    assert client.get("/surveys.json").status_code == 200
    for _ in range(4):
        assert login(client, "admin", "wrong password!").status_code == 401
    assert login(client, "admin", PASSWORD).status_code == 303

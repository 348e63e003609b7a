"""Issue 15: `serve` syncs the declared sources on a schedule (web/scheduler.py), never two
runs of one source at once, and shows each source's last run on an admin page; and it mails
the one-pager on a schedule through [web.smtp]. A fake clock, the vendor exchanges the sync
tests replay, and a local SMTP server (tests/web/smtp_sink.py)."""

from __future__ import annotations

import re
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from smtp_sink import SmtpSink
from web_helpers import BASE, PASSWORD, SECRET, login, seed

from trustmeter import workspace as ws_mod
from trustmeter.errors import ConfigError
from trustmeter.store import connect
from trustmeter.web import accounts
from trustmeter.web.app import create_app
from trustmeter.web.scheduler import Scheduler, schedule_of, utcnow
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parents[1] / "connectors"))
from connector_helpers import SECRET as TOKEN
from connector_helpers import Replay

SOURCES = """
[sources.pagerduty]
type = "pagerduty"
options = { since = "2026-01-01T00:00:00Z", page_size = 2 }
"""


def _workspace(db_url: str, tmp_path: Path, extra: str) -> Workspace:
    ws = ws_mod.init(tmp_path / "ws", db=db_url, name="scheduled")
    ws.config_path.write_text(ws.config_path.read_text() + SOURCES + extra)
    ws = ws_mod.load(ws.root)
    store = ws.open()
    try:
        seed(store)
        accounts.add(store, "admin", PASSWORD, "admin")
        accounts.add(store, "viewer", PASSWORD, "viewer")
    finally:
        store.close()
    return ws


class Clock:
    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("TRUSTMETER_PAGERDUTY_TOKEN", TOKEN)
    made: list[Any] = []

    def make(ws: Workspace) -> Any:
        app = create_app(ws, WebSettings(secret=SECRET))
        made.append(app)
        return app

    yield make
    for app in made:
        app.state.web.scorecards.close()
        app.state.web.db.close()


def _count(ws: Workspace, sql: str) -> Any:
    store = connect(ws.database, base=ws.root)
    try:
        return store.scalar(sql)
    finally:
        store.close()


@pytest.mark.parametrize(
    "db_url", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_syncs_run_when_due_and_the_admin_page_shows_them(
    db_url: str, tmp_path: Path, app_for: Any
) -> None:
    ws = _workspace(db_url, tmp_path, '\n[web.schedule]\nsync_every = "1h"\n')
    app = app_for(ws)
    clock = Clock()
    replay = Replay("pagerduty/sync.json")
    sched = Scheduler(app.state.web, schedule_of(ws), clock, replay, sleep=lambda s: None)
    app.state.scheduler = sched

    assert [t.name for t in sched.tick()] == ["sync:pagerduty"]  # never synced: due now
    sched.join()
    assert _count(ws, "SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 6
    assert sched.tick() == []  # ran moments ago: not due for an hour
    clock.ahead = timedelta(minutes=59)
    assert sched.tick() == []

    class Down(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("<b>reset</b> by peer", request=request)

    clock.ahead = timedelta(minutes=61)
    sched.transport = Down()
    assert [t.name for t in sched.tick()] == ["sync:pagerduty"]
    sched.join()

    with TestClient(app, base_url=BASE) as client:
        assert login(client, "viewer").status_code == 303
        assert client.get("/admin/refresh").status_code == 403
        client.post("/logout", data={"csrf_token": ""})
    with TestClient(app, base_url=BASE) as client:
        assert login(client).status_code == 303
        data = client.get("/admin/refresh.json").json()
        html = client.get("/admin/refresh").text
    (row,) = data["syncs"]
    assert row["source"] == "pagerduty" and row["every"] == "1h" and not row["running"]
    assert row["last"]["status"] == "failed" and "reset" in row["last"]["message"]
    assert "<b>reset</b>" not in html and "&lt;b&gt;reset&lt;/b&gt;" in html  # escaped
    assert "failed" in html and "pagerduty" in html
    runs = _count(ws, "SELECT count(*) FROM sync_log WHERE source = 'pagerduty'")
    assert runs == 2
    assert _count(ws, "SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 6


@pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)
def test_a_source_is_never_synced_twice_at_once(db_url: str, tmp_path: Path, app_for: Any) -> None:
    ws = _workspace(db_url, tmp_path, '\n[web.schedule]\nsync_every = "1m"\n')
    app = app_for(ws)
    go, asked = threading.Event(), threading.Event()

    class Slow(Replay):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            asked.set()
            assert go.wait(30)
            return super().handle_request(request)

    clock = Clock()
    sched = Scheduler(app.state.web, schedule_of(ws), clock, Slow("pagerduty/sync.json"),
                      sleep=lambda s: None)  # fmt: skip
    (first,) = sched.tick()
    assert asked.wait(30)
    # Well past the interval, while the first run still runs: the sync log says it runs (in
    # this server or in another process), and this server's own lock says so too.
    for minutes in (2, 3, 4):
        clock.ahead = timedelta(minutes=minutes)
        assert sched.tick() == []
        assert sched.status()["syncs"][0]["running"]
    # Another server on the same database passes it by as well (no lock of its own held).
    other = Scheduler(app.state.web, schedule_of(ws), clock, Slow("pagerduty/sync.json"))
    assert other.tick() == []
    go.set()
    first.join(30)
    assert _count(ws, "SELECT count(*) FROM sync_log") == 1
    assert _count(ws, "SELECT count(DISTINCT id) FROM incident WHERE source = 'pagerduty'") == 6


@pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)
def test_the_digest_goes_out_by_email_on_its_schedule(
    db_url: str, tmp_path: Path, app_for: Any
) -> None:
    sink = SmtpSink(refuse=("gone@example.com",))
    try:
        ws = _workspace(
            db_url,
            tmp_path,
            f'\n[web.schedule]\ndigest_every = "7d"\n'
            f'digest_to = ["cio@example.com", "cfo@example.com", "gone@example.com"]\n'
            f'\n[web.smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nstarttls = false\n'
            f'sender = "trustmeter <tm@example.com>"\n',
        )
        app = app_for(ws)
        clock = Clock()
        sched = Scheduler(app.state.web, schedule_of(ws), clock)
        assert [t.name for t in sched.tick()] == ["digest"]
        sched.join()
        assert sched.tick() == []  # sent moments ago
        clock.ahead = timedelta(days=6, hours=23)
        assert sched.tick() == []
        clock.ahead = timedelta(days=7, minutes=1)
        assert [t.name for t in sched.tick()] == ["digest"]
        sched.join()
        status = sched.status()["digest"]
    finally:
        sink.close()
    assert [rcpts for rcpts, _ in sink.messages] == [["cio@example.com"], ["cfo@example.com"]] * 2
    msg = sink.messages[0][1]
    period = app.state.web.scorecards.period(None).label
    assert msg["Subject"] == f"scheduled: IT trust, {period}"
    html = msg.get_body(("html",))
    assert html is not None
    body = html.get_content()
    assert "IT trust on one page" in body and "Trust Index" in body
    assert status["last"]["status"] == "partial" and status["last"]["recipients"] == 2
    assert "gone@example.com" in status["last"]["message"]


@pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)
def test_a_digest_that_failed_is_tried_again_within_the_hour(
    db_url: str, tmp_path: Path, app_for: Any
) -> None:
    with socket.socket() as s:  # a port nothing listens on: the mail server is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ws = _workspace(
        db_url,
        tmp_path,
        f'\n[web.schedule]\ndigest_every = "7d"\ndigest_to = ["cio@example.com"]\n'
        f'\n[web.smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        f'sender = "tm@example.com"\n',
    )
    app = app_for(ws)
    clock = Clock()
    sched = Scheduler(app.state.web, schedule_of(ws), clock)
    assert [t.name for t in sched.tick()] == ["digest"]
    sched.join()
    last = sched.status()["digest"]["last"]
    assert last["status"] == "failed" and last["recipients"] == 0 and last["message"]
    clock.ahead = timedelta(minutes=30)
    assert sched.tick() == []
    clock.ahead = timedelta(minutes=61)
    assert [t.name for t in sched.tick()] == ["digest"]  # not a week later
    sched.join()


def test_a_wrong_schedule_is_a_clear_error(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", name="wrong")
    base = ws.config_path.read_text() + SOURCES
    for extra, expected in [
        ('sync_every = "often"', "sync_every = 'often': expected an interval"),
        ('sync_every = "1h"\nsync = ["jira"]', "no source 'jira' is declared"),
        ('digest_every = "7d"\ndigest_to = ["cio@example.com"]', "needs the mail settings"),
        ('digest_every = "7d"', "digest_to = []: expected a list of email addresses"),
        ("every = 3", "unknown key 'every'"),
    ]:
        ws.config_path.write_text(base + "\n[web.schedule]\n" + extra + "\n")
        with pytest.raises(ConfigError, match=re.escape(expected)) as exc:
            schedule_of(ws_mod.load(ws.root))
        assert str(ws.config_path) in str(exc.value)


def test_a_real_serve_sends_the_digest_on_its_own(tmp_path: Path) -> None:
    """`trustmeter serve` starts the schedule itself: the digest, due at once, reaches a
    local SMTP server without anyone asking."""
    import contextlib
    import subprocess
    import time

    sink = SmtpSink()
    ws = ws_mod.init(tmp_path / "ws", name="served")
    ws.config_path.write_text(
        ws.config_path.read_text()
        + f'\n[web.schedule]\ndigest_every = "1d"\ndigest_to = ["cio@example.com"]\n'
        f'\n[web.smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nstarttls = false\n'
        f'sender = "tm@example.com"\n'
    )
    store = ws.open()
    try:
        seed(store)
    finally:
        store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("trustmeter")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "-w", ws.root, "serve", "--port", str(port), "--no-warm"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while not sink.messages:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no digest arrived:\n{log.read_text()}"
            time.sleep(0.2)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)
        if proc.poll() is None:
            proc.kill()
        sink.close()
    assert "scheduled: digest every 1d" in log.read_text()
    (rcpts, msg), *_ = sink.messages
    assert rcpts == ["cio@example.com"] and msg["Subject"].startswith("served: IT trust,")

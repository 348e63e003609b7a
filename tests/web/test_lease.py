"""The web app's lease on an embedded (DuckDB) file (web/pool.py): it lets go of the file when
idle and when a command waits, and a page that cannot get it back in time says it is busy."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import BASE, SECRET, login

from trustmeter.store.database import duckdb_path
from trustmeter.store.dbwait import waiting_flag
from trustmeter.web.app import create_app
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import Workspace

pytestmark = pytest.mark.parametrize("db_url", ["duckdb"], indirect=True)


def _app(workspace: Workspace, wait_s: float = 60.0) -> Any:
    settings = WebSettings(secret=SECRET, database_wait_s=wait_s, database_idle_s=0.2)
    return create_app(workspace, settings)


def _other_process(path: Path, script: str, timeout: float = 60) -> str:
    code = f"from trustmeter.store import connect\nc = connect('duckdb:///{path}', wait_s=30)\n"
    r = subprocess.run(
        [sys.executable, "-c", code + script], capture_output=True, text=True, timeout=timeout
    )
    return r.stdout.strip() + r.stderr.strip()[-300:]


def _released(app: Any, before: int) -> None:
    deadline = time.monotonic() + 10
    while app.state.web.db.releases <= before:
        assert time.monotonic() < deadline, "the app kept the file"
        time.sleep(0.05)


def test_the_app_lets_go_of_an_idle_file(workspace: Workspace) -> None:
    app = _app(workspace)
    path = duckdb_path(workspace.database)
    assert path is not None
    try:
        with TestClient(app, base_url=BASE) as client:
            assert login(client).status_code == 303
            assert client.get("/scorecard.json").status_code == 200
            _released(app, 0)
            # Another process opens the file at once (no wait needed) and writes to it.
            out = _other_process(
                path, "c.execute('CREATE TABLE other_process (x INT)')\nprint('ok')"
            )
            assert out == "ok"
            # And the app opens it again for the next request.
            assert client.get("/scorecard.json").status_code == 200
            assert client.get("/surveys.json").status_code == 200
    finally:
        app.state.web.scorecards.close()
        app.state.web.db.close()


def test_a_waiting_command_gets_the_file_between_requests(workspace: Workspace) -> None:
    app = _app(workspace)
    db = app.state.web.db
    path = duckdb_path(workspace.database)
    assert path is not None
    try:
        with TestClient(app, base_url=BASE) as client:
            assert login(client).status_code == 303
            with db.held():  # a long request holds the lease: the command must wait for it
                cmd = subprocess.Popen(
                    [sys.executable, "-c",
                     f"from trustmeter.store import connect\nimport time\n"
                     f"c = connect('duckdb:///{path}', wait_s=30)\nprint('got it', flush=True)\n"
                     f"time.sleep(1.5)\nc.close()\nprint('done', flush=True)"],
                    stdout=subprocess.PIPE, text=True,
                )  # fmt: skip
                time.sleep(1.0)
                assert cmd.poll() is None
            assert cmd.stdout is not None
            assert cmd.stdout.readline().strip() == "got it"  # as soon as the request ended
            # A request meanwhile waits for the command, then answers.
            t0 = time.monotonic()
            assert client.get("/surveys.json").status_code == 200
            assert cmd.stdout.readline().strip() == "done"
            assert time.monotonic() - t0 > 0.5
            cmd.wait(10)
            cmd.stdout.close()
    finally:
        app.state.web.scorecards.close()
        db.close()


def test_a_page_that_waits_too_long_says_the_database_is_busy(workspace: Workspace) -> None:
    app = _app(workspace, wait_s=0.5)
    path = duckdb_path(workspace.database)
    assert path is not None
    try:
        with TestClient(app, base_url=BASE) as client:
            assert login(client).status_code == 303
            _released(app, 0)
            code = (
                f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
                "print('ready', flush=True); time.sleep(60)"
            )
            holder = subprocess.Popen(
                [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
            )
            try:
                assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
                busy = client.get("/surveys")
                busy_json = client.get("/surveys.json")
            finally:
                holder.kill()
                holder.wait()
                assert holder.stdout is not None
                holder.stdout.close()
            assert busy.status_code == 503 and busy.headers["retry-after"] == "30"
            assert "The database is busy" in busy.text and "waited 0.5 s" in busy.text
            assert busy_json.status_code == 503 and "busy" in busy_json.json()["error"].lower()
            assert client.get("/surveys.json").status_code == 200  # free again: it answers
    finally:
        app.state.web.scorecards.close()
        app.state.web.db.close()


def test_a_thread_inside_the_lease_never_waits_for_itself(workspace: Workspace) -> None:
    """Nested use in one thread (a page reading the pool inside a scorecard computation)
    while a command waits: the inner use goes on at once instead of stalling until the app
    stops yielding (5 s)."""
    app = _app(workspace)
    db = app.state.web.db
    try:
        with db.held(), waiting_flag(db.file):  # a "command" waits for the file
            deadline = time.monotonic() + 5
            while not db.yielding:
                assert time.monotonic() < deadline, "the app did not notice the waiting command"
                time.sleep(0.02)
            t0 = time.monotonic()
            with db.connection() as store:
                assert store.scalar("SELECT 1") == 1
            assert time.monotonic() - t0 < 1
    finally:
        app.state.web.scorecards.close()
        db.close()

"""Faults, with the real programs as processes: an import killed midway, a PostgreSQL server
restarted under `trustmeter serve`, and the server and a CLI import on one PostgreSQL database
at the same time.

The restart test runs a PostgreSQL server of its own (initdb in a temporary folder, on a free
port), so that restarting it disturbs no other test; it needs the server binaries that
`scripts/postgres.sh` installs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.web.serve_process import free_port, serving

from trustmeter import workspace as ws_mod
from trustmeter.ingest import ImportOptions, Mapping, import_files
from trustmeter.ingest._pending import WRITE_ROWS
from trustmeter.periods import last_complete
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import connect
from trustmeter.store.database import q
from trustmeter.web import accounts

EXE = Path(sys.executable).with_name("trustmeter")
PG_URL = os.environ.get("TRUSTMETER_TEST_PG")
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAPPING = """\
kind = "incidents"
source = "export"
timezone = "UTC"

[columns]
id = "Number"
opened_at = "Opened"
severity = "Priority"
resolved_at = "Resolved"
title = "Short description"

[values.severity]
"1 - Critical" = "P1"
"2 - High" = "P2"
"3 - Moderate" = "P3"
"""
PRIORITIES = ("1 - Critical", "2 - High", "3 - Moderate")


# -- helpers ------------------------------------------------------------------------------------
def write_incidents(
    path: Path,
    numbers: Sequence[int],
    start: date,
    retitled: range = range(0),
    priorities: Sequence[str] = PRIORITIES,
) -> None:
    """An incident export, one row per number."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Number,Opened,Priority,Resolved,Short description\n")
        for n in numbers:
            day = start + timedelta(days=n % 80)
            title = f"Old title {n}" if n in retitled else f"Incident {n}"
            prio = priorities[n % len(priorities)]
            fh.write(
                f"INC{n:07d},{day}T{n % 24:02d}:{n % 60:02d}:00,{prio},{day}T23:59:59,{title}\n"
            )


def new_workspace(root: Path, url: str, mapping: Path, first: Path) -> ws_mod.Workspace:
    """A workspace on `url` with an account and the records of `first` already imported."""
    ws = ws_mod.init(root, db=url, name="faults")
    store = ws.open()
    try:
        accounts.add(store, "admin", PASSWORD, "admin")
        import_files(store, "incidents", [first], ImportOptions(mapping=Mapping.load(mapping)))
    finally:
        store.close()
    return ws


def snapshot(ws: ws_mod.Workspace) -> dict[str, list[str]]:
    """Every row of every table, in a comparable form."""
    store = connect(ws.database, base=ws.root)
    try:
        tables = store.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return {
            t: sorted(repr(r) for r in store.fetch(f"SELECT * FROM {q(t)}"))
            for (t,) in sorted(tables)
        }
    finally:
        store.close()


def run_import(root: Path, big: Path, mapping: Path) -> dict[str, Any]:
    done = subprocess.run(
        [EXE, "-w", root, "import", "incidents", big, "--mapping", mapping, "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class Terminal:
    """A pseudo-terminal for a child's standard error, so that `trustmeter import` shows its
    progress bar there (it does on a terminal, for files over 5 MB): `rows()` reads the count
    of rows it has shown so far."""

    def __init__(self) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, self.child = pty.openpty()
        fcntl.ioctl(self.child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
        self.text = b""

    def started(self) -> None:
        os.close(self.child)  # the child holds it now

    def rows(self) -> int:
        while select.select([self.master], [], [], 0)[0]:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:  # the child has ended
                break
            if not chunk:
                break
            self.text += chunk
        shown = re.findall(rb"([\d,]+) rows", self.text)
        return int(shown[-1].replace(b",", b"")) if shown else 0

    def close(self) -> None:
        os.close(self.master)


def pg_writer(url: str) -> int | None:
    """The backend of another session holding a row-writing lock on `incident` (PostgreSQL)."""
    store = connect(url)
    try:
        pid = store.scalar(
            "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'incident' AND l.mode = 'RowExclusiveLock' AND l.granted "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.pid <> pg_backend_pid()"
        )
        return int(pid) if pid is not None else None
    finally:
        store.close()


def pg_backend_gone(url: str, pid: int) -> bool:
    store = connect(url)
    try:
        return not store.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", (pid,))
    finally:
        store.close()


def wait_for(what: str, check: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    pytest.fail(f"gave up waiting for {what} after {timeout:.0f} s")


@contextlib.contextmanager
def signed_in(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = CSRF.search(client.get("/login").text)
        assert token, "the sign-in page has no CSRF token"
        data = {"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/login", data=data).status_code == 303
        yield client


def mttr_n(card: dict[str, Any]) -> int:
    metric = next(m for a in card["areas"] for m in a["metrics"] if m["id"] == "mttr")
    return int(metric["n"] or 0)


# -- a) an import killed midway -----------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="watches the import through a pseudo-terminal")
def test_a_killed_import_leaves_the_database_as_it_was(db_url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "incidents.toml"
    mapping.write_text(MAPPING, "utf-8")
    first = tmp_path / "first.csv"
    # 500 records already there: the big export repeats 250 as they are and retitles 250.
    write_incidents(first, range(500), date(2026, 1, 5), retitled=range(250, 500))
    ws = new_workspace(tmp_path / "ws", db_url, mapping, first)
    # About 75 MB: Arrow's reader takes 8 MB blocks, so the file must be many batches long
    # for the kill to land well before the end (with 2 batches it sometimes read them all).
    rows = 10 * WRITE_ROWS
    big = tmp_path / "big.csv"
    write_incidents(big, range(rows), date(2026, 1, 5))
    before = snapshot(ws)
    assert len(before["incident"]) == 500 and len(before["import_log"]) == 1

    term = Terminal()
    proc = subprocess.Popen(
        [EXE, "-w", ws.root, "import", "incidents", big, "--mapping", mapping],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=term.child,
        env={**os.environ, "TERM": "xterm"},
    )
    term.started()
    try:
        # The importer writes whenever WRITE_ROWS rows are waiting, before it reports progress:
        # a count of WRITE_ROWS or more on its progress bar means rows have been written, and
        # a count short of the file means it has not committed.
        wait_for(
            "the import to write its first batch",
            lambda: proc.poll() is not None or term.rows() >= WRITE_ROWS,
        )
        assert proc.poll() is None, "the import finished before it could be killed"
        writer = None
        if ws.database.startswith("postgres"):
            # The server confirms it: the import's transaction has written rows to `incident`.
            writer = pg_writer(ws.database)
            assert writer is not None
        assert term.rows() < rows, "the import had read the whole file"
        proc.kill()
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        term.close()
    assert proc.returncode == -signal.SIGKILL
    if writer is not None:
        # PostgreSQL rolls the transaction back when it notices its client gone.
        wait_for("the killed import's session to end", lambda: pg_backend_gone(ws.database, writer))

    assert snapshot(ws) == before

    result = run_import(ws.root, big, mapping)
    assert (result["rows_read"], result["inserted"], result["updated"], result["unchanged"]) == (
        rows,
        rows - 500,
        250,
        250,
    )
    store = connect(ws.database, base=ws.root)
    try:
        assert store.scalar("SELECT count(*) FROM incident") == rows
        assert store.scalar("SELECT count(DISTINCT id) FROM incident") == rows
        assert store.scalar("SELECT count(*) FROM incident WHERE title LIKE 'Old title%'") == 0
        log = store.fetch(
            "SELECT rows_read, inserted, updated, unchanged FROM import_log ORDER BY id"
        )
    finally:
        store.close()
    assert len(log) == 2 and tuple(log[1]) == (rows, rows - 500, 250, 250)


# -- b) PostgreSQL restarts under the server ----------------------------------------------------
@dataclass
class PrivatePostgres:
    """A PostgreSQL server of this test's own, in a temporary folder."""

    bin: Path
    data: Path
    port: int
    runas: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        cmd = [*self.runas, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"pg_ctl {' '.join(args)}: {done.stdout}{done.stderr}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", str(self.data / "server.log"), "-o", options, "start")

    def restart(self) -> None:
        self.ctl("-l", str(self.data / "server.log"), "-m", "fast", "restart")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


def _postgres_bin() -> Path | None:
    found = [Path(p).parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    required = bool(os.environ.get("TRUSTMETER_REQUIRE_PG"))
    if not PG_URL and not required:
        pytest.skip("PostgreSQL not configured (set TRUSTMETER_TEST_PG)")
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if required:
            pytest.fail("the PostgreSQL server binaries (initdb, pg_ctl) are missing")
        pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl) are missing")
    # Not under pytest's tmp_path: as root, the server runs as `postgres`, which cannot enter it.
    data = Path(tempfile.mkdtemp(prefix="trustmeter-pg-restart-"))
    runas: list[str] = []
    if os.geteuid() == 0:
        runas = ["runuser", "-u", "postgres", "--"]
        shutil.chown(data, "postgres")
    cmd = [*runas, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
           "-E", "UTF8", "-N"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pg = PrivatePostgres(bin_dir, data, free_port(), runas)
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.ctl("-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.postgres
def test_b_the_server_recovers_when_postgresql_restarts(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    pg = private_postgres
    mapping = tmp_path / "incidents.toml"
    mapping.write_text(MAPPING, "utf-8")
    first = tmp_path / "first.csv"
    write_incidents(first, range(40), last_complete(date.today(), "quarter").start)
    ws = new_workspace(tmp_path / "ws", pg.url, mapping, first)
    with serving(ws.root, tmp_path / "serve.log") as base, signed_in(base) as client:
        before = client.get("/scorecard.json")
        assert before.status_code == 200
        assert mttr_n(before.json()) > 0

        pg.restart()
        # Every connection the server held died with the old PostgreSQL: the requests that find
        # them lost reconnect and are answered without `trustmeter serve` being restarted.
        after = client.get("/scorecard.json")
        assert after.status_code == 200, after.text
        assert after.json()["areas"] == before.json()["areas"]
        assert client.get("/scorecard").status_code == 200
        assert client.get("/areas/stability.json").status_code == 200

        pg.stop()
        # While the database is down: a prompt, clean 503, as a page or as JSON.
        for path in ("/scorecard.json", "/scorecard", "/metrics/mttr.json"):
            started = time.monotonic()
            down = client.get(path)
            assert time.monotonic() - started < 10
            assert down.status_code == 503, (path, down.status_code, down.text[:300])
            assert down.headers["retry-after"]
            assert "database is not answering" in down.text
            assert pg.url not in down.text and "127.0.0.1" not in down.text
        assert "error" in client.get("/scorecard.json").json()

        pg.start()
        back = client.get("/scorecard.json")
        assert back.status_code == 200, back.text
        assert back.json()["areas"] == before.json()["areas"]
        assert client.get("/metrics/mttr.json").status_code == 200
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log, log


# -- c) the server and a CLI import on one PostgreSQL database at once --------------------------
@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_c_server_and_cli_import_at_the_same_time(db_url: str, tmp_path: Path) -> None:
    period = last_complete(date.today(), "quarter")
    mapping = tmp_path / "incidents.toml"
    mapping.write_text(MAPPING, "utf-8")
    first = tmp_path / "first.csv"
    write_incidents(first, range(10), period.start, priorities=["2 - High"])
    ws = new_workspace(tmp_path / "ws", db_url, mapping, first)
    more = 10_000
    export = tmp_path / "more.csv"
    write_incidents(export, range(10, 10 + more), period.start, priorities=["2 - High"])

    statuses: list[tuple[int, float, float]] = []  # status, sent, answered (monotonic)
    stop = threading.Event()

    with serving(ws.root, tmp_path / "serve.log") as base, signed_in(base) as client:
        before = client.get("/scorecard.json").json()
        assert mttr_n(before) == 10

        def hammer() -> None:
            while not stop.is_set():
                for path in ("/scorecard.json", "/scorecard"):
                    sent = time.monotonic()
                    try:
                        status = client.get(path).status_code
                    except httpx.HTTPError:
                        status = -1
                    statuses.append((status, sent, time.monotonic()))

        loop = threading.Thread(target=hammer)
        loop.start()
        try:
            wait_for("the first requests", lambda: len(statuses) >= 4)
            started = time.monotonic()
            result = run_import(ws.root, export, mapping)
            finished = time.monotonic()
            wait_for("requests after the import", lambda: statuses[-1][1] > finished + 0.1)
        finally:
            stop.set()
            loop.join(120)
        after = client.get("/scorecard.json").json()

    assert (result["rows_read"], result["inserted"], result["updated"]) == (more, more, 0)
    assert [s for s, _, _ in statuses if s != 200] == []
    during = [s for s, sent, _ in statuses if started <= sent <= finished]
    assert len(during) >= 3, "no requests were answered while the import ran"
    # The import changed the data version: the server computed the scorecard anew, and it is
    # the one the core computes from the database now.
    store = connect(ws.database)
    try:
        expected = (
            Scorer(store, ws.framework(), ws.profile, ws.as_dict()).scorecard(period).as_dict()
        )
    finally:
        store.close()
    assert after["period"]["label"] == period.label
    assert mttr_n(after) == mttr_n(expected) > mttr_n(before)
    assert [a["score"] for a in after["areas"]] == [a["score"] for a in expected["areas"]]
    assert after["trust_index"] == expected["trust_index"]

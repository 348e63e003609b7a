"""Issue 15: the dashboard and the CLI at the same time on the embedded default (DuckDB).

A real `trustmeter serve` runs on a DuckDB workspace while HTTP clients read the dashboard
without pause, and `score`, `report` and `import` run from the CLI as separate processes at
the same time. Every answer is checked, and the data afterwards: the import's rows all there,
none twice. Before the lease (web/pool.py) and the wait (store/dbwait.py), each of the three
commands failed at once with "in use by another process".
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
from serve_process import EXE, serving
from web_helpers import PASSWORD, csrf_of, seed

from trustmeter import workspace as ws_mod
from trustmeter.periods import last_complete
from trustmeter.store.dbwait import someone_waiting
from trustmeter.web import accounts

NEW_ROWS = 400


@contextlib.contextmanager
def _signed_in(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as c:
        token = csrf_of(c.get("/login").text)
        data = {"username": "admin", "password": PASSWORD, "csrf_token": token}
        r = c.post("/login", data=data)
        assert r.status_code == 303, r.text
        yield c


def _cli(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(EXE), "-w", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TRUSTMETER_DB_WAIT": "120", "COLUMNS": "200"},
    )


def _incidents_csv(path: Path) -> None:
    start = last_complete(date.today(), "quarter").start_ts
    lines = ["id,opened_at,resolved_at,severity,service"]
    for i in range(NEW_ROWS):
        opened = start + timedelta(hours=5 * i)
        resolved = opened + timedelta(minutes=30 + i % 90)
        lines.append(f"NEW-{i:04d},{opened:%Y-%m-%d %H:%M},{resolved:%Y-%m-%d %H:%M},P3,SVC-ERP")
    path.write_text("\n".join(lines) + "\n")


def test_score_report_and_import_run_while_serve_answers(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", name="both at once")
    store = ws.open()
    try:
        seed(store)
        accounts.add(store, "admin", PASSWORD, "admin")
        before = store.scalar("SELECT count(*) FROM incident")
    finally:
        store.close()
    csv = tmp_path / "new-incidents.csv"
    _incidents_csv(csv)
    answers: list[tuple[str, int, float]] = []
    stop = threading.Event()

    def read_dashboard(c: httpx.Client) -> None:
        while not stop.is_set():
            for path in ("/scorecard", "/scorecard.json", "/areas/delivery.json", "/surveys.json"):
                t0 = time.monotonic()
                try:
                    r = c.get(path)
                    ok = path != "/scorecard.json" or "areas" in r.json()
                    status = r.status_code if ok else -2
                except httpx.HTTPError:
                    status = -1  # no answer at all
                answers.append((path, status, time.monotonic() - t0))

    with (
        serving(ws.root, tmp_path / "serve.log", signal.SIGTERM) as base,
        contextlib.ExitStack() as clients,
    ):
        # Signed in one after the other: the first sign-in rehashes the password (a write).
        signed = [clients.enter_context(_signed_in(base)) for _ in range(3)]
        card_before = signed[0].get("/scorecard.json").json()
        readers = [threading.Thread(target=read_dashboard, args=(c,)) for c in signed]
        for t in readers:
            t.start()
        time.sleep(1.0)  # the readers are in full swing before the commands start
        out = tmp_path / "report.html"
        procs = {
            "score": _cli(ws.root, "score", "--json"),
            "report": _cli(ws.root, "report", "--out", str(out)),
            "import": _cli(ws.root, "import", "incidents", str(csv)),
        }
        results = {name: (p.communicate(timeout=300), p.returncode) for name, p in procs.items()}
        again = _cli(ws.root, "import", "incidents", str(csv))  # the same file once more
        results["import again"] = (again.communicate(timeout=300), again.returncode)
        # The dashboard keeps answering after the commands, and sees the new records.
        time.sleep(0.5)
        stop.set()
        for t in readers:
            t.join(120)
        after = signed[0].get("/scorecard.json")
        assert not someone_waiting(ws.root / "trustmeter.duckdb")
    log = (tmp_path / "serve.log").read_text()

    for name, ((stdout, stderr), rc) in results.items():
        assert rc == 0, f"{name} failed ({rc}):\n{stdout}\n{stderr}\nserver log:\n{log}"
    card = json.loads(results["score"][0][0])
    assert card["period"]["label"] and card["areas"]
    html = out.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<html" in html[:500]
    assert f"{NEW_ROWS} inserted, 0 updated, 0 unchanged" in results["import"][0][0]
    assert f"0 inserted, 0 updated, {NEW_ROWS} unchanged" in results["import again"][0][0]

    statuses = {code for _, code, _ in answers}
    assert statuses == {200}, sorted({(p, c) for p, c, _ in answers if c != 200})
    assert len(answers) >= 12, answers  # the readers kept reading throughout
    assert after.status_code == 200
    # The server saw the CLI's import: the same period, figures from the new records too.
    assert after.json()["period"] == card_before["period"] and after.json() != card_before
    print(f"{len(answers)} answers, slowest {max(t for *_, t in answers):.2f} s")

    store = ws.open()
    try:
        rows = store.fetch("SELECT source_id FROM incident WHERE source_id LIKE 'NEW-%'")
        total = store.scalar("SELECT count(*) FROM incident")
    finally:
        store.close()
    ids = sorted(r[0] for r in rows)
    assert ids == [f"NEW-{i:04d}" for i in range(NEW_ROWS)]  # all there, none twice
    assert total == before + NEW_ROWS

"""Load test: the scorecard page and its JSON twin under concurrent signed-in clients.

    python -m bench.dashboard_load                      # demo workspace on DuckDB, 20 clients
    python -m bench.dashboard_load --db postgresql://postgres@127.0.0.1:54329/postgres
    python -m bench.dashboard_load --workspace trustmeter-demo --requests 1000

It builds the demo organisation with `trustmeter demo` (about half a minute; `--workspace`
reuses an existing workspace instead), adds an account for the run, and then, once for the
HTML page `/scorecard` and once for `/scorecard.json`: starts `trustmeter serve --no-warm` as
its own process on a free loopback port, signs in `--clients` clients (each its own session),
sends one request from every client at the same moment while nothing is cached yet (cold),
then `--requests` more spread over the same clients (warm), and stops the server. Each page
gets a fresh server, so that its cold figure is its own. Prints p50, p95 and max latency per
page and phase; exits 1 when any request fails. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover - either client will do
    import httpx  # type: ignore[no-redef]

from bench._serve import free_port, percentile, scratch_database, start_server, stop_server
from trustmeter import workspace as ws_mod
from trustmeter.web import accounts

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = {"/scorecard": "scorecard (HTML)", "/scorecard.json": "scorecard.json"}


@dataclass
class Phase:
    page: str
    phase: str
    results: list[tuple[int, float]]  # (status, seconds) per request
    elapsed: float

    @property
    def ok(self) -> list[float]:
        return [t for code, t in self.results if code == 200]

    @property
    def errors(self) -> int:
        return len(self.results) - len(self.ok)


def build(root: Path, db: str | None) -> float:
    """The demo organisation in `root` through the CLI, as a newcomer builds it; seconds taken."""
    exe = Path(sys.executable).with_name("trustmeter")
    cmd = [str(exe), "demo", str(root)] + (["--db", db] if db else [])
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`trustmeter demo` failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


async def sign_in(base: str, username: str, password: str) -> Any:
    client = httpx.AsyncClient(base_url=base, timeout=300)
    form = await client.get("/login")
    m = CSRF.search(form.text)
    if not m:
        raise SystemExit(f"the sign-in page has no CSRF token (status {form.status_code})")
    data = {"username": username, "password": password, "csrf_token": m.group(1), "next": "/"}
    r = await client.post("/login", data=data, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"signing in failed with status {r.status_code}")
    return client


async def fetch(client: Any, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        r = await client.get(path)
        status = r.status_code
        if status == 200 and path.endswith(".json") and "areas" not in r.json():
            status = -1  # answered, but not a scorecard
    except httpx.HTTPError:
        status = -2
    return status, time.perf_counter() - started


async def load(
    base: str, path: str, clients: int, requests: int, user: str, pw: str
) -> list[Phase]:
    sessions = await asyncio.gather(*(sign_in(base, user, pw) for _ in range(clients)))
    try:
        # Cold: every client's first request at once, against a server that has computed nothing.
        started = time.perf_counter()
        cold = list(await asyncio.gather(*(fetch(c, path) for c in sessions)))
        phases = [Phase(path, "cold", cold, time.perf_counter() - started)]
        # Warm: `requests` more, each client sending its next as soon as its last is answered.
        left = iter(range(requests))
        warm: list[tuple[int, float]] = []

        async def worker(client: Any) -> None:
            for _ in left:
                warm.append(await fetch(client, path))

        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in sessions))
        phases.append(Phase(path, "warm", warm, time.perf_counter() - started))
        return phases
    finally:
        await asyncio.gather(*(c.aclose() for c in sessions))


def measure(root: Path, clients: int, requests: int, user: str, pw: str) -> list[Phase]:
    phases: list[Phase] = []
    for path in PAGES:
        port = free_port()
        # Plain HTTP on loopback: the session cookie must not be marked Secure.
        server = start_server(root, port, "--insecure-cookies")
        try:
            base = f"http://127.0.0.1:{port}"
            phases += asyncio.run(load(base, path, clients, requests, user, pw))
        finally:
            stop_server(server)
    return phases


def table(phases: list[Phase]) -> list[str]:
    head = (f"  {'page':<18} {'phase':<5} {'requests':>8} {'errors':>6} {'p50 ms':>8} "
            f"{'p95 ms':>8} {'max ms':>8} {'req/s':>7}")  # fmt: skip
    lines = [head, "  " + "-" * (len(head) - 2)]
    for p in phases:
        ok = p.ok
        figures = (
            f"{percentile(ok, 50) * 1000:>8.0f} {percentile(ok, 95) * 1000:>8.0f} "
            f"{max(ok) * 1000:>8.0f}"
            if ok
            else f"{'-':>8} {'-':>8} {'-':>8}"
        )
        lines.append(
            f"  {PAGES[p.page]:<18} {p.phase:<5} {len(p.results):>8} {p.errors:>6} {figures} "
            f"{len(p.results) / p.elapsed:>7.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20, help="Concurrent signed-in clients.")
    ap.add_argument("--requests", type=int, default=400, help="Warm requests per page.")
    ap.add_argument("--db", help="Database URL for the demo (default: DuckDB in the workspace).")
    ap.add_argument("--workspace", type=Path, help="Use this workspace instead of a new demo.")
    ap.add_argument("--keep", action="store_true", help="Keep the demo workspace (and database).")
    args = ap.parse_args(argv)
    if args.workspace and args.db:
        ap.error("give --workspace or --db, not both: a workspace names its own database")

    tmp = Path(tempfile.mkdtemp(prefix="trustmeter-dash-"))
    user, pw = "bench-" + secrets.token_hex(3), secrets.token_urlsafe(16)
    with contextlib.ExitStack() as stack:
        built = None
        if args.workspace:
            root = args.workspace.resolve()
        else:
            root = tmp / "demo"
            db = args.db
            if db and db.startswith("postgres"):
                db = stack.enter_context(scratch_database(db, "tm_dash", keep=args.keep))
            built = build(root, db)
        ws = ws_mod.load(root)
        store = ws.open()
        try:
            accounts.add(store, user, pw, "viewer")
        finally:
            store.close()
        load_before = os.getloadavg()[0]
        try:
            phases = measure(root, args.clients, args.requests, user, pw)
        finally:
            store = ws.open()
            try:
                accounts.remove(store, user)
            finally:
                store.close()
    engine = "PostgreSQL" if ws.database.startswith("postgres") else "DuckDB"
    print(f"dashboard load test: {ws.name} on {engine}, {args.clients} concurrent signed-in "
          "clients, trustmeter serve on 127.0.0.1")  # fmt: skip
    if built is not None:
        print(f"  workspace built by `trustmeter demo` in {built:.1f} s")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the run and "
          f"{os.getloadavg()[0]:.1f} after it (client, server and database share them)")  # fmt: skip
    print("  cold: every client's first request at once, after a fresh start (--no-warm): all")
    print("        wait for the one computation of the scorecard, so p50 is close to max;")
    print(f"  warm: {args.requests} requests that follow, over the same clients")
    print()
    print("\n".join(table(phases)))
    failed = sum(p.errors for p in phases)
    print()
    print(f"  {'ok  ' if not failed else 'FAIL'}  every request answered 200 ({failed} failed)")
    if args.keep and not args.workspace:
        print(f"  workspace kept in {root}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())

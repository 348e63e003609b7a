"""How long does a user wait on the demo organisation? `python -m bench.demo_speed`

Times whole processes, as a user runs them on the demo organisation (about 7,000 records,
DuckDB unless the workspace says otherwise), each command `--runs` times, alternating the
commands so that a slow minute of the machine falls on all of them alike, and prints the
median (and the fastest and slowest) of each:

- `trustmeter score --json`, and `trend --periods 8` (quarters) against it;
- a 24-period monthly trend (`trend --periods 24 --period month`);
- `trustmeter report` (the HTML report, forecasts included);
- the dashboard's first scorecard: a fresh `trustmeter serve --no-warm`, one signed-in client,
  the time of its first `/scorecard.json` (the server computes it on that request).

The floors, measured in the same run: the process that only imports trustmeter's command
line (Python, ibis, DuckDB), and the one that also loads the demo's workspace, opens its
database and connects, as every command that reads the records does: no such command can
finish faster. The figures the scoring-engine
issue asks for are printed beside each median.

    python -m bench.demo_speed [--runs 7] [--workspace DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._serve import free_port, start_server, stop_server
from bench.dashboard_load import build, sign_in
from trustmeter import workspace as ws_mod
from trustmeter.web import accounts

AS_OF = "2026-10-01"
OPEN_ONLY = (
    "import sys; from pathlib import Path; import trustmeter.cli; "
    "from trustmeter import workspace; "
    "store = workspace.load(Path(sys.argv[1])).open(); store.fetch('SELECT 1'); store.close()"
)


def commands(root: Path, out: Path) -> dict[str, list[str]]:
    exe = str(Path(sys.executable).with_name("trustmeter"))
    w = [exe, "-w", str(root)]
    return {
        "floor (import only)": [sys.executable, "-c", "import trustmeter.cli"],
        # Every command that reads the records also loads the workspace, opens its database
        # (ibis's DuckDB backend is imported then) and connects: the floor of `score`.
        "floor (+ open workspace)": [sys.executable, "-c", OPEN_ONLY, str(root)],
        "score --json": [*w, "score", "--as-of", AS_OF, "--json"],
        "trend --periods 8": [*w, "trend", "--periods", "8", "--as-of", AS_OF, "--json"],
        "trend 24 months": [
            *w,
            "trend",
            "--periods",
            "24",
            "--period",
            "month",
            "--as-of",
            AS_OF,
            "--json",
        ],
        "report": [*w, "report", "--as-of", AS_OF, "--out", str(out / "report.html")],
    }


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return took


def first_scorecard(root: Path, user: str, pw: str) -> float:
    """Seconds from a signed-in client's first `/scorecard.json` to its answer, on a fresh server."""
    port = free_port()
    server = start_server(root, port, "--insecure-cookies")
    try:

        async def run() -> float:
            client = await sign_in(f"http://127.0.0.1:{port}", user, pw)
            try:
                started = time.perf_counter()
                r = await client.get("/scorecard.json")
                took = time.perf_counter() - started
                if r.status_code != 200 or "areas" not in r.json():
                    raise SystemExit(f"/scorecard.json answered {r.status_code}")
                return took
            finally:
                await client.aclose()

        return asyncio.run(run())
    finally:
        stop_server(server)


# What the scoring-engine issue asks of each (seconds, or a multiple of `score --json`).
AIMS = {
    "score --json": "≤ 1.0 s",
    "trend --periods 8": "≤ 1.5 × score",
    "trend 24 months": "≤ 3 s",
    "report": "≤ 3 s",
    "dashboard first scorecard": "≤ 1 s",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.demo_speed", description=__doc__)
    ap.add_argument("--runs", type=int, default=7, help="Runs of each command (default 7).")
    ap.add_argument("--workspace", type=Path, help="Use this demo workspace instead of a new one.")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="trustmeter-speed-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, True)
        root = args.workspace.resolve() if args.workspace else tmp / "demo"
        if not args.workspace:
            print(f"building the demo organisation: {build(root, None):.1f} s", flush=True)
        user, pw = "bench-" + secrets.token_hex(3), secrets.token_urlsafe(16)
        ws = ws_mod.load(root)
        store = ws.open()
        try:
            accounts.add(store, user, pw, "viewer")
        finally:
            store.close()
        try:
            cmds = commands(root, tmp)
            times: dict[str, list[float]] = {
                name: [] for name in [*cmds, "dashboard first scorecard"]
            }
            for run in range(args.runs):
                for name, cmd in cmds.items():
                    times[name].append(timed(cmd))
                times["dashboard first scorecard"].append(first_scorecard(root, user, pw))
                print(f"  run {run + 1}/{args.runs} done", flush=True)
        finally:
            store = ws.open()
            try:
                accounts.remove(store, user)
            finally:
                store.close()
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"\ndemo organisation, {args.runs} alternating runs each, whole processes (seconds)")
    print(f"  {'command':<28} {'median':>7} {'best':>7} {'worst':>7}   aim")
    for name, ts in times.items():
        aim = AIMS.get(name, "")
        print(f"  {name:<28} {med[name]:7.2f} {min(ts):7.2f} {max(ts):7.2f}   {aim}")
    ratio = med["trend --periods 8"] / med["score --json"]
    print(f"\n  trend --periods 8 ÷ score --json = {ratio:.2f} (aim ≤ 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

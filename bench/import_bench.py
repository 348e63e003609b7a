"""How fast, and in how much memory, does a big incident export import? `python -m bench.import_bench`

Generates a seeded ServiceNow-like incident CSV (streamed to disk in chunks, never held in
memory) and its mapping file, then measures in the same run:

(a) DuckDB's own bare `read_csv` of the file into a table: the floor to compare against;
(b) `trustmeter import incidents FILE --mapping M` into a fresh workspace: the whole command as a
    user runs it (interpreter start and library imports, about half a second, included), run as a separate
    process so that its peak RSS is its own (`os.wait4` gives the child's rusage);
(c) the same import again: every record unchanged.

The claim in issue 6: (b) within 1.5× of (a), peak RSS under 1 GB, for 2,000,000 rows.

    python -m bench.import_bench [--rows 2000000] [--db postgresql://…] [--out DIR]

With `--db postgresql://user@host:port/db` a fresh database is created on that server for the
run (the URL's database is only used to connect) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench._serve import scratch_database

SEED = 20260101
CHUNK = 50_000
HEADER = [
    "Number",
    "Opened",
    "Priority",
    "State",
    "Configuration item",
    "Assignment group",
    "Acknowledged",
    "Resolved",
    "Maintenance",
    "Caused by Change",
    "Problem",
    "Resolved by",
    "Short description",
]
PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low", "5 - Planning"]
PRIORITY_P = [0.01, 0.04, 0.25, 0.5, 0.2]
STATES = ["Resolved", "Closed", "In Progress", "New"]
SUBJECTS = [
    'Users report "slow" login, intermittent',
    "Disk full on db-host, alerts firing",
    'Checkout fails with "500", retries exhausted',
    "VPN drops every 10 min, Berlin office",
    "Printer offline",
    'Job "nightly-export" failed, partial data',
    "Certificate expiry warning, renew soon",
    "Password reset",
]
MAPPING = """\
kind = "incidents"
source = "servicenow"
timezone = "Europe/Berlin"

[columns]
id = "Number"
opened_at = "Opened"
severity = "Priority"
service = "Configuration item"
acknowledged_at = "Acknowledged"
resolved_at = "Resolved"
is_maintenance = "Maintenance"
caused_by_change = "Caused by Change"
problem = "Problem"
resolver = "Resolved by"
title = "Short description"

[values.severity]
"1 - Critical" = "P1"
"2 - High" = "P2"
"3 - Moderate" = "P3"
"4 - Low" = "P4"
"5 - Planning" = "P5"
"""


def generate(path: Path, rows: int, seed: int = SEED) -> None:
    """Write `rows` incidents in chunks: memory stays at one chunk whatever `rows` is."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2020-01-01T00:00:00")
    span = 6 * 365 * 86400  # six years of history
    services = np.array([f"Service {i:03d}" for i in range(250)])
    groups = np.array([f"Team {i:02d}" for i in range(40)])
    people = np.array([f"Person {i:04d}" for i in range(3000)])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for lo in range(0, rows, CHUNK):
            n = min(CHUNK, rows - lo)
            opened = start + rng.integers(0, span, n).astype("timedelta64[s]")
            # An opened time in the hour that Berlin's clocks skip is read with the offset
            # before the change, an hour before a resolved time just after it: the import
            # would rightly refuse the row as resolved before opened. Real exports have none.
            opened = opened + _in_gap(opened) * np.timedelta64(3600, "s")
            ack = opened + rng.integers(60, 4 * 3600, n).astype("timedelta64[s]")
            res = ack + rng.exponential(8 * 3600, n).astype("int64").astype("timedelta64[s]")
            opened_s = np.datetime_as_string(opened, unit="s")
            ack_s = np.datetime_as_string(ack, unit="s")
            res_s = np.datetime_as_string(res, unit="s")
            unresolved = rng.random(n) < 0.03
            no_ack = rng.random(n) < 0.05
            prio = rng.choice(len(PRIORITIES), n, p=PRIORITY_P)
            state = rng.integers(0, len(STATES), n)
            svc = services[rng.integers(0, len(services), n)]
            grp = groups[rng.integers(0, len(groups), n)]
            who = people[rng.integers(0, len(people), n)]
            maint = rng.random(n) < 0.02
            caused = rng.random(n) < 0.1
            chg = rng.integers(0, 500_000, n)
            problem = rng.random(n) < 0.15
            prb = rng.integers(0, 20_000, n)
            subj = rng.integers(0, len(SUBJECTS), n)
            out = []
            for i in range(n):
                out.append(
                    (
                        f"INC{lo + i + 1:010d}",
                        opened_s[i].replace("T", " "),
                        PRIORITIES[prio[i]],
                        STATES[state[i]],
                        svc[i],
                        grp[i],
                        "" if no_ack[i] else ack_s[i].replace("T", " "),
                        "" if unresolved[i] else res_s[i].replace("T", " "),
                        "true" if maint[i] else "false",
                        f"CHG{chg[i]:07d}" if caused[i] else "",
                        f"PRB{prb[i]:07d}" if problem[i] else "",
                        "" if unresolved[i] else who[i],
                        f"{SUBJECTS[subj[i]]} (#{lo + i + 1})",
                    )
                )
            w.writerows(out)


def _in_gap(times: np.ndarray) -> np.ndarray:
    """Which wall-clock times never happen in Berlin (the spring-forward hour)."""
    naive = pa.array(times.astype("datetime64[us]"))
    early = pc.assume_timezone(naive, "Europe/Berlin", ambiguous="earliest", nonexistent="earliest")
    late = pc.assume_timezone(naive, "Europe/Berlin", ambiguous="earliest", nonexistent="latest")
    gap: np.ndarray = pc.not_equal(early, late).to_numpy(zero_copy_only=False)
    return gap


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    output: str


def run_child(cmd: list[str], cwd: Path) -> Run:
    """Run `cmd` as a child process; its wall time and its own peak RSS (from wait4)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output}")
    return Run(seconds, usage.ru_maxrss / 1024, output)  # ru_maxrss is in KiB on Linux


def duckdb_read_csv(csv_path: Path, db_path: Path) -> float:
    """DuckDB's bare read_csv of the file into a table (types auto-detected), wall time from
    connecting to closing, so that it includes writing the table to the file, as (b) does."""
    t = time.perf_counter()
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{csv_path}')")
        count = con.execute("SELECT count(*) FROM raw").fetchone()
        assert count is not None
    finally:
        con.close()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--db", help="postgresql://… server to bench on (default: DuckDB file)")
    ap.add_argument("--out", type=Path, help="working directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="tm-import-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("trustmeter") or str(Path(sys.executable).parent / "trustmeter")

    csv_path = out / f"incidents-{args.rows}.csv"
    mapping = out / "servicenow-incidents.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    if not csv_path.exists():
        t = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path} in {time.perf_counter() - t:.1f} s", flush=True)
    size_mb = csv_path.stat().st_size / 1e6

    raw_db = out / "bare.duckdb"
    raw_db.unlink(missing_ok=True)
    bare = duckdb_read_csv(csv_path, raw_db)
    raw_db.unlink(missing_ok=True)

    ws = out / "workspace"
    shutil.rmtree(ws, ignore_errors=True)
    scratch = contextlib.ExitStack()  # a scratch PostgreSQL database, dropped at the end
    engine = "duckdb"
    init = [exe, "init", str(ws), "--timezone", "Europe/Berlin"]
    if args.db:
        url = scratch.enter_context(scratch_database(args.db, "tm_import_bench"))
        init += ["--db", url]
        engine = "postgresql"
    try:
        run_child(init, out)
        cmd = [exe, "import", "incidents", str(csv_path), "--mapping", str(mapping)]
        first = run_child(cmd, ws)
        again = run_child(cmd, ws)
    finally:
        scratch.close()
    if not args.keep and args.out is None:
        shutil.rmtree(out, ignore_errors=True)

    rows = args.rows
    print()
    print(f"import bench: {rows:,} incident rows, {size_mb:,.0f} MB CSV, engine {engine}")
    print(f"  {'step':<44}{'seconds':>9}{'rows/s':>12}{'vs bare':>9}{'peak RSS':>11}")
    table = [
        ("(a) DuckDB bare read_csv → table", bare, None),
        ("(b) trustmeter import (mapping, validation)", first.seconds, first.max_rss_mb),
        ("(c) re-import, all unchanged", again.seconds, again.max_rss_mb),
    ]
    for name, secs, rss in table:
        ratio = f"{secs / bare:.2f}×"
        mem = f"{rss:,.0f} MB" if rss is not None else "-"
        print(f"  {name:<44}{secs:>9.2f}{rows / secs:>12,.0f}{ratio:>9}{mem:>11}")
    print(
        f"  aim: (b) ≤ 1.5× (a) → {'met' if first.seconds <= 1.5 * bare else 'NOT met'}; "
        f"peak RSS < 1 GB → {'met' if first.max_rss_mb < 1024 else 'NOT met'}"
    )
    print(f"  measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; workspace output:")
    for line in (first.output.strip().splitlines() + again.output.strip().splitlines())[-12:]:
        print(f"    {line}")


if __name__ == "__main__":
    main()

"""How fast is the scorecard on a big organisation, and is it right? `python -m bench.scorecard_bench`

Generates a seeded synthetic organisation in DuckDB SQL (range() and hash-based random
numbers, no Python row objects): 250 services in three tiers, 40 teams, 1,500 people, and six
years of work items, incidents and changes ending on a fixed date (END below). It loads them
straight into a fresh workspace's tables (bypassing the importer, but storing what the writer
stores: the canonical fields, source/source_id/row_hash/imported_at), then measures in the
same run:

(a) `Scorer.scorecard(period)` for the last complete quarter before END (which also scores
    the quarter before it, for the stage gates that look back two periods);
(b) the eight-quarter trend, `Scorer.trend(series(last, 8))` as `trustmeter trend --periods 8`
    runs it, with a fresh Scorer (and a fresh database connection);
(c) a plain pandas computation of the same metrics for the same periods, written from
    FRAMEWORK.md and docs/metrics/*.md without reading the ibis code's expressions: read the
    tables into DataFrames, filter, group. Every metric whose inputs are only incidents,
    changes, work items and services is covered (COVERED in bench/pandas_scorecard.py).
(d) on DuckDB, the floor: the same covered metrics for the same periods in hand-written
    DuckDB SQL (bench/sql_floor.py), what the database does alone with no ibis and no Python
    per row; the bench prints trustmeter's time over it.

It asserts that pandas and trustmeter (and the floor) agree on every covered metric's value
(relative tolerance 1e-6) and n (exactly) in every period scored, prints the agreement table, the
timings, the time per metric and the split between ibis compilation and execution, and the
peak RSS of each phase. Exits 1 on any disagreement.

The parts: synthetic_org.py generates and loads the data, pandas_scorecard.py is (c), probe.py
times trustmeter from inside this process, scorecard_report.py compares and prints.

    python -m bench.scorecard_bench [--work-items 10000000 --incidents 2000000 --changes 500000]
                                    [--db postgresql://…] [--pg-setting NAME=VALUE]
                                    [--out DIR] [--keep] [--profile]

With `--db postgresql://user@host:port/db` a fresh database is created on that server for the
run (the URL's database is only used to connect), loaded with COPY, ANALYZEd, and dropped
afterwards. The figures are for the scoring; the bench never runs the importer.

PostgreSQL caveat (measured): the planner estimates 1 row for every `latest()` subquery (a
filter on a window function's output) and nests loops over them without materialising, so
repeat_incidents and change_failure_rate re-run a full-table window per outer row. At 8,000
incidents repeat_incidents takes ~4 s a quarter, at 40,000 over 90 s; at 2,000,000 expect it
not to finish. `--pg-setting enable_nestloop=off` shows the cost without those plans.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._serve import scratch_database
from bench.pandas_scorecard import COVERED, PandasScorecard, read_frames
from bench.probe import Probe, peak_mb, profiled, reset_peak
from bench.scorecard_report import BenchRun, Values, compare, report
from bench.sql_floor import floor_values
from bench.synthetic_org import END, SEED, load_duckdb, load_postgres, q
from trustmeter import workspace as ws_mod
from trustmeter.periods import last_complete, series
from trustmeter.scorecard.scorer import Scorer

# The parity and floor tests build on these, imported from here.
__all__ = [
    "COVERED",
    "END",
    "SEED",
    "PandasScorecard",
    "compare",
    "load_duckdb",
    "load_postgres",
    "lookback",
    "main",
    "read_frames",
]

TREND_PERIODS = 8


def lookback(fw: Any) -> int:
    """How many periods a scorecard scores (Scorer.scorecard: the gates' deepest look-back)."""
    return max([c.periods for s in fw.stages for c in s.gate] or [1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.scorecard_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--work-items", type=int, default=10_000_000)
    ap.add_argument("--incidents", type=int, default=2_000_000)
    ap.add_argument("--changes", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--db", help="postgresql://… server to bench on (default: a DuckDB file)")
    ap.add_argument("--out", type=Path, help="working directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    ap.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="SET this on trustmeter's PostgreSQL connections (repeatable), e.g. "
        "enable_nestloop=off to see what the planner's nested loops over latest() cost",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the scorecard and trend (slows them; writes .prof files to --out)",
    )
    args = ap.parse_args(argv)
    counts = {"work_item": args.work_items, "incident": args.incidents, "change": args.changes}
    out = args.out or Path(tempfile.mkdtemp(prefix="tm-scorecard-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    run = measure(args, counts, out)
    result, problems = report(run)
    if args.out is not None or args.keep:
        (out / "results.json").write_text(json.dumps(result, indent=1, default=str))
    else:
        shutil.rmtree(out, ignore_errors=True)
    if problems:
        print(
            f"\n{len(problems)} disagreement(s) with pandas (trustmeter or sql floor)",
            file=sys.stderr,
        )
        raise SystemExit(1)
    print(f"\nall {len(COVERED)} covered metrics agree in every period scored")


def measure(args: argparse.Namespace, counts: dict[str, int], out: Path) -> BenchRun:
    """Generate and load, then time trustmeter, pandas and (on DuckDB) the SQL floor."""
    root = out / "workspace"
    shutil.rmtree(root, ignore_errors=True)

    probe = Probe()
    peaks: dict[str, float] = {}
    scratch = contextlib.ExitStack()  # a scratch PostgreSQL database, dropped at the end
    engine = "duckdb"
    url = None
    if args.db:
        url = scratch.enter_context(scratch_database(args.db, "tm_scorecard_bench"))
        engine = "postgresql"
    try:
        ws = ws_mod.init(root, profile="large", db=url, name="scorecard-bench")
        fw = ws.framework()
        last = last_complete(END.date(), fw.params["period"])
        trend_periods = series(last, TREND_PERIODS)
        depth = lookback(fw)

        # 1. generate and load
        print(f"generating and loading ({engine}): {counts}", flush=True)
        reset_peak()
        store = ws.open()
        t = time.perf_counter()
        loads = (load_duckdb if engine == "duckdb" else load_postgres)(store, counts, args.seed)
        load_s = time.perf_counter() - t
        rows = {
            tb: int(store.scalar(f"SELECT count(*) FROM {q(tb)}"))
            for tb in ("service", "team", "person", "incident", "change", "work_item")
        }
        store.close()
        peaks["load"] = peak_mb()

        # 2. trustmeter: scorecard, then trend, each with a fresh Scorer and connection
        timings: dict[str, float] = {}
        cpu_s: dict[str, float] = {}
        for phase, run in (
            ("scorecard", lambda s: s.scorecard(last)),
            ("trend", lambda s: s.trend(trend_periods)),
            # A user's next `trend`: the SQL the first compiled is kept in the workspace.
            ("trend again", lambda s: s.trend(trend_periods)),
        ):
            store = ws.open()
            for setting in args.pg_setting if engine == "postgresql" else ():
                name, _, value = setting.partition("=")
                # A quoted literal suits every setting's type: work_mem=256MB, jit=off.
                literal = value.strip().strip("'").replace("'", "''")
                store.execute(f"SET {name.strip()} = '{literal}'")
            probe.attach(store)
            probe.phase = phase
            reset_peak()
            print(f"trustmeter {phase} …", flush=True)
            prof = out / f"{phase}.prof" if args.profile else None
            t, cpu = time.perf_counter(), time.process_time()
            with profiled(prof):
                scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
                card = run(scorer)
            timings[phase] = time.perf_counter() - t
            cpu_s[phase] = time.process_time() - cpu
            peaks[phase] = peak_mb()
            store.close()
            print(f"  {timings[phase]:.1f} s", flush=True)
            if phase == "scorecard":
                text = json.dumps(card.as_dict(), indent=1, default=str)
                (out / "scorecard.json").write_text(text)

        # 3. pandas: read once, then the scorecard's periods and the trend's periods
        print("pandas …", flush=True)
        store = ws.open(migrate_schema=False)
        reset_peak()
        t, cpu = time.perf_counter(), time.process_time()
        frames = read_frames(store)
        read_s = time.perf_counter() - t
        cpu_s["pandas read"] = time.process_time() - cpu
        store.close()
        sc_periods = series(last, depth)
        tr_periods = series(last, TREND_PERIODS + depth - 1)
        pandas_raw: dict[str, Values] = {}
        pandas_s: dict[str, float] = {}
        for phase, periods in (("scorecard", sc_periods), ("trend", tr_periods)):
            t, cpu = time.perf_counter(), time.process_time()
            card_pd = PandasScorecard(frames, fw.params)
            pandas_raw[phase] = {(mid, p): v for p in periods for mid, v in card_pd.all(p).items()}
            pandas_s[phase] = time.perf_counter() - t
            cpu_s[f"pandas {phase}"] = time.process_time() - cpu
        peaks["pandas"] = peak_mb()
        del frames, card_pd

        # 4. the floor (DuckDB only): the same metrics and periods in hand-written DuckDB SQL
        floor_raw: dict[str, Values] = {}
        floor_s: dict[str, float] = {}
        if engine == "duckdb":
            print("sql floor …", flush=True)
            store = ws.open(migrate_schema=False)
            reset_peak()
            for phase, periods in (("scorecard", sc_periods), ("trend", tr_periods)):
                t, cpu = time.perf_counter(), time.process_time()
                floor_raw[phase] = floor_values(store.con.con, periods, fw.params)
                floor_s[phase] = time.perf_counter() - t
                cpu_s[f"floor {phase}"] = time.process_time() - cpu
            store.close()
            peaks["floor"] = peak_mb()
    finally:
        scratch.close()
    return BenchRun(
        engine=engine,
        seed=args.seed,
        pg_settings=args.pg_setting,
        profiled=args.profile,
        out=out,
        last=last,
        trend_periods=trend_periods,
        sc_periods=sc_periods,
        tr_periods=tr_periods,
        depth=depth,
        rows=rows,
        loads=loads,
        load_s=load_s,
        probe=probe,
        timings=timings,
        cpu_s=cpu_s,
        peaks=peaks,
        read_s=read_s,
        pandas_raw=pandas_raw,
        pandas_s=pandas_s,
        floor_raw=floor_raw,
        floor_s=floor_s,
    )


if __name__ == "__main__":
    main()

"""The scale suite in one command: `python -m bench [--db postgresql://…] [--quick]`.

Runs, one after another (each generates its own data and prints its own figures):

1. import_bench: a 2-million-row incident CSV against DuckDB's bare read_csv, with peak RSS;
2. scorecard_bench: the scorecard and the eight-quarter trend on 10M work items, 2M incidents
   and 500k changes, against a pandas computation of the same metrics (it fails on any
   disagreement);
3. dashboard_load: the scorecard page and its JSON under 20 concurrent clients.

With `--db`, each runs on that PostgreSQL server (in a fresh database) instead of DuckDB.
`--quick` uses a tenth of the data, for a check that the suite runs. The forecast and survey
benchmarks stay separate (`python -m bench.forecast_bench`, `python -m bench.survey_load`).
"""

from __future__ import annotations

import argparse
import time

from bench import dashboard_load, import_bench, scorecard_bench


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--db", help="postgresql://… server (default: DuckDB)")
    ap.add_argument("--quick", action="store_true", help="a tenth of the data")
    args = ap.parse_args(argv)
    db = ["--db", args.db] if args.db else []
    scale = 10 if args.quick else 1
    started = time.perf_counter()
    print("== 1/3 import_bench ==", flush=True)
    import_bench.main(["--rows", str(2_000_000 // scale), *db])
    print("\n== 2/3 scorecard_bench ==", flush=True)
    scorecard_bench.main(
        [
            "--work-items",
            str(10_000_000 // scale),
            "--incidents",
            str(2_000_000 // scale),
            "--changes",
            str(500_000 // scale),
            *db,
        ]
    )
    print("\n== 3/3 dashboard_load ==", flush=True)
    failed = dashboard_load.main(db)
    print(f"\nbench suite finished in {time.perf_counter() - started:.0f} s")
    return int(failed or 0)


if __name__ == "__main__":
    raise SystemExit(main())

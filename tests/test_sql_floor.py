"""The scorecard bench's SQL floor (bench/sql_floor.py) against the pandas computation.

The floor is hand-written DuckDB SQL for the metrics the bench covers; the bench times
trustmeter against it. Here it runs small: every covered metric's value (relative 1e-6) and
n (exactly) must equal PandasScorecard's in every period a trend scores, the gates'
look-back included. DuckDB only: the floor is DuckDB SQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import scorecard_bench as sb
from bench.sql_floor import floor_values

from trustmeter import workspace as ws_mod
from trustmeter.periods import last_complete, series

COUNTS = {"work_item": 40_000, "incident": 8_000, "change": 2_000}
PERIODS = 9


@pytest.mark.slow
def test_sql_floor_agrees_with_pandas_in_every_period(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", profile="large", name="floor")
    fw = ws.framework()
    store = ws.open()
    sb.load_duckdb(store, COUNTS, sb.SEED)
    last = last_complete(sb.END.date(), fw.params["period"])
    periods = series(last, PERIODS)
    floor = floor_values(store.con.con, periods, fw.params)
    frames = sb.read_frames(store)
    store.close()
    pandas = sb.PandasScorecard(frames, fw.params)
    theirs = {(mid, p): v for p in periods for mid, v in pandas.all(p).items()}
    assert set(floor) == set(theirs)
    table, problems = sb.compare(floor, theirs)
    assert not problems, "\n".join(problems)
    assert set(table) == set(sb.COVERED)
    assert all(r["periods"] == len(periods) for r in table.values())
    # The data exercise the figures: most metrics have a sample in every period.
    assert sum(1 for (v, n) in floor.values() if n > 0) > 0.8 * len(floor)
    # The floor takes any period list, not only consecutive ones, and the order is free.
    some = [periods[-1], periods[0], periods[4]]
    store = ws.open(migrate_schema=False)
    again = floor_values(store.con.con, some, fw.params)
    store.close()
    assert set(again) == {k for k in floor if k[1] in some}
    _, problems = sb.compare(again, {k: floor[k] for k in again})
    assert not problems, "\n".join(problems)

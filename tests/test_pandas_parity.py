"""The scorecard against an independent pandas computation, in every period of a trend.

bench/scorecard_bench.py generates a seeded synthetic organisation (with the edge cases it
lists: simultaneous deployments, incidents exactly on the attribution and repeat windows'
edges, midnight timestamps, bad rows) and computes the metrics it covers in plain pandas,
written from FRAMEWORK.md and docs/metrics/ without the ibis expressions. Here it runs small,
on both engines: every covered metric's value and n must agree in every period the trend
scores, the periods its gates look back on included, all computed in one pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import scorecard_bench as sb

from trustmeter import workspace as ws_mod
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.periods import last_complete, series
from trustmeter.scorecard.scorer import Scorer

COUNTS = {"work_item": 40_000, "incident": 8_000, "change": 2_000}
PERIODS = 8


@pytest.mark.slow
def test_trend_agrees_with_pandas_in_every_period(db_url: str, tmp_path: Path) -> None:
    url = None if db_url.startswith("duckdb") else db_url
    ws = ws_mod.init(tmp_path / "ws", profile="large", db=url, name="parity")
    fw = ws.framework()
    store = ws.open()
    (sb.load_duckdb if url is None else sb.load_postgres)(store, COUNTS, sb.SEED)
    last = last_complete(sb.END.date(), fw.params["period"])
    depth = sb.lookback(fw)
    periods = series(last, PERIODS + depth - 1)
    scorer = Scorer(store, fw, ws.profile, ws.as_dict())
    cards = scorer.trend(series(last, PERIODS))
    assert [c.period.label for c in cards] == [p.label for p in periods[depth - 1 :]]
    metrics = all_metrics()
    ours = {}
    for p in periods:
        for mid in sb.COVERED:
            result = scorer.measurement(metrics[mid], p)  # computed by the trend: no new query
            assert result is not None, (mid, p.label)
            ours[(mid, p)] = (result.value, result.n)
    frames = sb.read_frames(store)
    store.close()
    pandas = sb.PandasScorecard(frames, fw.params)
    theirs = {(mid, p): v for p in periods for mid, v in pandas.all(p).items()}
    table, problems = sb.compare(ours, theirs)
    assert not problems, "\n".join(problems)
    assert set(table) == set(sb.COVERED)
    assert all(r["periods"] == len(periods) for r in table.values())
    # The data exercise the figures: most metrics have a sample in every period.
    assert sum(1 for (mid, _), (v, n) in ours.items() if n > 0) > 0.8 * len(ours)

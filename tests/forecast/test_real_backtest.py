"""The backtest on a real company's completions: Laukkanen et al. (ICSE 2017), issues.csv.

5,339 issues resolved from October 2010 to July 2016 (DEV development tasks, AT acceptance
test issues, PS production issues); `resolved_timestamp` is the done time. The daily counts
are rebuilt here from the raw file with plain Python, independently of the store.

Defaults throughout: 90-day window, 14-day horizon, an origin every 7 days, 10,000 trials,
seed 0. The figures asserted are the ones measured (docs/forecasting.md); with a few hundred
overlapping origins their sampling error is about ±4 pp, so they show calibration as well as
this history can, no better.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trustmeter.forecast import History, Subject, backtest, daily_completions
from trustmeter.forecast.backtest import learned_correction
from trustmeter.forecast.request import Request
from trustmeter.store import Store
from trustmeter.store.writer import insert_records


def done_times(real_data: Path, kind: str | None) -> list[datetime]:
    with (real_data / "laukkanen2017" / "issues.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        datetime.fromisoformat(r["resolved_timestamp"]).astimezone(UTC).replace(tzinfo=None)
        for r in rows
        if kind is None or r["type"] == kind
    ]


def history_of(times: list[datetime]) -> History:
    per_day = Counter(t.date() for t in times)
    first, last = min(per_day), max(per_day)
    days = (last - first).days + 1
    return History.of(
        first, [per_day.get(date.fromordinal(first.toordinal() + i), 0) for i in range(days)]
    )


# measured: (origins, coverage at 50/70/85/95) for plain; and for calibrated, also the
# warm-up origins and plain Monte Carlo at the same origins
MEASURED = {
    "all types": {
        "plain": (238, (54.2, 66.4, 75.6, 86.1)),
        "calibrated": (199, (52.3, 71.4, 86.4, 95.0)),
        "plain_same": (55.8, 67.3, 75.4, 85.4),
        "warmup": 39,
    },
    "DEV": {
        "plain": (168, (57.1, 71.4, 81.0, 89.9)),
        "calibrated": (147, (47.6, 69.4, 87.8, 95.2)),
        "plain_same": (56.5, 71.4, 81.0, 91.2),
        "warmup": 21,
    },
}


def pct(cov: dict[int, float | None]) -> list[float]:
    return [100 * (v or 0.0) for v in cov.values()]


@pytest.mark.parametrize("subset", ["all types", "DEV"])
def test_real_backtest_plain_and_calibrated(real_data: Path, subset: str) -> None:
    h = history_of(done_times(real_data, None if subset == "all types" else "DEV"))
    want = MEASURED[subset]
    plain = backtest(h)
    assert len(plain.origins) == want["plain"][0]
    assert pct(plain.coverage) == pytest.approx(want["plain"][1], abs=1.5)

    cal = backtest(h, calibrated=True)
    assert (len(cal.origins), len(cal.warmup)) == (want["calibrated"][0], want["warmup"])
    assert pct(cal.coverage) == pytest.approx(want["calibrated"][1], abs=1.5)
    assert cal.as_dict()["plain_coverage"] == pytest.approx(
        {k: v / 100 for k, v in zip(("50", "70", "85", "95"), want["plain_same"], strict=True)},
        abs=0.015,
    )
    # The claim: calibrated coverage within ±3 pp of every stated level.
    for level, c in zip((50, 70, 85, 95), pct(cal.coverage), strict=True):
        assert abs(c - level) <= 3.0, (subset, level, c)


def test_plain_monte_carlo_is_overconfident_on_real_data(real_data: Path) -> None:
    plain = backtest(history_of(done_times(real_data, None)))
    assert plain.coverage[85] is not None and plain.coverage[85] < 0.80
    assert plain.coverage[95] is not None and plain.coverage[95] < 0.90


def test_daily_completions_from_the_store_match_the_file(store: Store, real_data: Path) -> None:
    times = done_times(real_data, None)
    insert_records(
        store,
        "work_item",
        ({"id": f"L{i}", "created_at": t, "done_at": t} for i, t in enumerate(times)),
    )
    expected = history_of(times)
    got = daily_completions(store, expected.start, expected.end)
    assert got.counts.sum() == 5339
    assert got.counts.tolist() == expected.counts.tolist()
    # The live correction read from the store is the one learned from the file.
    req = Request(Subject(), date(2016, 3, 3), date(2016, 5, 31), seed=1)
    corr = req.correction(store, date(2016, 6, 1), date(2016, 6, 14))
    want = learned_correction(expected, date(2016, 6, 1), window=90, horizon=14, seed=1)
    assert corr is not None and corr == want and corr.n == 51

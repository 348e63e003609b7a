"""The forecast ledger: record, settle from the work items, score; read by the metric.

Two teams finish 2 items a day from January to March 2024, so every forecast from that
history is exact. In April, Desk finishes 3 a day (its forecasts come true) and Ops nothing
(its forecasts fail).
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import trustmeter
import trustmeter.metrics.delivery  # registers the metric
from trustmeter.forecast import Calendar, Subject, ledger
from trustmeter.forecast.request import Request
from trustmeter.metrics.registry import REGISTRY, Context
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

PARAMS: dict[str, Any] = tomllib.loads(
    (Path(trustmeter.__file__).parent / "framework" / "default.toml").read_text()
)["params"]
APRIL = Period(date(2024, 4, 1), date(2024, 5, 1))


def completions(team: str, first: date, days: int, per_day: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(days):
        day = first + timedelta(days=i)
        for k in range(per_day):
            at = datetime(day.year, day.month, day.day, 10 + k)
            rows.append({"id": f"{team}-{day}-{k}", "created_at": at, "done_at": at, "team": team})
    return rows


@pytest.fixture
def history(store: Store) -> Store:
    rows = completions("Desk", date(2024, 1, 1), 91, 2) + completions(
        "Ops", date(2024, 1, 1), 91, 2
    )
    insert_records(store, "work_item", rows)
    return store


def forecast_for(store: Store, team: str) -> Any:
    req = Request(Subject(team=team), date(2024, 1, 2), date(2024, 3, 31), Calendar(), 1000, 1)
    engine, _ = req.engine(store)
    return engine


def test_record_settle_and_score(history: Store) -> None:
    store = history
    desk, ops = forecast_for(store, "Desk"), forecast_for(store, "Ops")
    made = datetime(2024, 3, 31, 18, 0)
    # 2 a day from April 1: 10 items on April 5, 40 on April 20, 20 items by April 10
    w10 = desk.when(10)
    assert w10.percentiles[85] == date(2024, 4, 5)
    ids = {
        "desk_when10": ledger.record(store, w10, Subject(team="Desk"), Calendar(), now=made),
        "desk_when40": ledger.record(
            store, desk.when(40), Subject(team="Desk"), Calendar(), now=made
        ),
        "desk_hm": ledger.record(
            store, desk.how_many(date(2024, 4, 10)), Subject(team="Desk"), Calendar(), now=made
        ),
        "desk_lk": ledger.record(
            store,
            desk.likelihood(30, date(2024, 4, 10)),
            Subject(team="Desk"),
            Calendar(),
            now=made,
        ),
        "ops_when10": ledger.record(store, ops.when(10), Subject(team="Ops"), Calendar(), now=made),
        "ops_hm": ledger.record(
            store, ops.how_many(date(2024, 4, 10)), Subject(team="Ops"), Calendar(), now=made
        ),
    }
    rows = store.fetch("SELECT count(*), count(DISTINCT forecast_id) FROM forecast")
    assert rows == [(4 + 4 + 4 + 1 + 4 + 4, 6)]

    insert_records(store, "work_item", completions("Desk", date(2024, 4, 1), 30, 3))
    # Records through April 3: Desk has 9 (not yet 10, and April 5 has not passed), Ops 0.
    assert ledger.resolve(store, date(2024, 4, 3)) == 0
    # Through April 30 every figure is known.
    assert ledger.resolve(store, date(2024, 4, 30)) == 21

    got = {
        r[0]: r[1:]
        for r in store.fetch(
            "SELECT id, outcome, actual_date, actual_items, resolved_on FROM forecast"
        )
    }
    d = date
    # Desk: 3, 6, 9, 12 -> the 10th item on April 4, before the predicted April 5
    assert got[f"{ids['desk_when10']}-85"] == (True, d(2024, 4, 4), 10, d(2024, 4, 4))
    # 40 items: 39 by April 13, 42 on April 14 -> before April 20
    assert got[f"{ids['desk_when40']}-95"] == (True, d(2024, 4, 14), 40, d(2024, 4, 14))
    # "at least 20 by April 10": 21 on April 7; 30 by April 10
    assert got[f"{ids['desk_hm']}-50"] == (True, None, 30, d(2024, 4, 7))
    # likelihood of 30 by April 10 was 0 (stated 1 %): it happened on April 10
    assert got[f"{ids['desk_lk']}-p"] == (True, d(2024, 4, 10), 30, d(2024, 4, 10))
    # Ops did nothing: known to have failed at the end of the predicted day
    assert got[f"{ids['ops_when10']}-85"] == (False, None, None, d(2024, 4, 5))
    assert got[f"{ids['ops_hm']}-85"] == (False, None, 0, d(2024, 4, 10))

    cal = ledger.calibration(store)
    assert cal.forecasts == 6 and cal.pending == 0
    # per level: Desk when10, when40, how-many came true; Ops when10, how-many did not
    assert cal.levels[85] == (5, 3) and cal.share(85) == pytest.approx(0.6)
    assert cal.by_kind["how_many"][85] == (2, 1)
    assert cal.likelihoods == 1 and cal.brier == pytest.approx((0.01 - 1) ** 2)
    assert cal.as_dict()["coverage"]["85"] == 0.6

    # The delivery metric reads the same table: 85 % figures resolved in April
    m = REGISTRY["forecast_calibration"](Context(store, APRIL, dict(PARAMS)))
    assert m.n == 5 and m.breakdown["came_true"] == 3
    assert m.value == pytest.approx(abs(60 - 85))


def test_a_forecast_not_yet_due_stays_open(history: Store) -> None:
    store = history
    desk = forecast_for(store, "Desk")
    ledger.record(store, desk.how_many(date(2024, 6, 30)), Subject(team="Desk"), Calendar())
    assert ledger.resolve(store, date(2024, 4, 30)) == 0
    cal = ledger.calibration(store)
    assert cal.pending == 4 and cal.levels[85] == (0, 0) and cal.brier is None
    m = REGISTRY["forecast_calibration"](Context(store, APRIL, dict(PARAMS)))
    assert (m.n, m.value) == (0, None)

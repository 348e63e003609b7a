"""Freshness (FRAMEWORK.md): each kind's records run to a day; a period after it is flagged, and
a metric whose records end before its period starts is `no_data`, never a perfect score."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustmeter import framework as fw
from trustmeter.cli import cli
from trustmeter.periods import Period
from trustmeter.scorecard.freshness import freshness
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
Q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
MARCH = Period(date(2024, 3, 1), date(2024, 4, 1), "month")


def _incidents(days: list[int], start: datetime = datetime(2024, 1, 10)) -> list[dict]:
    """P1s on ERP, each down one hour, opened `days` after `start`."""
    return [
        {
            "id": f"INC{d}",
            "opened_at": start + timedelta(days=d),
            "resolved_at": start + timedelta(days=d, hours=1),
            "impact_start": start + timedelta(days=d),
            "impact_end": start + timedelta(days=d, hours=1),
            "severity": "P1",
            "service": "ERP",
        }
        for d in days
    ]


def _seed(store: Store) -> None:
    insert_records(store, "services", [{"id": "ERP", "name": "ERP", "tier": 1}])
    # the last incident opens on 2024-02-29 and is resolved an hour later: records run to it
    insert_records(store, "incidents", _incidents([0, 5, 10, 20, 30, 50]))


def test_runs_to_is_the_latest_event_of_each_kind(store: Store) -> None:
    _seed(store)
    card = Scorer(store, fw.load(), "mid").scorecard(Q1)
    assert card.freshness is not None
    assert card.freshness.runs_to["incidents"] == date(2024, 2, 29)
    assert card.freshness.runs_to["changes"] is None  # no change records at all
    # Q1's last day is March 31: incidents end 31 days before it (over a week): stale.
    assert card.freshness.stale == ("incidents",) and not card.freshness.past_data
    body = card.as_dict()["freshness"]
    assert body["runs_to"]["incidents"] == "2024-02-29" and body["stale"] == ["incidents"]


def test_a_period_after_the_records_is_no_data_not_a_perfect_score(store: Store) -> None:
    _seed(store)
    scorer = Scorer(store, fw.load(), "mid")
    q1, q2 = scorer.trend([Q1, Q2])
    avail = q1.metric("availability")
    assert avail is not None and avail.status == "ok" and avail.value is not None
    for mid in ("availability", "mttr", "major_incidents"):
        m = q2.metric(mid)
        assert m is not None and m.status == "no_data" and m.value is None, mid
        assert m.note == (
            "no incidents records for this period: they run to 2024-02-29, before it starts "
            "(import newer records)"
        )
    assert q2.freshness is not None and q2.freshness.past_data


def test_a_quiet_month_inside_the_records_still_counts(store: Store) -> None:
    """March has no incident, but the records run past it (an incident in April): March's
    availability is a real 100 %, not a stale export."""
    _seed(store)
    insert_records(store, "incidents", _incidents([0], start=datetime(2024, 4, 15)))
    card = Scorer(store, fw.load(), "mid").scorecard(MARCH)
    avail = card.metric("availability")
    assert avail is not None and avail.status == "ok" and avail.value == pytest.approx(100.0)
    assert card.freshness is not None and card.freshness.stale == ()


def test_freshness_rule_by_hand() -> None:
    ends = {"incident": date(2024, 3, 24), "change": date(2024, 3, 23), "work_item": None}
    f = freshness(ends, Q1)  # last day March 31; a week's quiet allowed: stale before March 24
    assert f.stale == ("changes",) and not f.past_data
    assert f.runs_to == {
        "incidents": date(2024, 3, 24),
        "changes": date(2024, 3, 23),
        "work-items": None,
    }
    assert freshness(ends, Q2).past_data  # both end before April 1
    assert not freshness({"incident": None}, Q2).past_data  # no records at all: nothing to say


def test_the_default_period_is_the_last_one_the_records_cover(tmp_path: Path, db_url: str) -> None:
    """Without --as-of, `score` scores the last complete period before the records end, not an
    empty one after an old export; the text says which kinds end before the period does."""
    root = tmp_path / "ws"
    run = CliRunner().invoke
    assert run(cli, ["init", str(root), "--db", db_url]).exit_code == 0
    store_csv = tmp_path / "incidents.csv"
    store_csv.write_text(
        "id,opened_at,resolved_at,severity,service\n"
        "I1,2024-01-10 10:00,2024-01-10 11:00,P1,ERP\n"
        "I2,2024-05-10 10:00,2024-05-10 11:00,P1,ERP\n"
    )
    r = run(cli, ["-w", str(root), "import", "incidents", str(store_csv)])
    assert r.exit_code == 0, r.output
    r = run(cli, ["-w", str(root), "score", "--json"])
    assert r.exit_code == 0, r.output
    import json

    card = json.loads(r.output)
    # records run to 2024-05-10: the last complete quarter before 2024-05-11 is 2024-Q1
    assert card["period"]["label"] == "2024-Q1"
    r = run(cli, ["-w", str(root), "score", "--as-of", "2024-10-01"])
    assert "This period is after the records end (2024-05-10)" in " ".join(r.output.split())

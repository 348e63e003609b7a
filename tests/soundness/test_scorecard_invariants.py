"""Invariants of the whole scorecard, on both engines: each guards a way every figure at once
could be silently wrong. The records are the golden workspace (tests/golden_workspace.py):
every record kind, two survey campaigns, all in 2024-Q1. See tests/soundness/README.md.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import golden_workspace
from survey_responses import write_responses
from trustmeter import framework as fw
from trustmeter.periods import Period
from trustmeter.records import KINDS
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store, connect, migrate
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
EMPTY = Period(date(2022, 1, 1), date(2022, 4, 1), "quarter")  # before every event


def card(store: Store, period: Period = Q1) -> dict[str, Any]:
    """The scorecard's figures: its JSON without the moment it was generated and without
    `freshness`, which says how far the records run today (not a figure of the period; its
    own tests are in tests/test_scorecard_freshness.py)."""
    out = Scorer(store, fw.load(), "mid").scorecard(period).as_dict()
    out.pop("generated_at")
    out.pop("freshness")
    return out


def counts(store: Store) -> dict[str, int]:
    """Rows per record table (and survey answers)."""
    tables = [k.table for k in KINDS] + ["survey_answer"]
    return {t: int(store.scalar(f'SELECT count(*) FROM "{t}"')) for t in tables}


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


# Records that describe events after 2024-Q1, one or more of every dated kind, touching what
# Q1's figures read: a service first named by an April incident, a change blamed for a Q1
# incident only in April, a sprint committed in April, a later survey campaign.
LATER: dict[str, list[dict[str, Any]]] = {
    "incidents": [
        {"id": "L1", "opened_at": ts("2024-04-01T00:00:00"), "severity": "P1", "service": "NEW"},
        {
            "id": "L2",
            "opened_at": ts("2024-04-03T08:00:00"),
            "resolved_at": ts("2024-04-03T09:00:00"),
            "severity": "P2",
            "service": "ERP",
            "problem": "disk",
            "resolver": "p2",
        },
    ],
    "changes": [
        {
            "id": "L-C1",
            "deployed_at": ts("2024-04-02T09:00:00"),
            "service": "ERP",
            "kind": "deployment",
            "environment": "production",
            "outcome": "success",
        }
    ],
    "work-items": [
        {
            "id": "L-W1",
            "created_at": ts("2024-04-02T09:00:00"),
            "done_at": ts("2024-04-03T09:00:00"),
            "kind": "request",
            "planned": False,
            "category": "run",
            "team": "Apps",
        }
    ],
    "commitments": [
        {
            "id": "L-S1",
            "kind": "sprint",
            "committed_on": date(2024, 4, 1),
            "due_on": date(2024, 4, 14),
            "team": "Apps",
            "scope_committed": 5,
        }
    ],
    "projects": [
        {
            "id": "L-P1",
            "name": "Later",
            "team": "Apps",
            "proposed_on": date(2024, 4, 2),
            "approved_on": date(2024, 4, 20),
            "started_on": date(2024, 5, 1),
        }
    ],
    "engagements": [
        {
            "id": "L-E1",
            "date": ts("2024-04-02T10:00:00"),
            "stakeholder": "S-bob",
            "kind": "steering",
            "initiated_by": "it",
        }
    ],
    "people": [{"id": "L-p9", "team": "Apps", "started_on": date(2024, 4, 1), "on_call": True}],
    "learning": [{"person": "p1", "date": date(2024, 4, 2), "hours": 40.0}],
    "budget": [{"period": date(2024, 4, 1), "category": "run", "planned": 10.0, "actual": 99.0}],
}


# A later stakeholder campaign: every item answered, satisfaction and NPS at their lowest.
LOW = {**golden_workspace.STAKEHOLDER_ANSWERS, "overall_satisfaction": 1, "nps": 0}


@pytest.mark.slow
def test_a_figure_as_of_a_date_ignores_records_of_later_events(store: Store) -> None:
    golden_workspace.fill(store)
    before = card(store)
    for kind, rows in LATER.items():
        insert_records(store, kind, rows, source="later")
    write_responses(
        store,
        "2024-Q2",
        [(f"l{g}{i}", g, LOW) for g in "ABC" for i in range(5)],
        submitted="2024-04-10T09:00:00",
    )
    assert card(store) == before
    # and the later records are seen where they belong, so the check above could fail
    q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
    later = Scorer(store, fw.load(), "mid").scorecard(q2)
    sat = later.metric("stakeholder_satisfaction")
    assert sat is not None and sat.breakdown["campaign"] == "2024-Q2"


@pytest.mark.slow
def test_reimporting_the_same_records_changes_nothing(store: Store) -> None:
    golden_workspace.fill(store)
    rows, before = counts(store), card(store)
    golden_workspace.fill(store)
    assert (counts(store), card(store)) == (rows, before)


@pytest.mark.slow
def test_the_same_records_from_a_second_source_count_once(store: Store) -> None:
    golden_workspace.fill(store)
    before = card(store)
    for kind, rows in golden_workspace.RECORDS.items():
        insert_records(store, kind, rows, source="a-copy")
    assert card(store) == before


@pytest.mark.slow
def test_no_metric_is_scored_without_a_sample(store: Store) -> None:
    """An empty period is no_data or insufficient, never a perfect (or any) score."""
    golden_workspace.fill(store)
    for period in (EMPTY, Q1):
        sc = Scorer(store, fw.load(), "mid").scorecard(period)
        for m in sc.metrics():
            if m.n == 0:
                assert (m.status, m.score) in {("no_data", None), ("insufficient", None)}, m.id
    empty = Scorer(store, fw.load(), "mid").scorecard(EMPTY)
    assert empty.trust_index is None or empty.trust_index < 100


def test_every_figure_carries_its_sample_size(store: Store) -> None:
    golden_workspace.fill(store)
    out = card(store)
    entries = [m for a in out["areas"] for m in a["metrics"]]
    assert len(entries) == 33
    for m in entries:
        assert isinstance(m["n"], int) and m["n"] >= 0, m["id"]
        if m["status"] == "ok":
            assert m["n"] >= m["min_sample"] and m["value"] is not None, m["id"]
        if m["value"] is None:
            assert m["score"] is None, m["id"]


@pytest.mark.slow
def test_duckdb_and_postgresql_agree(tmp_path: Path, pg_database: str) -> None:
    """The golden workspace scored on DuckDB and on PostgreSQL: the same scorecard, figure for
    figure (skipped without TRUSTMETER_TEST_PG, failed with TRUSTMETER_REQUIRE_PG)."""
    duck = connect(f"duckdb:///{tmp_path / 'agree.duckdb'}")
    pg = connect(pg_database)
    try:
        pg.execute("DROP SCHEMA IF EXISTS public CASCADE")
        pg.execute("CREATE SCHEMA public")
        for s in (duck, pg):
            migrate(s)
            golden_workspace.fill(s)
        assert card(pg) == card(duck)
    finally:
        duck.close()
        pg.close()

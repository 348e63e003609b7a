"""The campaigns of one batch share what a survey metric builds: its expressions and the rows
of its aggregates (metrics/surveyed.py, `Campaign`). Building the same ibis expressions once
per campaign was most of the survey metrics' time in a report over twenty campaigns."""

from __future__ import annotations

from datetime import datetime

from trustmeter import surveys as sv
from trustmeter.metrics import surveyed as sm
from trustmeter.store import Store


def test_siblings_share_expressions_and_aggregate_rows(store: Store) -> None:
    first = sm.campaign_of(
        store.table("survey_response"),
        store.table("survey_answer"),
        "stakeholder",
        ("2024-Q1", datetime(2024, 3, 1)),
        ["2024-Q1", "2024-Q2"],
    )
    other = first.sibling(("2024-Q2", datetime(2024, 6, 1)))
    assert (other.name, other.closed_at) == ("2024-Q2", datetime(2024, 6, 1))
    assert other.responses is first.responses
    assert other.answers() is first.answers()
    ids = [sv.OVERALL_SATISFACTION]
    assert other.numeric(ids) is first.numeric(ids)
    assert other.choices(sv.LADDER) is first.choices(sv.LADDER)
    # An aggregate built again, as each campaign's call builds it, finds the rows already read
    # (replaced here by rows the store does not hold, to tell them from a new read).
    a = first.numeric(ids)
    assert first.aggregate(a, ["group"], k=a.count()) == []  # an empty store
    first.memo[next(iter(first.memo))] = {"2024-Q2": [{"group": "x", "k": 7}]}
    a2 = other.numeric(ids)
    assert other.aggregate(a2, ["group"], k=a2.count()) == [{"group": "x", "k": 7}]
    # A different aggregate is a different query.
    assert other.aggregate(a2, ["group"], n=a2.count()) == []
    assert len(first.memo) == 2

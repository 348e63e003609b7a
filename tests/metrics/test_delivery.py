"""Soundness tests for the Delivery metrics: hand-computed answers, on DuckDB and PostgreSQL.

Each expected number is worked out by hand in the comment beside it. Never weaken these to
make a refactor pass: a change here means a metric now gives a different answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ibis
import pytest

from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import REGISTRY, Context, Measurement, has_data
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

# 2024-Q1: 31 + 29 + 31 = 91 days = 13 weeks; ends at 2024-04-01 00:00 UTC.
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
DELIVERY = (
    "commitment_reliability",
    "schedule_slip",
    "deployment_frequency",
    "lead_time_for_changes",
    "request_lead_time",
    "aged_demand",
    "forecast_calibration",
)


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def d(s: str) -> date:
    return date.fromisoformat(s)


def test_registered_as_framework_says() -> None:
    for mid in DELIVERY:
        assert REGISTRY[mid].area == "delivery"
    logs = {mid for mid in DELIVERY if REGISTRY[mid].log_scale}
    assert logs == {"deployment_frequency", "lead_time_for_changes", "request_lead_time"}


def test_empty_store_has_no_data_and_no_value(store: Store, ctx: Callable[..., Context]) -> None:
    c = ctx()
    for mid in DELIVERY:
        m = REGISTRY[mid]
        if m.needs:
            assert not has_data(c, m), mid
        result = m(c)
        # No deployments in a period is a true zero per week; every other figure is undefined.
        assert result.value == (0.0 if mid == "deployment_frequency" else None), mid
        assert result.n == 0, mid


# -- commitment_reliability ----------------------------------------------------------------
def commitments() -> list[dict[str, Any]]:
    def c(id: str, kind: str, due: str, delivered: str | None = None, **kw: Any) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "due_on": d(due),
            "delivered_on": d(delivered) if delivered else None,
            **kw,
        }

    return [
        c("S1", "sprint", "2024-01-14", scope_committed=10, scope_delivered=8, team="A"),  # 0.8
        # over-delivery is capped at 1: 12/10 -> 1
        c("S2", "sprint", "2024-01-28", scope_committed=10, scope_delivered=12, team="A"),
        c("S3", "sprint", "2024-02-11", scope_delivered=5, team="A"),  # no committed scope: out
        c("S4", "sprint", "2024-02-25", scope_committed=0, scope_delivered=3, team="A"),  # out
        c("M1", "milestone", "2024-02-15", "2024-02-15", team="B", project="ERP"),  # on the day: 1
        # 4 days late, no plan length: weighed against params.commitment_horizon_days = 30
        c("M2", "milestone", "2024-03-01", "2024-03-05", team="B", project="ERP"),  # 30/34
        c("R1", "release", "2024-03-31", "2024-04-01", team="B"),  # after the period end: 0
        c("R2", "release", "2024-03-20", team="C"),  # never delivered: 0
        c("D1", "due_date", "2024-03-10", "2024-03-01", team="C"),  # early: 1
        c("O1", "objective", "2024-03-31", "2024-03-31", team="C"),  # last day, on time: 1
        c("D0", "due_date", "2023-12-31", "2024-02-01", team="C"),  # due before the period
        c("D9", "due_date", "2024-04-01", team="C"),  # due after the period
    ]


def test_commitment_reliability(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "commitments", commitments())
    # Duplicates count once: the same record re-imported, and imported under a second source.
    insert_records(store, "commitments", commitments()[4:5])
    insert_records(store, "commitments", commitments()[4:6], source="jira-copy")
    m = measure("commitment_reliability")
    # Scored: S1 0.8, S2 1, M1 1, M2 30/34, R1 0, R2 0, D1 1, O1 1 -> 5.68235 / 8 = 71.03 %
    assert m.n == 8
    assert m.value == pytest.approx((4.8 + 30 / 34) / 8 * 100)
    assert m.breakdown["sprints_without_committed_scope"] == 2
    # A: (0.8 + 1) / 2 = 90 %; B: (1 + 30/34 + 0) / 3 = 62.7 %; C: (0 + 1 + 1) / 3 = 66.7 %
    by_team = {t: {"value": v["value"], "n": v["n"]} for t, v in m.breakdown["by_team"].items()}
    assert by_team == {
        "A": {"value": 90.0, "n": 2},
        "B": {"value": 62.7, "n": 3},
        "C": {"value": 66.7, "n": 3},
    }
    # Wilson's 90 % interval on the mean score 0.9 over n = 2, worked by hand:
    # centre (0.9 + z²/4) / (1 + z²/2) = 0.6700, half-width 0.3235 with z = 1.6449
    assert m.breakdown["by_kind"]["sprint"] == {
        "method": "scrum / agile sprints",
        "value": 90.0,
        "n": 2,
        "interval": [34.7, 99.3],
        "caveat": "only 2 commitments: too few to compare",
    }
    assert m.breakdown["by_kind"]["release"]["value"] == 0.0
    assert [(e.kind, e.name) for e in m.evidence] == [
        ("team", "B"),
        ("team", "C"),
        ("team", "A"),
        ("project", "ERP"),
    ]
    wording("commitment_reliability", m)
    assert m.evidence[3].value == 94.1  # ERP: M1 kept (1), M2 4 days late on 30 (30/34)
    assert m.records is not None
    assert m.records.count().execute() == 8


def test_commitment_reliability_shows_each_teams_method_and_added_scope(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    insert_records(
        store,
        "commitments",
        [
            # Apps runs scrum: 8 of 10 committed points done (0.8), 4 points added mid-sprint
            {
                "id": "S1",
                "kind": "sprint",
                "team": "Apps",
                "committed_on": d("2024-01-01"),
                "due_on": d("2024-01-14"),
                "delivered_on": d("2024-01-14"),
                "scope_committed": 10,
                "scope_delivered": 8,
                "scope_added": 4,
            },
            # ... and also promised one release date, kept (1.0)
            {
                "id": "R1",
                "kind": "release",
                "team": "Apps",
                "committed_on": d("2024-01-01"),
                "due_on": d("2024-02-01"),
                "delivered_on": d("2024-01-30"),
            },
            # Infra has no method: one promised date, 2 days late on a 31-day plan (31/33)
            {
                "id": "D1",
                "kind": "due_date",
                "team": "Infra",
                "committed_on": d("2024-01-01"),
                "due_on": d("2024-02-01"),
                "delivered_on": d("2024-02-03"),
            },
        ],
    )
    m = measure("commitment_reliability")
    # (0.8 + 1.0 + 31/33) / 3 = 0.9131
    assert m.value == pytest.approx((1.8 + 31 / 33) / 3 * 100) and m.n == 3
    apps = m.breakdown["by_team"]["Apps"]
    assert apps["value"] == pytest.approx(90.0) and apps["n"] == 2
    assert apps["methods"]["sprint"] == {
        "method": "scrum / agile sprints",
        "value": 80.0,
        "n": 1,
        "interval": [17.5, 98.7],
        "caveat": "only 1 commitment: too few to compare",
    }
    assert apps["methods"]["release"]["value"] == 100.0
    infra = m.breakdown["by_team"]["Infra"]["methods"]
    assert list(infra) == ["due_date"] and infra["due_date"]["value"] == 93.9
    # on-time rate over the dated promises only: R1 kept, D1 missed → 50 %
    assert m.breakdown["on_time_rate"] == {"value": 50.0, "n": 2}
    # added scope is reported apart and never counted as committed
    assert m.breakdown["sprint_scope_added"] == {
        "added": 4.0,
        "committed": 10.0,
        "sprints_reporting_added": 1,
    }


def test_commitment_reliability_sprint_closed_after_period_end(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    # A sprint due in March but closed in April had delivered nothing countable at the end.
    insert_records(
        store,
        "commitments",
        [
            {
                "id": "S5",
                "kind": "sprint",
                "due_on": d("2024-03-29"),
                "delivered_on": d("2024-04-02"),
                "scope_committed": 10,
                "scope_delivered": 10,
            },
            {
                "id": "S6",
                "kind": "sprint",
                "due_on": d("2024-03-15"),
                "delivered_on": d("2024-03-15"),
                "scope_committed": 10,
                "scope_delivered": 5,
            },
        ],
    )
    m = measure("commitment_reliability")
    # S5: 0, S6: 5/10 = 0.5 -> mean 0.25 -> 25 %
    assert (m.n, m.value) == (2, pytest.approx(25.0))
    # Seen from the second quarter it is still due in Q1, so nothing changes as time passes.
    later = measure("commitment_reliability", Period(d("2024-04-01"), d("2024-07-01")))
    assert later.n == 0


def test_commitment_made_after_period_end_is_left_out(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    insert_records(
        store,
        "commitments",
        [
            {
                "id": "X",
                "kind": "due_date",
                "due_on": d("2024-03-01"),
                "committed_on": d("2024-04-05"),
            },
            {
                "id": "Y",
                "kind": "due_date",
                "due_on": d("2024-03-01"),
                "committed_on": d("2024-02-01"),
                "delivered_on": d("2024-02-20"),
            },
        ],
    )
    m = measure("commitment_reliability")
    assert (m.n, m.value) == (1, pytest.approx(100.0))


def test_same_id_from_two_sources_counts_once_latest_import_wins(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    late = {
        "id": "M",
        "kind": "milestone",
        "due_on": d("2024-02-15"),
        "delivered_on": d("2024-03-01"),
    }
    insert_records(store, "commitments", [late], source="jira")
    insert_records(store, "commitments", [{**late, "delivered_on": d("2024-02-14")}], source="csv")
    m = measure("commitment_reliability")
    # one record, as the later import (csv) says: delivered before its due date -> 100 %
    assert (m.n, m.value) == (1, pytest.approx(100.0))


def test_same_lateness_or_shortfall_costs_the_same_whatever_the_method(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    """One rule for every kind: the share promised that was done by the due date, lateness
    turned into shortfall at a steady pace (plan H days, d days late: H / (H + d))."""

    def c(
        id: str, kind: str, committed: str, due: str, delivered: str, **kw: Any
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "committed_on": d(committed),
            "due_on": d(due),
            "delivered_on": d(delivered),
            **kw,
        }

    insert_records(
        store,
        "commitments",
        [
            # two days late on a 14-day plan: 14 / 16 = 0.875 for a sprint and a milestone
            c(
                "S-late",
                "sprint",
                "2024-01-01",
                "2024-01-15",
                "2024-01-17",
                scope_committed=41,
                scope_delivered=41,
            ),
            c("M-late", "milestone", "2024-01-01", "2024-01-15", "2024-01-17"),
            # 38 of 41 done on the day: 38 / 41 = 0.9268 for a sprint and an objective
            c(
                "S-short",
                "sprint",
                "2024-02-01",
                "2024-02-15",
                "2024-02-15",
                scope_committed=41,
                scope_delivered=38,
            ),
            c(
                "O-short",
                "objective",
                "2024-01-01",
                "2024-02-15",
                "2024-02-15",
                scope_committed=41,
                scope_delivered=38,
            ),
            # one day late on a 90-day plan: 90 / 91 = 0.989 (it used to score 0)
            c("M-1day", "milestone", "2023-12-02", "2024-03-01", "2024-03-02"),
            # short and late: 8 / 10 done, 1 day late on 14: 0.8 * 14 / 15 = 0.7467
            c(
                "S-both",
                "sprint",
                "2024-01-15",
                "2024-01-29",
                "2024-01-30",
                scope_committed=10,
                scope_delivered=8,
            ),
            c(
                "R-both",
                "release",
                "2024-01-15",
                "2024-01-29",
                "2024-01-30",
                scope_committed=10,
                scope_delivered=8,
            ),
        ],
    )
    m = measure("commitment_reliability")
    assert m.records is not None
    got = {r["id"]: r["score"] for r in m.records.execute().to_dict("records")}
    assert got["S-late"] == pytest.approx(0.875) and got["M-late"] == pytest.approx(0.875)
    assert got["S-short"] == pytest.approx(38 / 41) and got["O-short"] == pytest.approx(38 / 41)
    assert got["M-1day"] == pytest.approx(90 / 91)
    assert got["S-both"] == pytest.approx(0.8 * 14 / 15) and got["R-both"] == got["S-both"]
    assert m.value == pytest.approx(sum(got.values()) / 7 * 100)


def test_lateness_without_a_plan_length_uses_the_horizon_param(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    late = {
        "id": "D",
        "kind": "due_date",
        "due_on": d("2024-03-01"),
        "delivered_on": d("2024-03-11"),
    }
    insert_records(store, "commitments", [late])
    m = measure("commitment_reliability", commitment_horizon_days=10)
    assert m.value == pytest.approx(50.0)  # 10 / (10 + 10)
    assert measure("commitment_reliability").value == pytest.approx(75.0)  # 30 / 40


# -- schedule_slip -------------------------------------------------------------------------
def test_schedule_slip(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    def c(
        id: str, kind: str, committed: str | None, due: str, delivered: str | None
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "committed_on": d(committed) if committed else None,
            "due_on": d(due),
            "delivered_on": d(delivered) if delivered else None,
            "project": "ERP",
        }

    insert_records(
        store,
        "commitments",
        [
            c("A", "milestone", "2024-01-01", "2024-02-01", "2024-02-01"),  # on the day: 0 %
            c("B", "release", "2023-12-01", "2024-01-10", "2024-01-20"),  # 10 late / 40 plan = 25 %
            # open at the end: Mar 1 -> Apr 1 = 31 days late at least, over a 29-day plan (leap year)
            c("C", "due_date", "2024-02-01", "2024-03-01", None),  # 31 / 29 = 106.897 %
            # delivered after the end: measured to the end, Mar 11 -> Apr 1 = 21 over 70 = 30 %
            c("D", "milestone", "2024-01-01", "2024-03-11", "2024-04-15"),
            c("E", "due_date", "2024-03-01", "2024-03-21", "2024-03-10"),  # early: 0 %
            c("I", "due_date", "2024-01-01", "2024-01-11", "2024-01-16"),  # 5 / 10 = 50 %
            c("F", "sprint", "2024-01-01", "2024-01-14", None),  # sprints are left out
            c("G", "milestone", None, "2024-02-01", "2024-03-01"),  # no commit date: left out
            c("H", "milestone", "2024-02-01", "2024-02-01", "2024-03-01"),  # no plan length: out
            c("J", "milestone", "2023-10-01", "2023-12-01", "2024-03-01"),  # due before the period
        ],
    )
    m = measure("schedule_slip")
    # sorted: 0, 0, 25, 30, 50, 106.9 -> median of an even count = (25 + 30) / 2 = 27.5
    assert m.n == 6
    assert m.value == pytest.approx(27.5)
    assert m.breakdown["late"] == 4  # B, C, D, I
    assert m.breakdown["open_at_end"] == 2  # C, D
    assert [e.name for e in m.evidence] == ["C", "I", "D"]
    wording("schedule_slip", m)
    assert m.evidence[0].value == pytest.approx(106.9)
    assert m.records is not None
    assert m.records.count().execute() == 6


# -- deployment_frequency ------------------------------------------------------------------
def changes_for_frequency() -> list[dict[str, Any]]:
    def ch(
        id: str,
        at: str,
        env: str | None = "production",
        kind: str | None = "deployment",
        outcome: str | None = "success",
        service: str = "Web",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "deployed_at": ts(at),
            "environment": env,
            "kind": kind,
            "outcome": outcome,
            "service": service,
        }

    return [
        ch("d1", "2024-01-02T10:00:00"),  # day 1
        ch("d2", "2024-01-02T15:00:00", env="Production", kind=None, outcome=None),  # same day
        ch("d3", "2024-01-03T00:00:00", env=None, service="ERP"),  # day 2: no env is production
        ch("d4", "2024-02-10T23:59:59", env="prd"),  # day 3
        ch("d5", "2024-03-31T23:59:00", env="live", service="ERP"),  # day 4: last minute counts
        ch("d6", "2024-04-01T00:00:00"),  # next period
        ch("d7", "2023-12-31T23:59:00"),  # previous period
        ch("d8", "2024-02-11T12:00:00", env="staging"),  # not production
        ch("d9", "2024-02-12T12:00:00", outcome="failed"),
        ch("d10", "2024-02-13T12:00:00", outcome="rolled_back"),
        ch("d11", "2024-02-14T12:00:00", kind="normal"),  # a change request, not a deployment
    ]


def test_deployment_frequency(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "changes", changes_for_frequency())
    insert_records(store, "changes", changes_for_frequency()[:1], source="ci-copy")  # duplicate
    m = measure("deployment_frequency")
    # deployments d1..d5 on 4 distinct UTC days (Jan 2, Jan 3, Feb 10, Mar 31) over 91/7 = 13
    # weeks -> 4 / 13 = 0.3077 days per week
    assert m.n == 5
    assert m.value == pytest.approx(4 / 13)
    assert m.breakdown["days_with_deployment"] == 4
    assert m.breakdown["other_production_changes_not_counted"] == 1  # d11
    assert m.breakdown["deployment_days_by_service"] == {"ERP": 2, "Web": 2}
    wording("deployment_frequency", m)


def test_deployment_frequency_monthly(store: Store, measure: Callable[..., Measurement]) -> None:
    insert_records(store, "changes", changes_for_frequency())
    feb = Period(d("2024-02-01"), d("2024-03-01"), "month")
    m = measure("deployment_frequency", feb)
    # Only d4 (Feb 10): 1 day over 29/7 weeks = 7/29 = 0.2414
    assert (m.n, m.value) == (1, pytest.approx(7 / 29))


# -- lead_time_for_changes -----------------------------------------------------------------
def test_lead_time_for_changes(store: Store, measure: Callable[..., Measurement]) -> None:
    def ch(
        id: str,
        deployed: str,
        first: str | None,
        created: str | None = None,
        env: str = "prod",
        outcome: str = "success",
        kind: str = "deployment",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "deployed_at": ts(deployed),
            "first_commit_at": ts(first) if first else None,
            "created_at": ts(created) if created else None,
            "environment": env,
            "outcome": outcome,
            "kind": kind,
            "service": "Web",
        }

    insert_records(
        store,
        "changes",
        [
            ch(
                "c1", "2024-01-02T00:00", "2024-01-01T00:00", "2023-12-01T00:00"
            ),  # 24 h (commit wins)
            ch("c2", "2024-01-10T06:00", None, "2024-01-10T00:00"),  # 6 h from creation
            ch("c3", "2024-01-15T00:00", None),  # no start: left out
            ch("c4", "2024-02-03T00:00", "2024-02-01T00:00", env="staging"),  # not production
            ch("c5", "2024-02-04T00:00", "2024-02-01T00:00", outcome="failed"),  # delivered nothing
            ch(
                "c6", "2024-03-11T00:00", "2024-03-01T00:00", kind="normal"
            ),  # 240 h, any kind counts
            ch("c7", "2024-04-01T00:00", "2024-03-30T00:00"),  # deployed in the next period
            ch("c8", "2024-03-31T23:59", "2024-03-31T12:00"),  # 11 h 59 min = 11.9833 h
            ch("c9", "2024-03-04T00:00", "2024-03-05T00:00"),  # commit after deployment: bad data
        ],
    )
    m = measure("lead_time_for_changes")
    # 6, 11.9833, 24, 240 -> median (11.9833 + 24) / 2 = 17.9917 h
    assert m.n == 4
    assert m.value == pytest.approx((11 + 59 / 60 + 24) / 2)
    assert m.breakdown["changes_without_start"] == 1
    assert m.breakdown["started_from"] == {"first_commit": 3, "created": 1}
    assert m.records is not None
    assert m.records.count().execute() == 4


# -- request_lead_time ---------------------------------------------------------------------
def test_request_lead_time(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    def w(
        id: str, kind: str | None, created: str, done: str | None, team: str = "Desk"
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "created_at": ts(created),
            "done_at": ts(done) if done else None,
            "team": team,
        }

    insert_records(
        store,
        "work-items",
        [
            w("w1", "request", "2024-01-01T00:00", "2024-01-02T00:00"),  # 1 d
            w("w2", "story", "2024-01-01T00:00", "2024-01-03T00:00", "Dev"),  # 2 d
            w("w3", "bug", "2023-12-01T00:00", "2024-01-04T00:00", "Dev"),  # 34 d, created before
            w("w4", "task", "2024-02-01T00:00", "2024-02-11T00:00"),  # 10 d
            w("w5", None, "2024-03-01T00:00", "2024-03-31T23:59"),  # 30 d 23 h 59 min: counts
            w("w10", "change", "2024-03-25T00:00", "2024-03-30T00:00"),  # 5 d
            w("w6", "epic", "2023-01-01T00:00", "2024-02-01T00:00"),  # container: left out
            w("w7", "incident", "2024-01-01T00:00", "2024-01-01T05:00"),  # mttr's job: left out
            w("w8", "request", "2024-03-01T00:00", "2024-04-01T00:00"),  # done next period
            w("w9", "request", "2024-03-01T00:00", None),  # not done
        ],
    )
    m = measure("request_lead_time")
    # sorted days: 1, 2, 5, 10, 30.9993, 34; continuous 85th percentile at rank 0.85 * 5 =
    # 4.25 -> 30.9993 + 0.25 * (34 - 30.9993) = 31.7495 days
    w5 = 30 + 1439 / 1440
    assert m.n == 6
    assert m.value == pytest.approx(w5 + 0.25 * (34 - w5))
    # Dev: 2, 34 -> 2 + 0.85 * 32 = 29.2; Desk: 1, 5, 10, 30.9993 -> rank 2.55 ->
    # 10 + 0.55 * 20.9993 = 21.55. The slowest team comes first.
    assert m.breakdown["p85_days_by_team"]["Dev"] == {"value": 29.2, "n": 2}
    assert m.breakdown["p85_days_by_team"]["Desk"] == {"value": 21.5, "n": 4}
    assert [e.name for e in m.evidence] == ["Dev", "Desk"]
    wording("request_lead_time", m)


def test_request_lead_time_one_short_of_minimum(
    store: Store, measure: Callable[..., Measurement], params: dict[str, Any]
) -> None:
    # Four items: one short of min_sample_events (5). The metric reports n; the scorer decides.
    assert params["min_sample_events"] == 5
    insert_records(
        store,
        "work-items",
        [
            {
                "id": f"r{i}",
                "kind": "request",
                "created_at": ts("2024-02-01T00:00"),
                "done_at": ts(f"2024-02-0{i + 2}T00:00"),
            }
            for i in range(4)
        ],
    )
    m = measure("request_lead_time")
    # 1, 2, 3, 4 days -> 85th percentile at rank 0.85 * 3 = 2.55 -> 3 + 0.55 * 1 = 3.55
    assert m.n == 4
    assert m.value == pytest.approx(3.55)


# -- aged_demand ---------------------------------------------------------------------------
def test_aged_demand(
    store: Store,
    measure: Callable[..., Measurement],
    params: dict[str, Any],
    wording: Callable[[str, Measurement], None],
) -> None:
    assert params["aged_demand_days"] == 90

    def r(
        id: str,
        created: str,
        done: str | None = None,
        unit: str | None = "Finance",
        kind: str = "request",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "created_at": ts(created),
            "done_at": ts(done) if done else None,
            "requester_unit": unit,
        }

    # The end is 2024-04-01 00:00; 90 days before it is 2024-01-02 00:00.
    insert_records(
        store,
        "work-items",
        [
            r("r1", "2023-10-01T00:00"),  # open, aged
            r("r2", "2024-01-01T23:59"),  # open, 90 days and a minute: aged
            r("r3", "2024-01-02T00:00", unit="HR"),  # open, exactly 90 days: not older than 90
            r(
                "r4", "2023-11-01T00:00", "2024-04-01T00:00", unit="HR"
            ),  # done at the end: open, aged
            r("r5", "2023-11-01T00:00", "2024-03-31T23:59"),  # done in time: not open
            r("r6", "2024-04-01T00:00"),  # created at the end: did not exist yet
            r("r7", "2023-01-01T00:00", kind="story"),  # not a request
            r("r8", "2024-03-01T00:00", unit=None),  # open, young
        ],
    )
    m = measure("aged_demand")
    # open: r1 r2 r3 r4 r8 = 5; aged: r1 r2 r4 = 3 -> 60 %
    assert (m.n, m.value) == (5, pytest.approx(60.0))
    assert m.breakdown["aged"] == 3
    wording("aged_demand", m)
    assert m.breakdown["by_requester_unit"]["(no business unit)"] == {"open": 1, "aged": 0}


# -- forecast_calibration ------------------------------------------------------------------
def test_forecast_calibration_without_a_ledger(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    # Migration 3 creates the ledger; this pins the metric on a database without it.
    store.execute("DROP TABLE forecast")
    m = measure("forecast_calibration")
    assert (m.value, m.n) == (None, 0)
    assert m.note == "no forecasts recorded yet"


def test_forecast_calibration(store: Store, measure: Callable[..., Measurement]) -> None:
    rows = [
        # id, level, predicted, actual, resolved, outcome
        ("f1", 85.0, "2024-01-10", "2024-01-09", "2024-01-09", False),  # explicit outcome wins
        ("f2", 85.0, "2024-02-01", "2024-02-01", "2024-02-01", None),  # on the day: true
        ("f3", 85.0, "2024-02-10", "2024-02-20", "2024-02-20", None),  # late: false
        ("f4", 85.0, "2024-03-01", "2024-03-01", "2024-03-01", None),  # true
        ("f5", 0.85, "2024-03-05", "2024-03-04", "2024-03-04", None),  # level as a fraction: true
        ("f6", 50.0, "2024-03-05", "2024-03-04", "2024-03-04", None),  # another level
        ("f7", 85.0, "2024-03-30", "2024-04-01", "2024-04-01", None),  # resolved next period
    ]
    data = ibis.memtable(
        {
            "id": [r[0] for r in rows],
            "made_on": [d("2023-12-01")] * len(rows),
            "level": [r[1] for r in rows],
            "predicted_date": [d(r[2]) for r in rows],
            "actual_date": [d(r[3]) for r in rows],
            "resolved_on": [d(r[4]) for r in rows],
            "outcome": [r[5] for r in rows],
        },
        schema={
            "id": "string",
            "made_on": "date",
            "level": "float64",
            "predicted_date": "date",
            "actual_date": "date",
            "resolved_on": "date",
            "outcome": "boolean",
        },
    )
    # A table of exactly the documented columns, in place of the ledger of migration 3.
    store.execute("DROP TABLE forecast")
    store.con.create_table("forecast", data)
    m = measure("forecast_calibration")
    # resolved in Q1 at 85 %: f1..f5; true: f2, f4, f5 = 3 of 5 = 60 % -> |60 - 85| = 25 pp
    assert (m.n, m.value) == (5, pytest.approx(25.0))
    assert m.breakdown["came_true"] == 3


# -- real data -----------------------------------------------------------------------------
def test_release_cadence_of_a_real_company(
    store: Store, real_data: Path, measure: Callable[..., Measurement]
) -> None:
    """Laukkanen et al. (ICSE 2017): one company's 19 production releases, 2013 to 2016."""
    import csv

    with (real_data / "laukkanen2017" / "releases.csv").open() as f:
        releases = list(csv.DictReader(f))
    assert len(releases) == 19
    insert_records(
        store,
        "changes",
        [
            {
                "id": r["name"],
                "kind": "deployment",
                "environment": "production",
                "outcome": "success",
                "created_at": ts(r["feature_freeze_date"]),
                "deployed_at": ts(r["production_deployment_date"]),
            }
            for r in releases
        ],
    )
    year = Period(d("2014-01-01"), d("2015-01-01"))
    freq = measure("deployment_frequency", year)
    # 2014: releases 14.1 to 14.5 on five different days, over 365 / 7 weeks -> 0.0959 a week
    assert (freq.n, freq.value) == (5, pytest.approx(5 / (365 / 7)))
    lead = measure("lead_time_for_changes", year)
    # feature freeze to production: 35, 42, 42, 54, 47 days -> median 42 days = 1008 h
    assert (lead.n, lead.value) == (5, pytest.approx(42 * 24))


# -- several periods at once ---------------------------------------------------------------
def edge_crossing_records(store: Store) -> None:
    """Records of every delivery kind that cross period edges: made in one quarter and due,
    delivered, deployed or done in the next, and open across several period ends."""

    def cm(
        id: str, kind: str, committed: str | None, due: str, delivered: str | None, **kw: Any
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "committed_on": d(committed) if committed else None,
            "due_on": d(due),
            "delivered_on": d(delivered) if delivered else None,
            **kw,
        }

    insert_records(
        store,
        "commitments",
        [
            *commitments(),
            # due in Q4, delivered in Q1: late in Q4 (open at its end), never counted again
            cm(
                "X1", "milestone", "2023-10-01", "2023-12-15", "2024-01-10", team="B", project="ERP"
            ),
            cm("X2", "release", "2023-11-01", "2023-12-31", None, team="C", project="CRM"),
            # committed in Q1 (after Q4's end), due in Q2
            cm("X3", "due_date", "2024-03-20", "2024-04-10", "2024-04-30", team="C"),
            cm("X4", "due_date", "2024-02-01", "2024-05-01", "2024-07-02", team="A", title="Mig"),
            cm("X5", "objective", "2024-01-15", "2024-06-30", "2024-06-29", team="B"),
            cm("X6", "milestone", "2024-01-01", "2024-02-20", "2024-03-30", team="A"),
            cm("X7", "milestone", "2024-01-01", "2024-02-20", "2024-03-30", team="B"),
            # sprints across the Q1/Q2 edge, one with scope added
            cm(
                "X8",
                "sprint",
                "2024-03-25",
                "2024-04-05",
                "2024-04-05",
                scope_committed=20,
                scope_delivered=15,
                scope_added=3,
                team="A",
            ),
            cm(
                "X9",
                "sprint",
                "2024-03-18",
                "2024-03-29",
                "2024-04-01",
                scope_committed=10,
                scope_delivered=10,
                team="B",
            ),
        ],
    )

    def ch(
        id: str,
        deployed: str,
        first: str | None,
        service: str = "Web",
        outcome: str | None = "success",
        kind: str | None = "deployment",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "deployed_at": ts(deployed),
            "first_commit_at": ts(first) if first else None,
            "environment": "production",
            "outcome": outcome,
            "kind": kind,
            "service": service,
        }

    insert_records(
        store,
        "changes",
        [
            *changes_for_frequency(),
            # first commit in one quarter, deployed in the next
            ch("l1", "2024-01-01T02:00:00", "2023-12-30T00:00:00"),
            ch("l2", "2024-04-01T00:00:00", "2024-03-31T12:00:00", service="ERP"),
            ch("l3", "2024-03-31T23:59:59", "2023-10-01T00:00:00", service="ERP"),
            ch("l4", "2023-12-31T23:59:59", None),
            ch("l5", "2024-04-15T10:00:00", "2024-04-15T09:00:00", service="HR", kind="normal"),
            ch("l6", "2024-05-15T10:00:00", "2024-05-01T09:00:00", outcome="failed"),
            ch("l7", "2023-11-15T10:00:00", "2023-11-14T10:00:00", service="HR"),
        ],
    )

    def w(
        id: str,
        kind: str | None,
        created: str,
        done: str | None,
        team: str | None = "Desk",
        unit: str | None = "Finance",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "created_at": ts(created),
            "done_at": ts(done) if done else None,
            "team": team,
            "requester_unit": unit,
        }

    insert_records(
        store,
        "work-items",
        [
            # created in one quarter, done in a later one: open (and ageing) at the ends between
            w("w1", "request", "2023-09-01T00:00", "2024-01-15T00:00"),
            w("w2", "request", "2023-12-31T23:59", "2024-04-01T00:00", unit="HR"),
            w("w3", "request", "2023-10-05T00:00", "2024-06-30T23:59", team="Dev"),
            w("w4", "request", "2024-01-02T00:00", None, team=None, unit=None),
            w("w5", "story", "2023-12-01T00:00", "2024-02-01T00:00", team="Dev"),
            w("w6", None, "2024-03-01T00:00", "2024-04-01T00:00"),
            w("w7", "bug", "2023-11-01T00:00", "2023-12-31T23:59"),
            w("w8", "epic", "2023-01-01T00:00", "2024-02-01T00:00"),
            w("w9", "request", "2024-04-01T00:00", "2024-05-01T00:00", unit="HR"),
            w("w10", "request", "2023-06-01T00:00", None, unit="HR"),
            w("w11", "task", "2024-02-01T00:00", "2024-02-11T00:00", team="Dev"),
        ],
    )

    rows = [
        # id, level, predicted, actual, resolved, outcome
        ("f1", 85.0, "2023-12-10", "2023-12-09", "2023-12-09", None),
        ("f2", 85.0, "2023-12-20", "2024-01-05", "2024-01-05", None),  # resolved in Q1
        ("f3", 0.85, "2024-03-30", "2024-04-01", "2024-04-01", None),  # resolved in Q2
        ("f4", 85.0, "2024-03-01", "2024-03-01", "2024-03-31", False),
        ("f5", 85.0, "2024-05-01", "2024-04-20", "2024-04-20", None),
        ("f6", 50.0, "2024-02-01", "2024-02-01", "2024-02-01", None),
    ]
    data = ibis.memtable(
        {
            "id": [r[0] for r in rows],
            "level": [r[1] for r in rows],
            "predicted_date": [d(r[2]) for r in rows],
            "actual_date": [d(r[3]) for r in rows],
            "resolved_on": [d(r[4]) for r in rows],
            "outcome": [r[5] for r in rows],
        },
        schema={
            "id": "string",
            "level": "float64",
            "predicted_date": "date",
            "actual_date": "date",
            "resolved_on": "date",
            "outcome": "boolean",
        },
    )
    store.execute("DROP TABLE forecast")
    store.con.create_table("forecast", data)


def summary(m: Measurement) -> dict[str, Any]:
    assert m.records is not None or m.note is not None
    return {
        # A mean of fractional scores may differ in its last bits with the order the engine
        # sums them in (PostgreSQL sums a batch and a single period differently).
        "value": None if m.value is None else round(m.value, 9),
        "n": m.n,
        "breakdown": m.breakdown,
        "evidence": [c.as_dict() for c in m.evidence],
        "note": m.note,
        "records": None if m.records is None else int(m.records.count().execute()),
    }


PERIOD_SETS = {
    # calendar quarters and months: a record finds its period by bucket
    "quarters": (
        Period(d("2023-10-01"), d("2024-01-01"), "quarter"),
        Q1,
        Period(d("2024-04-01"), d("2024-07-01"), "quarter"),
    ),
    "months": tuple(
        Period(d(f"2024-{m:02d}-01"), d(f"2024-{m + 1:02d}-01"), "month") for m in range(1, 6)
    ),
    # custom periods, overlapping: a range join, a record may fall in two periods
    "custom": (
        Period(d("2023-11-15"), d("2024-02-15")),
        Period(d("2024-01-01"), d("2024-04-01")),
        Period(d("2024-03-31"), d("2024-05-01")),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("periods", PERIOD_SETS.values(), ids=PERIOD_SETS.keys())
def test_several_periods_at_once_give_each_period_its_own_figure(
    store: Store,
    periods: tuple[Period, ...],
    measure: Callable[..., Measurement],
    batch: Callable[..., Batch],
) -> None:
    """Computing several periods in one batch gives, for each, what computing it alone gives:
    nothing leaks from one period into another."""
    edge_crossing_records(store)
    for mid in DELIVERY:
        together = REGISTRY[mid].compute(batch(periods))
        assert list(together) == list(periods), mid
        for p in periods:
            alone = measure(mid, p)
            assert summary(together[p]) == summary(alone), (mid, p.label)


def test_several_periods_hand_checked(store: Store, batch: Callable[..., Batch]) -> None:
    """A few figures of the edge-crossing records, computed by hand, for three quarters in one
    batch."""
    edge_crossing_records(store)
    q4, q1, q2 = PERIOD_SETS["quarters"]
    b = batch((q4, q1, q2))
    aged = REGISTRY["aged_demand"].compute(b)
    # Open at 2024-01-01: w1 (Sep 1, aged), w2 (Dec 31, young), w3 (Oct 5: 88 days, young),
    # w10 (aged) -> 2 of 4. At 2024-04-01: w2 (done at the end: open, aged: 91 days and a
    # minute), w3 (aged), w4 (Jan 2: exactly 90 days, not older), w10 (aged) -> 3 of 4.
    # At 2024-07-01: w4 and w10, both aged (w3 done Jun 30, w9 done May 1) -> 2 of 2.
    assert [(aged[p].breakdown["aged"], aged[p].n) for p in (q4, q1, q2)] == [
        (2, 4),
        (3, 4),
        (2, 2),
    ]
    deploy = REGISTRY["deployment_frequency"].compute(b)
    # Q4: d7 (Dec 31), l4 (Dec 31), l7 (Nov 15) -> 2 days, 3 deployments
    assert (deploy[q4].breakdown["days_with_deployment"], deploy[q4].n) == (2, 3)
    # Q2: d6, l2 (both Apr 1); l5 is a change request; l6 failed -> 1 day, 2 deployments
    assert (deploy[q2].breakdown["days_with_deployment"], deploy[q2].n) == (1, 2)
    assert deploy[q2].breakdown["other_production_changes_not_counted"] == 1
    slip = REGISTRY["schedule_slip"].compute(b)
    assert [slip[p].n for p in (q4, q1, q2)] == [2, 2, 3]
    # Q4: X1 open at the end, Dec 15 -> Jan 1 = 17 days over a 75-day plan (22.67 %); X2 open,
    # 1 day over 60 (1.67 %). Delivered in Q1, X1 does not count again there.
    assert slip[q4].value == pytest.approx((17 / 75 + 1 / 60) * 100 / 2)
    assert [e.name for e in slip[q4].evidence] == ["X1", "X2"]
    assert slip[q4].evidence[0].value == 22.7  # still open: 17 / 75 = 22.67 %, to one place
    # Q1: X6 and X7 both 39 days late over 50 (78 %): the tie goes to the lower id
    assert [e.name for e in slip[q1].evidence] == ["X6", "X7"]
    assert slip[q1].evidence[0].value == pytest.approx(78.0)
    forecast = REGISTRY["forecast_calibration"].compute(b)
    # Q4: f1 true (1 of 1); Q1: f2 late, f4 explicitly false (0 of 2); Q2: f3 late, f5 true
    assert [forecast[p].breakdown["came_true"] for p in (q4, q1, q2)] == [1, 0, 1]
    assert [forecast[p].n for p in (q4, q1, q2)] == [1, 2, 2]

"""Scorecards for one service, business unit or team, against answers computed by hand.

The period is 2024-Q1. Two tier-1 services: ERP (owned by Finance) and CRM (owned by Sales).
A slice narrows the records every metric reads, so each figure below is the same definition
as the department's, over the slice's records only.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from trustmeter import framework as fw
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.model import Context
from trustmeter.metrics.slices import APPLIES, Slice, left_out_reason
from trustmeter.periods import Period
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
T0 = datetime(2024, 2, 1, 9, 0)


@pytest.fixture
def org(store: Store) -> Store:
    insert_records(
        store,
        "services",
        [
            {"id": "S-ERP", "name": "ERP", "tier": 1, "business_unit": "Finance"},
            {"id": "S-CRM", "name": "CRM", "tier": 1, "business_unit": "Sales"},
        ],
    )

    def inc(id: str, service: str, sev: str, day: int, hours: float) -> dict[str, Any]:
        opened = T0 + timedelta(days=day)
        return {
            "id": id,
            "service": service,
            "severity": sev,
            "opened_at": opened,
            "resolved_at": opened + timedelta(hours=hours),
        }

    insert_records(
        store,
        "incidents",
        [
            inc("I1", "S-ERP", "P1", 0, 2),
            inc("I2", "S-ERP", "P2", 1, 4),
            inc("I3", "S-CRM", "P1", 2, 1),
            inc("I4", "S-CRM", "P4", 3, 10),  # not major: counts in major_incidents' n only
        ],
    )

    def wi(id: str, team: str, unit: str, days: float, planned: bool) -> dict[str, Any]:
        done = T0 + timedelta(days=10)
        return {
            "id": id,
            "team": team,
            "requester_unit": unit,
            "kind": "request",
            "created_at": done - timedelta(days=days),
            "done_at": done,
            "planned": planned,
        }

    insert_records(
        store,
        "work-items",
        [
            wi("W1", "Platform", "Finance", 1, True),
            wi("W2", "Platform", "Sales", 3, False),
            wi("W3", "Apps", "Sales", 5, True),
        ],
    )
    return store


def value(store: Store, metric: str, s: Slice | None) -> tuple[float | None, int]:
    m = all_metrics()[metric]
    r = m(Context(store, Q1, dict(PARAMS), slice=s))
    return r.value, r.n


def test_a_service_slice_reads_only_that_services_records(org: Store) -> None:
    # The department: P1/P2 resolved in 2 h, 4 h and 1 h: median 2 h over 3.
    assert value(org, "mttr", None) == (2.0, 3)
    # ERP by name: 2 h and 4 h, median 3 h; its major incidents: 2 in 3 months (n = 2 opened).
    assert value(org, "mttr", Slice("service", "ERP")) == (3.0, 2)
    months = 91 / (365.25 / 12)
    v, n = value(org, "major_incidents", Slice("service", "ERP"))
    assert n == 2 and v == pytest.approx(2 / months)
    # CRM by its id: one P1 of 1 h; the P4 is opened in the period (n = 2) but not major.
    assert value(org, "mttr", Slice("service", "S-CRM")) == (1.0, 1)
    v, n = value(org, "major_incidents", Slice("service", "S-CRM"))
    assert n == 2 and v == pytest.approx(1 / months)


def test_a_business_unit_slice_reads_the_services_it_owns_and_the_demand_it_raised(
    org: Store,
) -> None:
    # Sales owns CRM: one major incident resolved in 1 h.
    assert value(org, "mttr", Slice("unit", "Sales")) == (1.0, 1)
    # Sales asked for W2 (3 days) and W3 (5 days): p85 = 3 + 0.85 × (5 − 3) = 4.7.
    v, n = value(org, "request_lead_time", Slice("unit", "Sales"))
    assert n == 2 and v == pytest.approx(4.7)


def test_a_team_slice_reads_the_work_that_team_did(org: Store) -> None:
    # Platform did W1 (planned) and W2 (unplanned): 50 % unplanned by count.
    assert value(org, "unplanned_work", Slice("team", "Platform")) == (50.0, 2)
    assert value(org, "unplanned_work", Slice("team", "Apps")) == (0.0, 1)
    # Platform's lead times 1 and 3 days: p85 = 1 + 0.85 × 2 = 2.7.
    v, n = value(org, "request_lead_time", Slice("team", "Platform"))
    assert n == 2 and v == pytest.approx(2.7)


def test_a_slice_with_no_records_has_no_figure(org: Store) -> None:
    assert value(org, "mttr", Slice("service", "Payroll")) == (None, 0)
    assert value(org, "unplanned_work", Slice("team", "Nobody")) == (None, 0)
    # No incident opened: a rate of zero, on a sample of none (insufficient, never scored).
    assert value(org, "major_incidents", Slice("unit", "Legal")) == (0.0, 0)


def test_the_sliced_scorecard_says_what_it_leaves_out_and_why(org: Store) -> None:
    framework = fw.load()
    card = Scorer(org, framework, "mid", slice=Slice("team", "Platform")).scorecard(Q1)
    card = card if isinstance(card, dict) else card.as_dict()
    assert card["slice"]["kind"] == "team" and card["slice"]["name"] == "Platform"
    left_out = card["slice"]["left_out"]
    entries = {m["id"]: m for a in card["areas"] for m in a["metrics"]}
    assert set(left_out) == {m for m in entries if m not in APPLIES["team"]}
    assert "mttr" in left_out and "team" in left_out["mttr"]
    assert entries["mttr"]["status"] == "left_out" and entries["mttr"]["note"] == left_out["mttr"]
    assert entries["unplanned_work"]["value"] == 50.0 and entries["unplanned_work"]["n"] == 2
    # The whole department's scorecard has no slice.
    whole = Scorer(org, framework, "mid").scorecard(Q1)
    whole = whole if isinstance(whole, dict) else whole.as_dict()
    assert "slice" not in whole


def test_every_metric_is_either_computed_or_explained_for_every_slice_kind() -> None:
    for mid in all_metrics():
        for kind in ("unit", "service", "team"):
            why = left_out_reason(mid, kind)  # type: ignore[arg-type]
            assert (why is None) == (mid in APPLIES[kind]), (mid, kind)
            if why is not None:
                assert why.startswith("not computed for a")

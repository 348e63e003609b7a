"""Soundness tests for the Production Stability metrics, against answers computed by hand.

Every test runs on DuckDB and on PostgreSQL (the `store` fixture). The hand computation is
written beside each expected number. Never weaken these to make a refactor pass: each one pins
a way the figure could be silently wrong.

The reporting period is 2024-Q1: 2024-01-01 00:00 up to 2024-04-01 00:00 (naive UTC), that is
31 + 29 + 31 = 91 days = 131,040 minutes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from trustmeter.metrics.availability import availability, slo_attainment
from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import REGISTRY, Context, Measurement
from trustmeter.metrics.stability import (
    change_failure_rate,
    major_incidents,
    mtta,
    mttr,
    repeat_incidents,
    unplanned_work,
)
from trustmeter.periods import Period, containing
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
Q1_MIN = 91 * 24 * 60  # 131,040


def inc(
    id: str, opened: str, sev: str | None = "P2", service: str | None = "ERP", **kw: Any
) -> dict[str, Any]:
    return {"id": id, "opened_at": opened, "severity": sev, "service": service, **kw}


def ids(m: Measurement, flag: str | None = None) -> list[str]:
    """The ids in a measurement's drill-down records (optionally those with `flag` true)."""
    assert m.records is not None
    df = m.records.execute()
    if flag is not None:
        df = df[df[flag].astype(bool)]
    return sorted(str(v) for v in df["id"])


def test_every_stability_metric_is_registered() -> None:
    stability = {m.id for m in REGISTRY.values() if m.area == "stability"}
    assert stability == {
        "availability",
        "slo_attainment",
        "major_incidents",
        "mttr",
        "mtta",
        "change_failure_rate",
        "repeat_incidents",
        "unplanned_work",
    }


# -- availability ---------------------------------------------------------------------------
SERVICES = [
    {"id": "ERP", "name": "ERP", "tier": 1, "slo_availability": 99.9},
    {"id": "CRM", "name": "CRM", "tier": 1, "slo_availability": 99.9},
    {"id": "WEB", "name": "Web shop", "tier": 1, "slo_availability": 99.99},
    {"id": "HR", "name": "HR", "tier": 2},
]

OUTAGES = [
    # ERP: E1 10:00–12:00 and E2 11:00–13:00 overlap, E3 (impact 10:30–11:30) is nested
    # inside both: their union is 10:00–13:00 = 180 min.
    inc("E1", "2024-02-01T10:00", "P1", resolved_at="2024-02-01T12:00"),
    inc("E2", "2024-02-01T11:00", "P2", resolved_at="2024-02-01T13:00"),
    inc(
        "E3",
        "2024-02-01T10:35",
        "P2",
        resolved_at="2024-02-01T18:00",  # the ticket stayed open; the impact ended at 11:30
        impact_start="2024-02-01T10:30",
        impact_end="2024-02-01T11:30",
    ),
    inc("E4", "2024-02-05T00:00", "P3", resolved_at="2024-02-05T05:00"),  # below P2: out
    inc("E5", "2024-02-06T00:00", "P1", resolved_at="2024-02-06T01:00", is_maintenance=True),
    # Crosses the period's start: only 00:00–01:00 on 1 January counts = 60 min.
    inc("E6", "2023-12-31T23:00", "P1", resolved_at="2024-01-01T01:00"),
    # Resolved after the period's end, so open at the end: 23:00–24:00 = 60 min.
    inc("E7", "2024-03-31T23:00", "P2", resolved_at="2024-04-01T02:00"),
    # Opened at the next quarter's first instant: had not happened yet.
    inc("E8", "2024-04-01T00:00", "P1", resolved_at="2024-04-01T05:00"),
    # CRM: two touching windows 08:00–08:30 and 08:30–09:00 = 60 min, and one still open
    # (no resolution at all) from 22:00 on the last day = 120 min; 180 min in all.
    inc("C1", "2024-03-10T08:00", "P2", "CRM", resolved_at="2024-03-10T08:30"),
    inc("C2", "2024-03-10T08:30", "P1", "CRM", resolved_at="2024-03-10T09:00"),
    inc("C3", "2024-03-31T22:00", "P2", "CRM"),
    # HR is tier 2, out of scope; an incident without a service counts nowhere.
    inc("H1", "2024-02-10T00:00", "P1", "HR", resolved_at="2024-02-11T00:00"),
    inc("N1", "2024-02-10T00:00", "P1", None, resolved_at="2024-02-11T00:00"),
]


def test_availability_union_clipping_and_scope(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "services", SERVICES)
    insert_records(store, "incidents", OUTAGES)
    # The same incident imported again (same source: the writer upserts) and from a second
    # source (the metric keeps one copy per id) must still count once.
    insert_records(store, "incidents", OUTAGES[:1])
    insert_records(store, "incidents", OUTAGES[:1], source="other-export")
    m = availability(ctx())
    # ERP 180 + 60 + 60 = 300 min; CRM 60 + 120 = 180 min; Web shop 0 min.
    erp = 100 * (1 - 300 / Q1_MIN)  # 99.77106...
    crm = 100 * (1 - 180 / Q1_MIN)  # 99.86263...
    assert m.n == 3
    assert m.value == pytest.approx((erp + crm + 100) / 3)  # 99.87790...
    services = m.breakdown["services"]
    assert sorted(services) == ["CRM", "ERP", "WEB"]
    assert services["ERP"]["downtime_minutes"] == pytest.approx(300)
    assert services["ERP"]["availability"] == pytest.approx(erp)
    assert services["ERP"]["incidents"] == 5  # E1, E2, E3, E6, E7
    assert services["CRM"]["downtime_minutes"] == pytest.approx(180)
    assert services["WEB"]["availability"] == 100
    wording("availability", m)
    assert ids(m) == ["C1", "C2", "C3", "E1", "E2", "E3", "E6", "E7"]
    assert m.records is not None
    rec = m.records.execute().set_index("id")
    # As of the period's end E7 was not resolved yet: its window is clipped at the end.
    assert rec.loc["E7", "resolved_at"] is None or str(rec.loc["E7", "resolved_at"]) == "NaT"
    assert rec.loc["E7", "win_end"] == datetime(2024, 4, 1)
    assert rec.loc["E3", "win_start"] == datetime(2024, 2, 1, 10, 30)


def test_availability_severity_threshold_is_a_parameter(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", SERVICES)
    insert_records(store, "incidents", OUTAGES)
    m = availability(ctx(availability_severity="P1"))
    # P1 only: ERP E1 10:00–12:00 (120) + E6 (60) = 180 min; CRM C2 = 30 min.
    assert m.breakdown["services"]["ERP"]["downtime_minutes"] == pytest.approx(180)
    assert m.breakdown["services"]["CRM"]["downtime_minutes"] == pytest.approx(30)
    assert m.value == pytest.approx(100 - 100 * (180 + 30) / Q1_MIN / 3)


def test_availability_last_minutes_of_the_quarter(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", [{"id": "WEB", "name": "Web shop", "tier": 1}])
    insert_records(
        store,
        "incidents",
        [
            # 23:30 UTC on the quarter's last day: in, for its last 30 minutes.
            inc("L1", "2024-03-31T23:30", "P1", "WEB", resolved_at="2024-04-01T00:30"),
            # 00:00 UTC on the next quarter's first day: out.
            inc("L2", "2024-04-01T00:00", "P1", "WEB", resolved_at="2024-04-01T03:00"),
        ],
    )
    m = availability(ctx())
    assert m.n == 1
    assert m.breakdown["services"]["WEB"]["downtime_minutes"] == pytest.approx(30)
    assert m.value == pytest.approx(100 * (1 - 30 / Q1_MIN))
    # The next quarter sees L1's last 30 minutes (00:00–00:30) inside L2 (00:00–03:00): 180 min.
    q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
    q2_down = availability(ctx(q2)).breakdown["services"]["WEB"]["downtime_minutes"]
    assert q2_down == pytest.approx(180)


def test_availability_without_tiers_takes_every_service(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}])
    insert_records(
        store,
        "incidents",
        [inc("X", "2024-01-02T00:00", "P1", "A", resolved_at="2024-01-02T06:00")],
    )
    m = availability(ctx())
    # A: 360 min down; B: none. Mean of the two.
    assert m.n == 2
    assert m.breakdown["scope"].startswith("all services")
    assert m.value == pytest.approx((100 * (1 - 360 / Q1_MIN) + 100) / 2)


def test_availability_with_tiers_but_no_tier_one_has_no_scope(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", [{"id": "A", "name": "A", "tier": 2}])
    insert_records(store, "incidents", [inc("X", "2024-01-02T00:00", "P1", "A")])
    m = availability(ctx())
    assert (m.n, m.value) == (0, None)


def test_availability_with_an_empty_catalogue_uses_the_incidents_services(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(
        store,
        "incidents",
        [
            inc("X", "2024-01-02T00:00", "P1", "A", resolved_at="2024-01-02T01:00"),
            inc("Y", "2024-01-03T00:00", "P4", "B", resolved_at="2024-01-03T01:00"),
        ],
    )
    store.execute("DELETE FROM service")  # the stubs the writer made from the names
    m = availability(ctx())
    # A: 60 min; B is named by an incident, so in scope, but P4 does not count: 100 %.
    assert m.n == 2
    assert m.breakdown["scope"].startswith("services named by incidents")
    assert m.value == pytest.approx((100 * (1 - 60 / Q1_MIN) + 100) / 2)


def test_availability_of_an_empty_workspace(store: Store, ctx: Callable[..., Context]) -> None:
    m = availability(ctx())
    assert (m.n, m.value, m.evidence) == (0, None, [])


# -- slo_attainment -------------------------------------------------------------------------
def test_slo_attainment(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "services", SERVICES)
    insert_records(store, "incidents", OUTAGES)
    m = slo_attainment(ctx())
    # ERP 99.771 % < 99.9 missed; CRM 99.863 % < 99.9 missed; Web shop 100 % ≥ 99.99 met;
    # HR has no SLO. 1 of 3.
    assert m.n == 3
    assert m.value == pytest.approx(100 / 3)
    assert m.breakdown["met"] == 1
    assert {k: v["met"] for k, v in m.breakdown["services"].items()} == {
        "CRM": False,
        "ERP": False,
        "WEB": True,
    }
    # ERP's budget is 0.1 % of 131,040 = 131.04 min; 300 − 131.04 = 168.96 → "169 min over".
    wording("slo_attainment", m)
    assert m.evidence[1].name == "CRM"


def test_slo_met_exactly_at_the_budget(store: Store, ctx: Callable[..., Context]) -> None:
    # 25 days = 36,000 min; a 99.9 % SLO allows exactly 36 min down.
    period = Period(date(2024, 1, 1), date(2024, 1, 26), "custom")
    insert_records(
        store,
        "services",
        [
            {"id": "A", "name": "A", "slo_availability": 99.9},
            {"id": "B", "name": "B", "slo_availability": 99.9},
            {"id": "C", "name": "C"},
        ],
    )
    insert_records(
        store,
        "incidents",
        [
            inc("X", "2024-01-05T00:00", "P1", "A", resolved_at="2024-01-05T00:36"),  # 36: met
            inc("Y", "2024-01-05T00:00", "P1", "B", resolved_at="2024-01-05T00:37"),  # 37: missed
        ],
    )
    m = slo_attainment(ctx(period))
    assert (m.n, m.value) == (2, pytest.approx(50.0))


def test_slo_attainment_without_slos(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "services", [{"id": "A", "name": "A", "tier": 1}])
    m = slo_attainment(ctx())
    assert (m.n, m.value) == (0, None)


# -- major_incidents ------------------------------------------------------------------------
MAJORS = [
    inc("M1", "2024-01-10T00:00", "P1", resolver="alice"),
    inc("M2", "2024-02-10T00:00", "P1", resolver="alice"),
    inc("M3", "2024-03-01T00:00", "P2", resolver="bob"),
    inc("M4", "2024-03-05T00:00", "P2", "CRM"),
    inc("M5", "2024-03-31T23:30", "P2", "CRM"),  # 23:30 UTC on the last day: in
    inc("M6", "2024-02-02T00:00", "P3"),
    inc("M7", "2024-02-03T00:00", "P4", "CRM"),
    inc("M8", "2024-02-04T00:00", None, "CRM"),
    inc("M9", "2024-02-05T00:00", "P1", is_maintenance=True),  # planned: out of everything
    inc("M10", "2023-12-31T23:59", "P1"),  # the quarter before
    inc("M11", "2024-04-01T00:00", "P1"),  # 00:00 UTC of the next quarter: out
]


def test_major_incidents_per_month(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "incidents", MAJORS)
    insert_records(store, "incidents", MAJORS[:2])  # re-imported: still once each
    m = major_incidents(ctx())
    # M1–M5 are P1/P2 in the period: 5. Months = 91 / (365.25 / 12) = 2.98973...
    # 5 / 2.98973 = 1.67239 per month. n = every incident opened in the period: M1–M8 = 8.
    assert m.value == pytest.approx(5 / (91 / 30.4375))
    assert m.value == pytest.approx(1.672390, abs=1e-6)
    assert m.n == 8
    assert m.breakdown["months"] == pytest.approx(2.989733, abs=1e-6)
    assert m.breakdown["major"] == 5
    wording("major_incidents", m)
    assert ids(m) == ["M1", "M2", "M3", "M4", "M5"]


def test_major_severity_is_a_parameter(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "incidents", MAJORS)
    m = major_incidents(ctx(major_severity="P1"))
    # P1 only: M1, M2 (M9 is maintenance, M10 and M11 outside) = 2 per 2.98973 months.
    assert m.value == pytest.approx(2 / (91 / 30.4375))
    assert (m.evidence[0].name, m.evidence[0].value) == ("ERP", 2)  # 2 of 2 P1 incidents


def test_a_quiet_quarter_has_zero_major_incidents(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "incidents", [inc("Q", "2024-02-01T00:00", "P4")])
    m = major_incidents(ctx())
    # One P4 opened, no major: a valid, excellent 0 per month, observed on 1 incident.
    assert (m.value, m.n) == (0.0, 1)
    empty = major_incidents(ctx(Period(date(2023, 7, 1), date(2023, 10, 1), "quarter")))
    assert (empty.value, empty.n) == (0.0, 0)
    assert empty.note is not None


# -- mttr and mtta --------------------------------------------------------------------------
def test_mttr_median_hours(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(
        store,
        "incidents",
        [
            inc("T1", "2024-01-10T00:00", "P1", resolved_at="2024-01-10T01:00"),  # 1 h
            inc("T2", "2024-01-20T00:00", "P2", "CRM", resolved_at="2024-01-20T03:00"),  # 3 h
            # opened in the quarter before, resolved in this one: counts, 10 h
            inc("T3", "2023-12-31T20:00", "P2", resolved_at="2024-01-01T06:00"),
            # resolved after the end: not yet resolved as of the period's end
            inc("T4", "2024-03-31T22:00", "P1", resolved_at="2024-04-01T02:00"),
            inc("T5", "2024-01-05T00:00", "P3", resolved_at="2024-01-05T01:00"),  # below P2
            inc("T6", "2024-02-01T00:00", "P1", resolved_at="2024-02-01T05:00"),  # 5 h
            inc(
                "T7", "2024-02-02T00:00", "P1", resolved_at="2024-02-02T09:00", is_maintenance=True
            ),
            inc(
                "T8", "2024-02-03T05:00", "P1", resolved_at="2024-02-03T04:00"
            ),  # resolved before opened
        ],
    )
    m = mttr(ctx())
    # [1, 3, 5, 10]: median (3 + 5) / 2 = 4 h on both engines.
    assert (m.n, m.value) == (4, pytest.approx(4.0))
    assert m.breakdown["median_hours_by_service"] == {"CRM": 3.0, "ERP": 5.0}  # ERP: [1, 5, 10]
    # Ranked by total restore time: ERP 16 h, CRM 3 h.
    wording("mttr", m)
    assert ids(m) == ["T1", "T2", "T3", "T6"]
    assert mttr(ctx(Period(date(2023, 4, 1), date(2023, 7, 1), "quarter"))).value is None


def test_mtta_median_minutes(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(
        store,
        "incidents",
        [
            inc("A1", "2024-01-10T00:00", "P1", acknowledged_at="2024-01-10T00:05"),  # 5
            inc("A2", "2024-01-11T00:00", "P2", acknowledged_at="2024-01-11T00:15"),  # 15
            inc("A3", "2023-12-31T23:50", "P2", acknowledged_at="2024-01-01T00:10"),  # 20
            inc(
                "A4", "2024-03-31T23:55", "P1", acknowledged_at="2024-04-01T00:05"
            ),  # after the end
            inc("A5", "2024-01-12T00:00", "P3", acknowledged_at="2024-01-12T02:00"),  # below P2
            inc("A6", "2024-01-13T00:00", "P1"),  # never acknowledged
            inc("A7", "2024-02-01T00:00", "P1", acknowledged_at="2024-02-01T00:00"),  # 0
            inc("A8", "2024-02-02T00:00", "P2", "CRM", acknowledged_at="2024-02-02T01:00"),  # 60
        ],
    )
    m = mtta(ctx())
    # [0, 5, 15, 20, 60]: median 15 min.
    assert (m.n, m.value) == (5, pytest.approx(15.0))
    assert ids(m) == ["A1", "A2", "A3", "A7", "A8"]
    empty = mtta(ctx(Period(date(2023, 4, 1), date(2023, 7, 1), "quarter")))
    assert (empty.n, empty.value) == (0, None)


# -- change_failure_rate --------------------------------------------------------------------
def chg(
    id: str, at: str, service: str, outcome: str | None = "success", env: str | None = "production"
) -> dict[str, Any]:
    return {"id": id, "deployed_at": at, "service": service, "outcome": outcome, "environment": env}


CHANGES = [
    chg("C1", "2024-01-10T10:00", "ERP"),
    chg("C2", "2024-01-12T10:00", "ERP", "failed", "Prod"),  # failed ("Prod": any case)
    chg("C3", "2024-01-15T10:00", "ERP", "rolled_back", None),  # rolled back; no env = production
    chg("C4", "2024-01-20T10:00", "CRM", env="staging"),  # not production: out
    chg("C5", "2024-01-20T09:00", "CRM"),  # I2 opens exactly 24 h later: attributed
    chg("C6", "2024-02-01T00:00", "WEB"),  # I3 opens 24 h and 1 s later: not attributed
    chg("C7", "2024-02-10T00:00", "WEB"),  # an earlier change in I4's window: not the latest
    chg("C8", "2024-02-10T06:00", "WEB"),  # the latest before I4: attributed
    chg("C9", "2024-03-01T00:00", "HR"),  # named by I5's caused_by_change, 4 days later
    chg("C10", "2024-03-04T12:00", "HR"),  # in I5's window, but I5 names C9
    chg("C11", "2023-12-31T20:00", "ERP"),  # before the period (I6 is attributed to it)
    chg("C12", "2024-03-31T23:00", "ERP"),  # I7 opens after the period's end
    chg("C13", "2024-04-01T00:00", "ERP"),  # the next quarter
    chg("C14", "2024-02-20T00:00", "ERP"),  # only a maintenance record follows it
    chg("C15", "2024-03-10T00:00", "CRM", "failed", "live"),  # failed and named by I9: once
]
CAUSED = [
    inc("I2", "2024-01-21T09:00", "P3", "CRM"),
    inc("I3", "2024-02-02T00:00:01", "P2", "WEB"),
    inc("I4", "2024-02-10T12:00", "P4", "WEB"),
    inc("I5", "2024-03-05T00:00", "P2", "HR", caused_by_change="C9"),
    inc("I6", "2024-01-01T01:00", "P2", "ERP"),
    inc("I7", "2024-04-01T00:30", "P1", "ERP"),
    inc("I8", "2024-02-20T01:00", "P1", "ERP", is_maintenance=True),
    inc("I9", "2024-03-10T02:00", "P1", "CRM", caused_by_change="C15"),
    # 25 h after C1, 1 h after C2: C2 failed so is no candidate, C1 is out of the window.
    inc("I10", "2024-01-12T11:00", "P2", "ERP"),
]


def test_change_failure_rate(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "changes", CHANGES)
    insert_records(store, "changes", CHANGES[:1])  # re-imported: still once
    insert_records(store, "incidents", CAUSED)
    m = change_failure_rate(ctx())
    # Production changes in Q1: C1 C2 C3 C5 C6 C7 C8 C9 C10 C12 C14 C15 = 12.
    # Failed: C2 (failed), C15 (failed), C3 (rolled back), C5 (I2, window, exactly 24 h),
    # C8 (I4, latest in window), C9 (I5, caused_by_change) = 6 → 50 %.
    assert m.n == 12
    assert m.value == pytest.approx(50.0)
    assert ids(m, "failed") == ["C15", "C2", "C3", "C5", "C8", "C9"]
    assert m.breakdown["by_reason"] == {"caused_incident": 3, "failed": 2, "rolled_back": 1}
    assert m.breakdown["by_service"]["ERP"] == {"changes": 5, "failed": 2}
    wording("change_failure_rate", m)
    assert m.records is not None
    rec = m.records.execute().set_index("id")
    assert rec.loc["C5", "attributed_by"] == "window"
    assert rec.loc["C5", "caused_incident"] == "I2"
    assert rec.loc["C9", "attributed_by"] == "caused_by_change"


def test_change_attribution_window_is_a_parameter(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "changes", CHANGES)
    insert_records(store, "incidents", CAUSED)
    m = change_failure_rate(ctx(attribution_window_hours=1))
    # 1 h window: C5 (24 h before I2) and C8 (6 h before I4) no longer attributed; C9 is still
    # named explicitly. Failed: C2 C3 C9 C15 = 4 of 12.
    assert m.value == pytest.approx(100 * 4 / 12)
    assert ids(m, "failed") == ["C15", "C2", "C3", "C9"]


def test_changes_deployed_at_the_same_instant_are_both_latest(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(
        store,
        "changes",
        [
            chg("A", "2024-02-01T10:00", "ERP"),
            chg("B", "2024-02-01T10:00", "ERP"),
            chg("C", "2024-02-01T08:00", "ERP"),
        ],
    )
    insert_records(store, "incidents", [inc("X", "2024-02-01T11:00", "P2", "ERP")])
    m = change_failure_rate(ctx())
    assert ids(m, "failed") == ["A", "B"]
    assert m.value == pytest.approx(100 * 2 / 3)


def test_a_change_before_the_period_still_outranks_at_its_start(
    store: Store, ctx: Callable[..., Context]
) -> None:
    # The query joins only changes from one window before the period onwards, and incidents
    # opened in it: a change just before the start must still count as "the latest" for an
    # incident early in the period, so that the in-period change after it is not blamed.
    insert_records(
        store,
        "changes",
        [
            chg("OUT", "2023-12-31T23:00", "ERP"),  # before Q1, 1 h before the start
            chg("IN", "2024-01-01T00:30", "ERP"),  # in Q1
            chg("LATE", "2024-03-31T23:30", "ERP"),  # in Q1; its incident opens in Q2
        ],
    )
    insert_records(
        store,
        "incidents",
        [
            inc("E1", "2024-01-01T00:15", "P2", "ERP"),  # latest before it: OUT, not IN
            inc("E2", "2024-04-01T00:10", "P2", "ERP"),  # after the end: not known in Q1
        ],
    )
    m = change_failure_rate(ctx())
    assert m.n == 2 and ids(m, "failed") == []
    insert_records(store, "incidents", [inc("E3", "2024-01-01T01:00", "P2", "ERP")])
    assert ids(change_failure_rate(ctx()), "failed") == ["IN"]


def test_change_failure_rate_without_changes(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "changes", [chg("Z", "2023-05-01T00:00", "ERP")])
    m = change_failure_rate(ctx())
    assert (m.n, m.value) == (0, None)


# -- repeat_incidents -----------------------------------------------------------------------
REPEATS = [
    inc("R1", "2023-12-20T00:00", "P2", problem="PRB1"),  # before the period: a prior only
    inc("R2", "2024-01-10T00:00", "P1", problem=" prb1 "),  # R1 21 days before: repeat
    inc("R3", "2024-02-09T00:00", "P3", problem="PRB1"),  # R2 exactly 30 days before: repeat
    inc("R5", "2024-03-01T00:00", "P5", problem="PRB1"),  # P5: not counted, but a prior
    inc("R4", "2024-03-15T00:00", "P2", problem="PRB1"),  # R5 14 days before: repeat
    inc("R6", "2024-03-16T00:00", "P2", "CRM", problem="PRB1"),  # other service: not a repeat
    inc("R7", "2024-03-17T00:00", "P2", "CRM"),  # no problem: never a repeat
    inc("R8", "2024-03-18T00:00", "P2", "CRM"),  # ditto
    inc("R10", "2024-02-01T00:00", "P2", "WEB", problem="X"),  # same instant as R11: not before
    inc("R11", "2024-02-01T00:00", "P2", "WEB", problem="X"),
    inc("R12", "2024-02-15T00:00", "P1", "WEB", problem="X", is_maintenance=True),
    inc("R13", "2024-02-20T00:00", "P2", "WEB", problem="X"),  # R10/R11 19 days before: repeat
    inc("R14", "2024-04-01T00:00", "P2", problem="PRB1"),  # the next quarter
    inc("R15", "2024-01-05T00:00", "P2", "HR", problem="Y", is_maintenance=True),
    inc("R16", "2024-01-10T00:00", "P2", "HR", problem="Y"),  # only maintenance before: no
    inc("R17", "2024-03-20T00:00", "P4", "HR", problem="Y"),  # P4: not counted
]


def test_repeat_incidents(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "incidents", REPEATS)
    insert_records(store, "incidents", REPEATS[:3], source="other-export")  # counted once
    m = repeat_incidents(ctx())
    # P1–P3 opened in Q1, maintenance left out: R2 R3 R4 R6 R7 R8 R10 R11 R13 R16 = 10.
    # Repeats: R2 R3 R4 R13 = 4 → 40 %.
    assert m.n == 10
    assert m.value == pytest.approx(40.0)
    assert ids(m, "repeat") == ["R13", "R2", "R3", "R4"]
    wording("repeat_incidents", m)
    assert m.breakdown["by_service"]["WEB"] == {"incidents": 3, "repeats": 1}


def test_repeat_window_is_a_parameter(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "incidents", REPEATS)
    m = repeat_incidents(ctx(repeat_window_days=20))
    # 20 days: R2 (21 days) and R3 (30) drop out; R4 (14) and R13 (19) stay: 2 of 10.
    assert m.value == pytest.approx(20.0)


def test_repeat_incidents_empty_period(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "incidents", REPEATS)
    m = repeat_incidents(ctx(Period(date(2023, 1, 1), date(2023, 4, 1), "quarter")))
    assert (m.n, m.value) == (0, None)


# -- unplanned_work -------------------------------------------------------------------------
def work(id: str, done: str | None, team: str, effort: float | None, **kw: Any) -> dict[str, Any]:
    return {
        "id": id,
        "created_at": "2023-12-01T00:00",
        "done_at": done,
        "team": team,
        "effort_hours": effort,
        **kw,
    }


WORK = [
    work("W1", "2024-01-10T00:00", "Ops", 5, planned=False, kind="story"),  # unplanned
    work("W2", "2024-01-11T00:00", "Ops", 3, kind="incident"),  # planned unknown, incident
    work("W3", "2024-01-12T00:00", "Ops", 2, kind="request"),  # planned unknown, not incident
    work("W4", "2024-01-13T00:00", "Dev", 8, planned=True, kind="incident"),  # said planned
    work("W6", "2024-04-01T00:00", "Dev", 100, planned=False),  # done next quarter
    work("W7", None, "Dev", 100, planned=False),  # not done
    work("W8", "2023-12-31T23:59", "Ops", 100, planned=False),  # done the quarter before
]


def test_unplanned_work_by_count_when_effort_is_missing(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "work-items", [*WORK, work("W5", "2024-03-31T23:30", "Dev", None)])
    m = unplanned_work(ctx())
    # Done in Q1: W1–W5 = 5 (W5 has no effort, so by count). Unplanned W1, W2 = 2 → 40 %.
    assert m.breakdown["basis"] == "count"
    assert (m.n, m.value) == (5, pytest.approx(40.0))
    assert m.breakdown["by_team"] == {"Dev": 0.0, "Ops": pytest.approx(66.67)}
    wording("unplanned_work", m)
    assert ids(m, "unplanned") == ["W1", "W2"]


def test_unplanned_work_by_effort(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "work-items", [*WORK, work("W5", "2024-03-31T23:30", "Dev", 12)])
    m = unplanned_work(ctx())
    # Effort done in Q1: 5 + 3 + 2 + 8 + 12 = 30 h; unplanned 5 + 3 = 8 h → 26.67 %.
    assert m.breakdown["basis"] == "effort"
    assert (m.n, m.value) == (5, pytest.approx(100 * 8 / 30))
    assert [(c.name, c.value) for c in m.evidence] == [("Ops", pytest.approx(80.0))]  # 8 of 10 h


def test_unplanned_work_empty_period(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(store, "work-items", WORK)
    m = unplanned_work(ctx(Period(date(2023, 1, 1), date(2023, 4, 1), "quarter")))
    assert (m.n, m.value) == (0, None)


# -- real data ------------------------------------------------------------------------------
SEVERITY = {"critical": "P1", "major": "P2", "minor": "P3", "none": "P4", "maintenance": "P2"}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def test_availability_matches_a_minute_count_on_github_status_history(
    store: Store, real_data: Path, ctx: Callable[..., Context]
) -> None:
    """GitHub's real status-page windows overlap and nest in every way; the ibis union must
    agree with a plain count of the minutes covered, quarter by quarter."""
    with open(real_data / "github-statuses" / "downtime_windows.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    incidents = [
        inc(
            r["incident_id"],
            _utc(r["downtime_start"]).isoformat(),
            SEVERITY[r["impact"]],
            "GitHub",
            resolved_at=_utc(r["downtime_end"]).isoformat(),
            is_maintenance=r["impact"] == "maintenance",
            title=r["title"],
        )
        for r in rows
    ]
    insert_records(store, "services", [{"id": "GitHub", "name": "GitHub", "tier": 1}])
    insert_records(store, "incidents", incidents)
    counted = [
        (_utc(r["downtime_start"]), _utc(r["downtime_end"]))
        for r in rows
        if r["impact"] in ("critical", "major")
    ]
    for year in (2022, 2023, 2024):
        for month in (1, 4, 7, 10):
            period = containing(date(year, month, 1), "quarter")
            start, end = period.start_ts, period.end_ts
            minutes: set[datetime] = set()
            for s, e in counted:
                if s >= end:
                    continue
                t = max(s, start)
                while t < min(e, end):
                    minutes.add(t)
                    t += timedelta(minutes=1)
            m = availability(ctx(period))
            got = m.breakdown["services"]["GitHub"]["downtime_minutes"]
            assert got == pytest.approx(len(minutes)), period.label


# -- several periods in one batch -----------------------------------------------------------
JAN = Period(date(2024, 1, 1), date(2024, 2, 1), "month")
FEB = Period(date(2024, 2, 1), date(2024, 3, 1), "month")
MAR = Period(date(2024, 3, 1), date(2024, 4, 1), "month")
# Overlapping custom periods take the range-join path instead of calendar buckets.
CUSTOM = (
    Period(date(2024, 1, 15), date(2024, 2, 15), "custom"),
    Period(date(2024, 2, 1), date(2024, 3, 1), "custom"),
    Period(date(2024, 2, 10), date(2024, 3, 20), "custom"),
)

EDGE_SERVICES = [
    {"id": "ERP", "name": "ERP", "tier": 1, "slo_availability": 99.9},
    {"id": "CRM", "name": "CRM", "tier": 1, "slo_availability": 99.5},
    {"id": "HR", "name": "HR", "tier": 2, "slo_availability": 99.0},
]
EDGE_INCIDENTS = [
    # Crosses the January/February edge: 22:00–02:00, 120 min in each month; acknowledged and
    # resolved in February.
    inc(
        "X1",
        "2024-01-31T22:00",
        "P1",
        acknowledged_at="2024-02-01T00:10",
        resolved_at="2024-02-01T02:00",
        problem="DB",
    ),
    # Opened in January, resolved in March: open at the ends of January and February.
    inc("X2", "2024-01-20T00:00", "P2", "CRM", resolved_at="2024-03-02T00:00", problem="Net"),
    # Its impact ended on 1 February though the ticket stayed open.
    inc(
        "X3",
        "2024-01-31T23:30",
        "P2",
        "HR",
        resolved_at="2024-02-20T00:00",
        impact_end="2024-02-01T00:30",
    ),
    # A repeat of X1 in February (same service and problem, within 30 days).
    inc("X4", "2024-02-05T00:00", "P2", resolved_at="2024-02-05T03:00", problem=" db "),
    # Never resolved: open from 2 March to the end of March.
    inc("X5", "2024-03-29T00:00", "P1", "CRM", problem="Net"),
    inc("X6", "2024-02-14T00:00", "P3", "CRM", problem="Net"),  # a repeat of X2 by problem
    inc("X7", "2024-02-10T00:00", "P1", resolved_at="2024-02-10T05:00", is_maintenance=True),
    # Names a January change in February: known only from February's end on.
    inc("X8", "2024-02-02T00:00", "P3", "HR", caused_by_change="K1"),
    # In March, 2 h after K4 (February's last change on ERP falls outside the window).
    inc("X9", "2024-03-01T02:00", "P2", "ERP", resolved_at="2024-03-01T04:00"),
    # 30 min after K5, deployed on 31 January: blamed in no period (unknown in January).
    inc("X10", "2024-02-01T00:30", "P4", "WEB"),
]
EDGE_CHANGES = [
    chg("K1", "2024-01-25T00:00", "HR"),
    chg("K2", "2024-01-10T00:00", "ERP", "failed"),
    chg("K3", "2024-02-28T00:00", "ERP"),
    chg("K4", "2024-03-01T00:00", "ERP"),
    chg("K5", "2024-01-31T23:45", "WEB"),
    chg("K6", "2024-02-15T00:00", "CRM", None),
]
EDGE_WORK = [
    work("U1", "2024-01-31T23:59", "Ops", 4, planned=False),
    work("U2", "2024-02-01T00:00", "Ops", 2, kind="incident"),
    work("U3", "2024-02-15T00:00", "Dev", 6, planned=True),
    work("U4", "2024-03-10T00:00", "Dev", None, planned=False),
    work("U5", "2024-03-11T00:00", "Ops", 1, planned=True),
]


def _seen(m: Measurement) -> tuple[Any, ...]:
    return (
        m.value,
        m.n,
        m.breakdown,
        [c.as_dict() for c in m.evidence],
        m.note,
    )


@pytest.mark.slow
@pytest.mark.parametrize("periods", [(JAN, FEB, MAR), CUSTOM], ids=["months", "custom"])
def test_a_batch_of_periods_equals_each_period_alone(
    store: Store,
    periods: tuple[Period, ...],
    ctx: Callable[..., Context],
    batch: Callable[..., Batch],
) -> None:

    insert_records(store, "services", EDGE_SERVICES)
    insert_records(store, "incidents", EDGE_INCIDENTS)
    insert_records(store, "changes", EDGE_CHANGES)
    insert_records(store, "work-items", EDGE_WORK)
    metrics = [
        availability,
        slo_attainment,
        major_incidents,
        mttr,
        mtta,
        change_failure_rate,
        repeat_incidents,
        unplanned_work,
    ]
    b = batch(periods)
    for m in metrics:
        together = m.compute(b)
        for p in periods:
            alone = m(ctx(p))
            assert _seen(together[p]) == _seen(alone), (m.id, p.label)
            assert together[p].records is not None
            assert ids(together[p]) == ids(alone), (m.id, p.label)


def test_a_batch_reads_each_month_as_known_at_its_end(
    store: Store, batch: Callable[..., Batch]
) -> None:

    insert_records(store, "services", EDGE_SERVICES)
    insert_records(store, "incidents", EDGE_INCIDENTS)
    insert_records(store, "changes", EDGE_CHANGES)
    insert_records(store, "work-items", EDGE_WORK)
    months = (JAN, FEB, MAR)
    b = batch(months)
    av = availability.compute(b)
    # ERP: X1's 120 min in January and its 120 min in February (plus X4's 180 min).
    assert av[JAN].breakdown["services"]["ERP"]["downtime_minutes"] == pytest.approx(120)
    assert av[FEB].breakdown["services"]["ERP"]["downtime_minutes"] == pytest.approx(300)
    # CRM: X2 from 20 January to the end of January (12 days), all of February, and
    # 1 March 00:00 to 2 March 00:00 plus X5's 3 days to the end of March.
    crm = av[MAR].breakdown["services"]["CRM"]
    assert av[JAN].breakdown["services"]["CRM"]["downtime_minutes"] == pytest.approx(12 * 1440)
    assert av[FEB].breakdown["services"]["CRM"]["downtime_minutes"] == pytest.approx(29 * 1440)
    assert (crm["downtime_minutes"], crm["incidents"]) == (pytest.approx(4 * 1440), 2)
    slo = slo_attainment.compute(b)
    # HR: X3's impact (P2) 30 min in each of January and February, against 99 %.
    assert slo[JAN].breakdown["services"]["HR"]["downtime_minutes"] == pytest.approx(30)
    cfr = change_failure_rate.compute(b)
    # January: K1 (named only in February), K2 (failed), K5 (blamed only in February): 1 of 3.
    assert (cfr[JAN].n, cfr[JAN].breakdown["failed"]) == (3, 1)
    # February: K3, K6; March: K4, blamed by X9.
    assert (cfr[FEB].n, cfr[FEB].breakdown["failed"]) == (2, 0)
    assert (cfr[MAR].n, cfr[MAR].breakdown["by_reason"]) == (1, {"caused_incident": 1})
    rep = repeat_incidents.compute(b)
    # February: X4 repeats X1, X6 repeats X2; X8 has no problem; X7 is maintenance: 2 of 3.
    assert (rep[FEB].n, rep[FEB].breakdown["repeats"]) == (3, 2)
    assert (rep[JAN].n, rep[JAN].breakdown["repeats"]) == (3, 0)
    mt = mttr.compute(b)
    # February: X1 resolved after 4 h, X4 after 3 h, X3 after 479.5 h; March: X2, X9.
    assert (mt[JAN].n, mt[FEB].n, mt[MAR].n) == (0, 3, 2)
    assert mt[FEB].value == pytest.approx(4.0)
    uw = unplanned_work.compute(b)
    assert (uw[JAN].value, uw[FEB].breakdown["basis"]) == (100.0, "effort")
    assert uw[FEB].value == pytest.approx(100 * 2 / 8)
    assert uw[MAR].breakdown["basis"] == "count"

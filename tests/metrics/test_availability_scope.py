"""Availability's service set as known at the period's end: records imported later, about
later events, never change an earlier period's figure (FRAMEWORK.md, "As of a date")."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

import pytest

from trustmeter.metrics.availability import availability
from trustmeter.metrics.registry import Context
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
Q1_MIN = 91 * 24 * 60


def q1(store: Store) -> float | None:
    m = availability(Context(store, Q1, dict(PARAMS)))
    return m.value


def test_importing_later_incidents_leaves_an_earlier_quarter_unchanged(store: Store) -> None:
    insert_records(store, "services", [{"id": "ERP", "name": "ERP"}])
    insert_records(
        store,
        "incidents",
        [
            {
                "id": "A",
                "opened_at": "2024-02-01T00:00",
                "severity": "P1",
                "service": "ERP",
                "resolved_at": "2024-02-01T06:00",
            },
            # a service first named by a Q1 incident is known in Q1 (a stub record)
            {
                "id": "B",
                "opened_at": "2024-03-01T00:00",
                "severity": "P4",
                "service": "Mail",
                "resolved_at": "2024-03-01T01:00",
            },
        ],
    )
    before = q1(store)
    # ERP 360 min down, Mail none: the mean of the two.
    assert before == pytest.approx((100 * (1 - 360 / Q1_MIN) + 100) / 2)
    # A later import names two more services, in incidents opened after Q1.
    insert_records(
        store,
        "incidents",
        [
            {"id": "C", "opened_at": "2024-05-01T00:00", "severity": "P1", "service": "Webshop"},
            {"id": "D", "opened_at": "2024-06-01T00:00", "severity": "P2", "service": "VPN"},
        ],
    )
    assert store.scalar("SELECT count(*) FROM service") == 4
    m = availability(Context(store, Q1, dict(PARAMS)))
    assert m.value == before
    assert sorted(m.breakdown["services"]) == ["ERP", "Mail"]
    assert m.breakdown["scope"].startswith("all services known at the period's end")


def test_catalogue_services_count_without_incidents(store: Store) -> None:
    """A service with a record of its own is in scope whatever the incidents say."""
    insert_records(store, "services", [{"id": "ERP", "name": "ERP"}, {"id": "HR", "name": "HR"}])
    m = availability(Context(store, Q1, dict(PARAMS)))
    assert (m.n, m.value) == (2, 100.0)

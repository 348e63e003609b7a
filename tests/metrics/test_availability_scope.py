"""Availability's service set as known at the period's end: records imported later, about
later events, never change an earlier period's figure (FRAMEWORK.md, "As of a date")."""

from __future__ import annotations

import csv
import re
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
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


def _service(title: str) -> str:
    """The first service a GitHub status title names ("Incident with Codespaces and Pages")."""
    m = re.match(r"(?:Incident with|Disruption with some) (.+)", title)
    if not m:
        return "GitHub"
    return re.split(r",| and ", m.group(1))[0].strip()


def test_a_real_status_feed_imported_in_two_goes(store: Store, real_data: Path) -> None:
    """GitHub's real status history, with no service catalogue: every service is a stub made
    from an incident. Importing the incidents after 2022-Q3 later must leave 2022-Q3 as it was
    computed before they existed."""
    with open(real_data / "github-statuses" / "downtime_windows.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    severity = {"critical": "P1", "major": "P2", "minor": "P3", "none": "P4", "maintenance": "P2"}

    def incident(r: dict[str, str]) -> dict[str, Any]:
        return {
            "id": r["incident_id"],
            "opened_at": r["downtime_start"].removesuffix("Z"),
            "resolved_at": r["downtime_end"].removesuffix("Z"),
            "severity": severity[r["impact"]],
            "service": _service(r["title"]),
            "is_maintenance": r["impact"] == "maintenance",
        }

    q3 = Period(date(2022, 7, 1), date(2022, 10, 1), "quarter")
    cut = "2022-10-01T00:00:00Z"
    early = [incident(r) for r in rows if r["downtime_start"] < cut]
    later = [incident(r) for r in rows if r["downtime_start"] >= cut]
    assert early and later
    insert_records(store, "incidents", early)
    before = availability(Context(store, q3, dict(PARAMS)))
    insert_records(store, "incidents", later)
    new_services = store.scalar("SELECT count(*) FROM service") - before.n
    assert new_services > 0  # the later incidents did name services Q3 never saw
    after = availability(Context(store, q3, dict(PARAMS)))
    assert (after.n, after.value) == (before.n, before.value)
    assert after.breakdown["services"] == before.breakdown["services"]

"""Time zones at a period's edge, and records still open at its end. See README.md here."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from trustmeter.ingest import ImportOptions, Mapping, import_files
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.model import Context
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q4 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")


def figure(store: Store, metric_id: str, period: Period) -> tuple[float | None, int]:
    m = all_metrics()[metric_id](Context(store, period, dict(PARAMS)))
    return m.value, m.n


def test_a_local_midnight_is_converted_before_it_meets_a_period_edge(
    store: Store, tmp_path: Path
) -> None:
    """Periods are UTC instants (2024-Q1 is 2024-01-01 00:00 UTC up to 2024-04-01 00:00 UTC);
    a time written without a zone is read in the workspace's zone and stored in UTC first.
    Half an hour after local midnight in Berlin is still the day before in UTC, so it falls in
    the period that UTC day belongs to, on both sides of a quarter and of daylight saving."""
    csv = tmp_path / "incidents.csv"
    csv.write_text(
        "id,opened_at,severity,service,resolved_at\n"
        # CET (+01:00): 2023-12-31 23:30 UTC, the last half hour of 2023-Q4
        "NEWYEAR,2024-01-01 00:30,P1,ERP,2024-01-01 01:30\n"
        # CEST (+02:00) since 31 March: 2024-03-31 22:30 UTC, the end of 2024-Q1
        "APRIL,2024-04-01 00:30,P1,ERP,2024-04-01 01:30\n"
        # with its zone written: taken as given, 2024-04-01 00:30 UTC, in 2024-Q2
        "ZONED,2024-04-01T00:30:00Z,P1,ERP,2024-04-01T01:30:00Z\n",
        encoding="utf-8",
    )
    options = ImportOptions(mapping=Mapping(), timezone="Europe/Berlin")
    result = import_files(store, "incidents", [csv], options)
    assert result.zoneless == 4  # two rows, two timestamps each
    rows = store.table("incident").select("id", "opened_at").to_pyarrow().to_pylist()
    assert {r["id"]: r["opened_at"] for r in rows} == {
        "APRIL": datetime(2024, 3, 31, 22, 30),
        "NEWYEAR": datetime(2023, 12, 31, 23, 30),
        "ZONED": datetime(2024, 4, 1, 0, 30),
    }
    # major incidents per month: one in each quarter's three months → 1/3 per month
    assert figure(store, "major_incidents", Q4)[1] == 1  # NEWYEAR
    assert figure(store, "major_incidents", Q1)[1] == 1  # APRIL, not NEWYEAR nor ZONED


def test_incidents_still_open_at_the_period_end_are_left_out_of_mttr(store: Store) -> None:
    def inc(id: str, opened: str, resolved: str | None) -> dict[str, Any]:
        return {
            "id": id,
            "opened_at": datetime.fromisoformat(opened),
            "resolved_at": None if resolved is None else datetime.fromisoformat(resolved),
            "severity": "P1",
            "service": "ERP",
        }

    insert_records(
        store,
        "incidents",
        [
            inc("R1", "2024-02-01T10:00", "2024-02-01T12:00"),  # 2 h
            inc("R2", "2024-02-02T10:00", "2024-02-02T14:00"),  # 4 h
            inc("OPEN", "2024-02-03T10:00", None),  # never resolved
            inc("LATE", "2024-03-31T20:00", "2024-04-01T08:00"),  # resolved after the end
        ],
    )
    # median of 2 h and 4 h = 3 h, over the 2 resolved in the period; an open incident is not
    # a zero-hour (or an infinite) repair, it has no repair time yet
    assert figure(store, "mttr", Q1) == (3.0, 2)

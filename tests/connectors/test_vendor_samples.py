"""The real vendor samples in ../shared/data/vendor, imported through their presets.

Each test reads a sample in place (it is never copied into the project) and checks the
canonical fields a scorecard uses: ids, times in UTC, severity, service and resolver names.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from trustmeter.connectors import import_preset
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions
from trustmeter.store import Store

VENDOR = Path(__file__).resolve().parents[3] / "shared" / "data" / "vendor"
NEW_YORK = ImportOptions(timezone="America/New_York")


@pytest.fixture
def vendor() -> Path:
    if not VENDOR.is_dir():
        pytest.fail(f"the vendor samples {VENDOR} are missing (../shared beside the repo)")
    return VENDOR


def incidents(store: Store) -> list[tuple[Any, ...]]:
    return store.fetch(
        "SELECT id, opened_at, acknowledged_at, resolved_at, severity, service, resolver "
        "FROM incident WHERE source <> 'auto' ORDER BY id"
    )


def test_pagerduty_analytics_times_are_read_in_the_bodys_zone(store: Store, vendor: Path) -> None:
    """The body says Etc/UTC: a New York workspace must not move the incident 5 h."""
    sample = vendor / "pagerduty-analytics-raw-incidents" / "response.json"
    r = import_preset(store, "incidents", [sample], "pagerduty", NEW_YORK)
    assert r.zoneless == 0
    assert incidents(store) == [
        (
            "P9UMCAE",
            dt.datetime(2021, 1, 8, 15, 36, 37),
            None,
            dt.datetime(2021, 1, 8, 15, 39, 52),
            "P1",
            "Korabl-Sputnik 3",
            "Brett Willemsen",
        )
    ]


def test_pagerduty_analytics_body_in_another_zone(
    store: Store, vendor: Path, tmp_path: Path
) -> None:
    """The same real body, requested with time_zone America/New_York: read in that zone."""
    body = json.loads((vendor / "pagerduty-analytics-raw-incidents" / "response.json").read_text())
    body["time_zone"] = "America/New_York"
    path = tmp_path / "analytics.json"
    path.write_text(json.dumps(body))
    import_preset(store, "incidents", [path], "pagerduty", ImportOptions(timezone="Asia/Tokyo"))
    got = incidents(store)[0]
    assert got[1] == dt.datetime(2021, 1, 8, 20, 36, 37)
    assert got[3] == dt.datetime(2021, 1, 8, 20, 39, 52)


def test_pagerduty_analytics_body_with_a_bad_zone(vendor: Path, tmp_path: Path) -> None:
    from trustmeter.connectors.pagerduty import body_zone

    body = json.loads((vendor / "pagerduty-analytics-raw-incidents" / "response.json").read_text())
    body["time_zone"] = "Mars/Olympus"
    path = tmp_path / "analytics.json"
    path.write_text(json.dumps(body))
    with pytest.raises(InputError, match="time_zone is not a time zone"):
        body_zone(path)


def test_pagerduty_classic_incidents_keep_the_resolver(store: Store, vendor: Path) -> None:
    """Classic GET /incidents: who resolved is only in the log entries; acknowledgements are
    empty once resolved, so the first acknowledge entry is the acknowledgement."""
    sample = vendor / "pagerduty-incidents-classic-devlake" / "incidents.json"
    r = import_preset(store, "incidents", [sample], "pagerduty", NEW_YORK)
    assert r.rows_read == 3 and r.zoneless == 0
    assert incidents(store) == [
        (
            "Q1OHFWFP3GPXOG",
            dt.datetime(2022, 11, 3, 6, 45, 36),
            dt.datetime(2022, 11, 3, 6, 45, 46),
            dt.datetime(2022, 11, 3, 6, 51, 44),
            "P4",
            "DevService",
            "Keon Amini",
        ),
        (
            "Q3CZAU7Q4008QD",
            dt.datetime(2022, 11, 3, 6, 44, 28),
            dt.datetime(2022, 11, 3, 6, 44, 37),
            None,
            "P3",
            "DevService",
            None,
        ),
        (
            "Q3YON8WNWTZMRQ",
            dt.datetime(2022, 11, 3, 6, 23, 6),
            dt.datetime(2022, 11, 3, 6, 23, 7),
            None,
            "P3",
            "DevService",
            None,
        ),
    ]


def test_opsgenie_services_by_uuid_are_refused_until_mapped(store: Store, vendor: Path) -> None:
    from trustmeter.ingest import Mapping

    sample = vendor / "opsgenie-incidents-devlake" / "incidents.json"
    uuid = "695bce3d-4621-4630-8ae1-24eb89c22d6e"
    with pytest.raises(InputError) as info:
        import_preset(store, "incidents", [sample], "opsgenie-incidents", NEW_YORK)
    assert (info.value.column, info.value.value) == ("service", uuid)
    assert "GET /v1/services" in (info.value.hint or "")
    assert store.scalar("SELECT count(*) FROM service") == 0
    names = Mapping().merged(values={"service": {uuid: "Checkout"}})
    r = import_preset(store, "incidents", [sample], "opsgenie-incidents", NEW_YORK, overrides=names)
    assert r.rows_read == 2 and r.zoneless == 0
    assert incidents(store) == [
        (
            "3a74524a-f492-4172-b3f5-6041c7cb404a",
            dt.datetime(2023, 9, 6, 14, 30, 56, 346000),
            None,
            None,
            "P3",
            "Checkout",
            None,
        ),
        (
            "3f84e009-7548-4e7d-832a-fa82c1ceb6b1",
            dt.datetime(2023, 9, 5, 18, 20, 28, 3000),
            None,
            dt.datetime(2023, 9, 5, 18, 21, 21, 490000),
            "P5",
            "Checkout",
            None,
        ),
    ]


def test_pagerduty_sync_reads_the_answers_zone(store: Store, vendor: Path) -> None:
    """The real Analytics answer replayed through `sync` in a New York workspace."""
    import httpx
    from connector_helpers import NOW, creds, source

    from trustmeter.connectors import sync

    body = json.loads((vendor / "pagerduty-analytics-raw-incidents" / "response.json").read_text())
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=body)

    r = sync.run(
        store,
        source("pagerduty"),
        creds("pagerduty"),
        "America/New_York",
        transport=httpx.MockTransport(answer),
        sleep=lambda s: None,
        clock=lambda: NOW,
    )
    assert r.records == 1 and sent[0]["time_zone"] == "Etc/UTC"
    got = incidents(store)[0]
    assert got[1] == dt.datetime(2021, 1, 8, 15, 36, 37)
    assert got[3] == dt.datetime(2021, 1, 8, 15, 39, 52)

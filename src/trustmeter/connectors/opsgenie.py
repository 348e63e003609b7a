"""Opsgenie: alerts and incidents, as JSON from its REST API (GET /v2/alerts, GET /v1/incidents).

An alert reports its acknowledgement and close as milliseconds after creation
(report.ackTime, report.closeTime); `alert_row` turns them into times. An incident carries
its impact window (impactStartDate, impactEndDate) and the services it impacted. Opsgenie
priorities are P1–P5 already. Opsgenie is not among the sync sources: export with the API
(or `opsgenie-lamp`) and import the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trustmeter.connectors._readers import ReadOptions, RecordsReader, Row, dig, text
from trustmeter.connectors.sync import iso, parse_time
from trustmeter.ingest.readers import Reader


def _after(created: Any, millis: Any) -> str | None:
    if not created or millis in (None, ""):
        return None
    try:
        return iso(parse_time(str(created)) + dt.timedelta(milliseconds=float(millis)))
    except ValueError:
        return None


def alert_row(a: Mapping[str, Any]) -> Row:
    created = a.get("createdAt")
    closed = a.get("status") == "closed"
    teams = a.get("teams") or []
    return {
        "id": text(a.get("id")),
        "tinyId": text(a.get("tinyId")),
        "message": text(a.get("message")),
        "status": text(a.get("status")),
        "priority": text(a.get("priority")),
        "createdAt": text(created),
        "acknowledgedAt": _after(created, dig(a, "report", "ackTime")),
        "closedAt": _after(created, dig(a, "report", "closeTime")) if closed else None,
        "closedBy": text(dig(a, "report", "closedBy")),
        "owner": text(a.get("owner")),
        "service": text(dig(a, "details", "service")) or text(a.get("source")),
        "team": text(dig(teams[0], "name") or dig(teams[0], "id")) if teams else None,
    }


def incident_row(i: Mapping[str, Any]) -> Row:
    services = i.get("impactedServices") or []
    done = i.get("status") in ("resolved", "closed")
    return {
        "id": text(i.get("id")),
        "tinyId": text(i.get("tinyId")),
        "message": text(i.get("message")),
        "status": text(i.get("status")),
        "priority": text(i.get("priority")),
        "createdAt": text(i.get("createdAt")),
        "impactStartDate": text(i.get("impactStartDate")),
        "impactEndDate": text(i.get("impactEndDate")),
        "resolvedAt": text(i.get("impactEndDate")) if done else None,
        "service": text(services[0]) if services else None,
        "ownerTeam": text(i.get("ownerTeam")),
    }


def alerts_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, alert_row, opts.encoding)


def incidents_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, incident_row, opts.encoding)

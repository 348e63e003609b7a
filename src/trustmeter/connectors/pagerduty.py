"""PagerDuty: incidents, from the Analytics incidents CSV export or from the API.

The file export and the API (`POST /analytics/raw/incidents`) use the same field names
(created_at, resolved_at, service_name, urgency, priority_name, seconds_to_first_ack...), so
both routes become the same row here and then pass through the one preset,
`pagerduty-incidents`. A dump of the classic `GET /incidents` API is read too.

PagerDuty writes the acknowledgement as seconds after creation; the row gets
`acknowledged_at` from it. Severity is the incident's priority (P1–P5 by default) and, where
an account uses no priorities, its urgency, which the preset maps to P3 (high) and P4 (low):
a page is not by itself a major incident.

Sync uses the Analytics API because it has the acknowledgement and resolution times of every
incident, while the classic API drops acknowledgements once an incident is resolved. We use
plain httpx over the `pdpyras`/`pagerduty` client: one endpoint with cursor paging does not
pay for a dependency, and httpx gives us injectable transports for recorded tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from trustmeter.connectors._ingest import Reader, file_format
from trustmeter.connectors._readers import (
    DerivedReader,
    ReadOptions,
    RecordsReader,
    Row,
    dig,
    standard,
    text,
)
from trustmeter.connectors.sync import (
    Credentials,
    Cursors,
    Http,
    Page,
    SourceConfig,
    iso,
    parse_time,
)

PRESET = "pagerduty-incidents"
DERIVED = ("acknowledged_at", "severity")


def _ack(created: str | None, seconds: str | None) -> str | None:
    if not created or not seconds or not seconds.strip():
        return None
    try:
        at = parse_time(created) + dt.timedelta(seconds=float(seconds))
    except ValueError:
        return None  # the importer reports the bad created_at itself
    return iso(at)


def derive(row: Row) -> Row:
    """The columns the export lacks: acknowledged_at and a severity (priority, else urgency)."""
    created = row.get("created_at") or row.get("created_on")
    priority = (row.get("priority_name") or "").strip()
    return {
        "acknowledged_at": row.get("acknowledged_at")
        or _ack(created, row.get("seconds_to_first_ack")),
        "severity": priority or row.get("urgency"),
    }


def to_row(obj: Mapping[str, Any]) -> Row:
    """An incident from the Analytics API (flat) or the classic API (nested) as a CSV row."""
    row: Row = {k: text(v) for k, v in obj.items() if not isinstance(v, dict | list)}
    if "service" in obj:  # the classic GET /incidents shape
        row["service_name"] = text(dig(obj, "service", "summary"))
        row["priority_name"] = text(dig(obj, "priority", "summary"))
        row["description"] = text(obj.get("title") or obj.get("description"))
        acks = obj.get("acknowledgements") or []
        if acks:
            row["acknowledged_at"] = text(min(a.get("at") for a in acks if a.get("at")))
        if not obj.get("resolved_at") and obj.get("status") == "resolved":
            row["resolved_at"] = text(obj.get("last_status_change_at"))
        row["team_name"] = text(dig((obj.get("teams") or [{}])[0], "summary"))
    row.update(derive(row))
    return row


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, _ = file_format(path)
    if fmt in ("json", "ndjson"):
        return RecordsReader(path, to_row, opts.encoding)
    return DerivedReader(
        standard(path, opts),
        DERIVED,
        derive,
        {
            "acknowledged_at": ["seconds_to_first_ack"],
            "severity": ["priority_name", "urgency"],
        },
    )


# -- sync -------------------------------------------------------------------------------------
def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """Incidents created since the cursor, oldest first, 100 a page (`starting_after` paging).

    The cursor after a finished run is the creation time of the oldest incident that was still
    open, else of the newest incident: a re-run fetches only what can still change.
    """
    cursor = cursors.get("incidents", {})
    window = cursor.get("window") or {
        "since": cursor.get("since") or source.since(),
        "until": iso(http.now()),
    }
    after = cursor.get("starting_after")
    open_since: str | None = cursor.get("open_since")
    newest: str | None = cursor.get("newest")
    while True:
        body: dict[str, Any] = {
            "filters": {"created_at_start": window["since"], "created_at_end": window["until"]},
            "limit": int(source.options.get("page_size", 100)),
            "order": "asc",
            "order_by": "created_at",
            "time_zone": "Etc/UTC",
        }
        if after:
            body["starting_after"] = after
        data = http.post_json("/analytics/raw/incidents", body)
        incidents = data.get("data") or []
        rows = [to_row(i) for i in incidents]
        for i in incidents:
            created = i.get("created_at")
            if not created:
                continue
            newest = max(newest or created, created)
            if not i.get("resolved_at"):
                open_since = min(open_since or created, created)
        after = data.get("last")
        more = bool(data.get("more")) and bool(after) and bool(incidents)
        if more:
            state = {
                "window": window,
                "starting_after": after,
                "open_since": open_since,
                "newest": newest,
            }
        else:
            state = {"since": open_since or newest or window["since"]}
        yield Page("incidents", PRESET, rows, state)
        if not more:
            return


DEFAULT_BASE_URL = "https://api.pagerduty.com"


def auth(creds: Credentials) -> tuple[dict[str, str], None]:
    """A REST API key (read-only is enough), sent as `Authorization: Token token=...`."""
    return {
        "Authorization": f"Token token={creds.require('token')}",
        "Accept": "application/vnd.pagerduty+json;version=2",
    }, None

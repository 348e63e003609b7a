"""PagerDuty: incidents, from the Analytics incidents CSV export or from the API.

The file export and the API (`POST /analytics/raw/incidents`) use the same field names
(created_at, resolved_at, service_name, urgency, priority_name, seconds_to_first_ack...), so
both routes become the same row here and then pass through the one preset,
`pagerduty-incidents`. A dump of the classic `GET /incidents` API is read too.

PagerDuty writes the acknowledgement as seconds after creation; the row gets
`acknowledged_at` from it. Severity is the incident's priority (P1–P5 by default) and, where
an account uses no priorities, its urgency, which the preset maps to P3 (high) and P4 (low):
a page is not by itself a major incident.

The Analytics API writes its times without a zone (2021-01-08T15:36:37) and names the zone
they are in once, in the body's `time_zone` (Etc/UTC unless the request asked for another):
`to_row` reads them in that zone, never in the workspace's, so a New York workspace does not
move every incident five hours. The classic API keeps who resolved an incident only in its
log entries (`?include[]=log_entries` or the incident's log); the resolve entry's agent is
the resolver, and the first acknowledge entry the acknowledgement where `acknowledgements`
is already empty (PagerDuty drops it once an incident is resolved).

Sync uses the Analytics API because it has the acknowledgement and resolution times of every
incident, while the classic API drops acknowledgements once an incident is resolved. We use
plain httpx over the `pdpyras`/`pagerduty` client: one endpoint with cursor paging does not
pay for a dependency, and httpx gives us injectable transports for recorded tests.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

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
from trustmeter.errors import InputError
from trustmeter.ingest.readers import Reader, file_format

PRESET = "pagerduty-incidents"
DERIVED = ("acknowledged_at", "severity")
# The Analytics API's default zone when the body does not say (its documentation).
DEFAULT_ZONE = "Etc/UTC"
_TIMES = ("created_at", "resolved_at", "created_on", "resolved_on", "acknowledged_at")
_NAIVE = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$")
# The body's top-level `"time_zone": "..."`; inside a string the quotes would be escaped.
_ZONE_KEY = re.compile(rb'"time_zone"\s*:\s*"([^"\\]+)"')


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


def zoned(value: str | None, zone: str) -> str | None:
    """A time the Analytics API wrote without a zone, as UTC with a Z (others unchanged)."""
    if not value or not _NAIVE.match(value.strip()):
        return value
    local = dt.datetime.fromisoformat(value.strip().replace(" ", "T"))
    return iso(local.replace(tzinfo=zoneinfo.ZoneInfo(zone)))


def _entries(obj: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """The incident's log entries of one type, oldest first."""
    found = [
        e for e in obj.get("log_entries") or [] if isinstance(e, dict) and e.get("type") == kind
    ]
    return sorted(found, key=lambda e: str(e.get("created_at") or ""))


def _classic(obj: Mapping[str, Any], row: Row) -> None:
    """The classic GET /incidents shape: names from references, times from the log."""
    row["service_name"] = text(dig(obj, "service", "summary"))
    row["priority_name"] = text(dig(obj, "priority", "summary"))
    row["description"] = text(obj.get("title") or obj.get("description"))
    acks = [a.get("at") for a in obj.get("acknowledgements") or [] if a.get("at")]
    acks += [e.get("created_at") for e in _entries(obj, "acknowledge_log_entry")]
    if acks:
        row["acknowledged_at"] = text(min(acks, key=parse_time))
    resolved = obj.get("status") == "resolved"
    resolves = _entries(obj, "resolve_log_entry") if resolved else []
    if not obj.get("resolved_at") and resolved:
        last = resolves[-1].get("created_at") if resolves else None
        row["resolved_at"] = text(last or obj.get("last_status_change_at"))
    if resolved:
        agent = resolves[-1].get("agent") if resolves else obj.get("last_status_change_by")
        if isinstance(agent, dict) and agent.get("type") in ("user_reference", "user"):
            row["resolved_by_user_name"] = text(agent.get("summary"))
    row["team_name"] = text(dig((obj.get("teams") or [{}])[0], "summary"))


def to_row(obj: Mapping[str, Any], zone: str = DEFAULT_ZONE) -> Row:
    """An incident from the Analytics API (flat, times in `zone`, the body's `time_zone`) or
    the classic API (nested, times with a zone) as a CSV row."""
    row: Row = {k: text(v) for k, v in obj.items() if not isinstance(v, dict | list)}
    if "service" in obj:  # the classic GET /incidents shape
        _classic(obj, row)
    for k in _TIMES:
        if k in row:
            row[k] = zoned(row[k], zone)
    row.update(derive(row))
    return row


def body_zone(path: Path) -> str:
    """The `time_zone` an Analytics API body names (Etc/UTC when it names none), read by
    scanning the file rather than loading it: the key may come after a long `data` list."""
    found: set[str] = set()
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            found.update(m.group(1).decode() for m in _ZONE_KEY.finditer(tail + chunk))
            tail = chunk[-64:]
    if len(found) > 1:
        raise InputError(
            str(path),
            f"the file names several time zones: {', '.join(sorted(found))}",
            expected="one Analytics API response (one time_zone) per file",
            hint="import each response as a file of its own",
        )
    zone = found.pop() if found else DEFAULT_ZONE
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            str(path),
            "the body's time_zone is not a time zone",
            value=zone,
            expected="an IANA zone name such as Etc/UTC or America/New_York",
        ) from None
    return zone


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, _ = file_format(path)
    if fmt in ("json", "ndjson"):
        zone = body_zone(path) if fmt == "json" else DEFAULT_ZONE
        return RecordsReader(path, lambda obj: to_row(obj, zone), opts.encoding)
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
        zone = str(data.get("time_zone") or body["time_zone"])
        rows = [to_row(i, zone) for i in incidents]
        for row in rows:
            created = row.get("created_at")
            if not created:
                continue
            newest = max(newest or created, created)
            if not row.get("resolved_at"):
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

"""ServiceNow: incident, change_request, sc_req_item and problem records, from a list export
(CSV, Excel, JSON) or the Table API.

A CSV or Excel export holds display values ("1 - Critical", the CI's name, times in the
exporting user's zone); the presets read those. JSON from the Table API with
sysparm_display_value=all holds both, {"display_value", "value"}: `to_row` takes the display
value, as the CSV has it, except for date-times, whose `value` is UTC and so is written with
a Z: the API's times need no time-zone setting. Sync uses plain httpx against the Table API
(pysnow is unmaintained; the official SDKs are for Java and JavaScript).

The Table API's default answer holds raw values: times in UTC without a zone, choices as
numbers ("3"), and references as sys_ids ({"link", "value"}, or a bare sys_id with
sysparm_exclude_reference_link). `to_row` reads such a record's times as UTC; its references
stay sys_ids, which the presets' [must_map] refuses with what to do (export with display
values, or map each id), rather than creating services and people named by sys_ids.

The default incident list export has no resolved time. `prepare` then takes it from
opened_at + calendar_duration (ServiceNow's seconds from opened to resolved), else from
closed_at, and says so in the import summary; business_duration counts business hours only,
so opened + it would fall too early, and it is never used: a file with only it imports every
incident as open, and the summary says why (a wrong resolved time would pass unseen in
MTTR; an open incident is visibly one, and the summary names the column to add). ServiceNow stops a list export (and
a Table API answer without sysparm_limit) at 10,000 rows: a file of exactly that many gets a
warning that it was probably cut off.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from trustmeter.connectors._readers import ReadOptions, RecordsReader, Row, standard, text
from trustmeter.connectors.sync import Credentials, Cursors, Http, Page, SourceConfig, parse_time
from trustmeter.ingest import Mapping as MappingFile
from trustmeter.ingest.readers import Batch, Reader, file_format

DEFAULT_BASE_URL = ""
_UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
_SYS_ID = re.compile(r"^[0-9a-f]{32}$")
# Reference fields, which hold a sys_id in a raw answer with sysparm_exclude_reference_link.
REFERENCES = (
    "cmdb_ci",
    "business_service",
    "resolved_by",
    "caused_by",
    "problem_id",
    "assigned_to",
    "assignment_group",
    "caller_id",
    "opened_by",
    "closed_by",
)
# ServiceNow's default cap on a list export's rows (glide.ui.export.limit) and on a Table API
# answer without sysparm_limit.
EXPORT_LIMIT = 10_000
TABLES = {
    "incident": ("incidents", "servicenow-incidents"),
    "change_request": ("changes", "servicenow-changes"),
    "sc_req_item": ("work-items", "servicenow-requests"),
    "problem": ("work-items", "servicenow-problems"),
}


def raw_values(obj: Mapping[str, Any]) -> bool:
    """A Table API record with raw values (no sysparm_display_value): a reference without a
    display value, or a bare sys_id in a reference field."""
    for k, v in obj.items():
        if isinstance(v, dict) and "value" in v and "display_value" not in v:
            return True
        if k in REFERENCES and isinstance(v, str) and _SYS_ID.match(v):
            return True
    return False


def to_row(obj: Mapping[str, Any]) -> Row:
    row: Row = {}
    raw = raw_values(obj)
    for k, v in obj.items():
        if raw and isinstance(v, str) and _UTC_TIME.match(v):
            row[k] = v.replace(" ", "T") + "Z"  # a raw value's time is UTC
        elif isinstance(v, dict):
            value, shown = v.get("value"), v.get("display_value")
            if isinstance(value, str) and _UTC_TIME.match(value):
                row[k] = value.replace(" ", "T") + "Z"
            elif "display_value" in v:
                # A reference to a deleted record shows "": no name, not its sys_id.
                row[k] = text(shown) or None
            else:
                row[k] = text(value)
            for sk, sv in v.items():
                if not isinstance(sv, dict | list):
                    row[f"{k}.{sk}"] = text(sv)
        elif not isinstance(v, list):
            row[k] = text(v)
    return row


class Counted:
    """A reader that counts the file's rows, to warn when they stop at the export limit."""

    def __init__(self, inner: Reader) -> None:
        self.inner = inner
        self.rows = 0

    def header(self) -> list[str] | None:
        return self.inner.header()

    @property
    def delimiter(self) -> str | None:
        """The inner reader's, so the importer's wrong-delimiter hint still works."""
        return getattr(self.inner, "delimiter", None)

    @property
    def header_line(self) -> int:
        return int(getattr(self.inner, "header_line", 1))

    def batches(self) -> Iterator[Batch]:
        for b in self.inner.batches():
            self.rows += len(b)
            yield b

    def notes(self) -> list[str]:
        said = getattr(self.inner, "notes", None)
        out: list[str] = list(said()) if callable(said) else []
        if self.rows == EXPORT_LIMIT:
            out.append(
                f"warning: exactly {EXPORT_LIMIT:,} rows, probably cut off at ServiceNow's "
                "export limit (glide.ui.export.limit; sysparm_limit for the Table API): export "
                "shorter date ranges and import the files together, or use `trustmeter sync`"
            )
        return out

    def bytes_read(self) -> int:
        return self.inner.bytes_read()

    def close(self) -> None:
        self.inner.close()


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, _ = file_format(path)
    if fmt in ("json", "ndjson"):
        return Counted(RecordsReader(path, to_row, opts.encoding))
    return Counted(standard(path, opts))


_DURATIONS = ("calendar_duration", "Duration")
_CLOSED = ("closed_at", "Closed")
# Working-hours durations: never a way to the resolved time (see `prepare`).
_BUSINESS = ("business_duration", "Business duration")


def prepare(mapping: MappingFile, columns: Sequence[str], path: Path) -> MappingFile:
    """An incident export without a resolved time (the default list export has none): take it
    from opened_at + calendar_duration, else from closed_at, and say which in the summary."""
    have = {c.casefold(): c for c in columns}
    if mapping.columns.get("resolved_at", "").casefold() in have:
        return mapping
    columns_ = {k: v for k, v in mapping.columns.items() if k != "resolved_at"}
    duration = next((have[c.casefold()] for c in _DURATIONS if c.casefold() in have), None)
    if duration is not None:
        return replace(
            mapping,
            columns=columns_,
            derive={**mapping.derive, "resolved_at": f"opened_at + {duration}"},
            notes=(
                *mapping.notes,
                f"the export has no resolved time: resolved_at is opened_at + {duration} "
                "(ServiceNow's seconds from opened to resolved)",
            ),
        )
    closed = next((have[c.casefold()] for c in _CLOSED if c.casefold() in have), None)
    if closed is not None:
        return replace(
            mapping,
            columns={**columns_, "resolved_at": closed},
            notes=(
                *mapping.notes,
                f"the export has no resolved time: resolved_at is {closed}, when the incident "
                "was closed, which is often days after service was restored; add the Resolved "
                "column (resolved_at) or calendar_duration to the export for true times",
            ),
        )
    business = next((have[c.casefold()] for c in _BUSINESS if c.casefold() in have), None)
    why = (
        f"; {business} is not used: it counts working hours only, so opened + it falls "
        "before the real resolution (a ticket open over a weekend would look resolved "
        "two days early)"
        if business is not None
        else ""
    )
    return replace(
        mapping,
        columns=columns_,
        notes=(
            *mapping.notes,
            "the export has no resolved time (resolved_at, calendar_duration or closed_at): "
            "every incident is imported as still open" + why + "; add the Resolved column "
            "(or calendar_duration) to the list view and export again",
        ),
    )


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], tuple[str, str] | None]:
    """A user with the itil role (or read access to the tables): user and password, or an
    OAuth bearer token."""
    if creds.user:
        return {"Accept": "application/json"}, (creds.user, creds.require("password"))
    return {"Accept": "application/json", "Authorization": f"Bearer {creds.require('token')}"}, None


# The earliest UTC offset a ServiceNow user's zone can have: a query written that many hours
# early misses nothing whatever the zone.
_WESTMOST = dt.timedelta(hours=12)
_OVERLAP = dt.timedelta(minutes=5)


def query_time(since: str, timezone: str | None) -> str:
    """The cursor as an encoded query's date-time. ServiceNow reads those in the API user's
    time zone, not UTC: in that zone (options.timezone) with a few minutes' overlap, else 12
    hours early, so no update is skipped; records read twice are upserted unchanged."""
    at = parse_time(since)
    if timezone:
        local = at.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(timezone))
        at = local.replace(tzinfo=None) - _OVERLAP
    else:
        at -= _WESTMOST
    return at.strftime("%Y-%m-%d %H:%M:%S")


def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """Each table in options.tables (default: incident and change_request), records updated
    since the cursor, oldest first, paged with sysparm_offset."""
    tables = source.options.get("tables", ["incident", "change_request"])
    size = int(source.options.get("page_size", 100))
    for table in tables:
        if table not in TABLES:
            from trustmeter.errors import ConfigError

            raise ConfigError(
                f"[sources.{source.name}] tables: {table!r} is not one of {', '.join(TABLES)}"
            )
        kind, preset = TABLES[table]
        cursor = cursors.get(table, {})
        since = cursor.get("since") or source.since()
        offset = int(cursor.get("offset", 0))
        newest = cursor.get("newest") or since
        stamp = query_time(since, source.options.get("timezone"))
        query = f"sys_updated_on>={stamp}^ORDERBYsys_updated_on"
        if source.options.get(f"{table}_query"):
            query = f"{source.options[f'{table}_query']}^{query}"
        while True:
            data = http.get_json(
                f"/api/now/table/{table}",
                {
                    "sysparm_query": query,
                    "sysparm_display_value": "all",
                    "sysparm_exclude_reference_link": "true",
                    "sysparm_limit": size,
                    "sysparm_offset": offset,
                },
            )
            records = data.get("result") or []
            rows = [to_row(r) for r in records]
            for r in rows:
                if r.get("sys_updated_on"):
                    newest = max(newest, r["sys_updated_on"] or newest, key=parse_time)
            offset += len(records)
            more = len(records) == size
            state = (
                {"since": since, "offset": offset, "newest": newest} if more else {"since": newest}
            )
            yield Page(kind, preset, rows, state, stream=table)
            if not more:
                break

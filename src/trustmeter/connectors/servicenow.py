"""ServiceNow: incident, change_request, sc_req_item and problem records, from a list export
(CSV, Excel, JSON) or the Table API.

A CSV or Excel export holds display values ("1 - Critical", the CI's name, times in the
exporting user's zone); the presets read those. JSON from the Table API with
sysparm_display_value=all holds both, {"display_value", "value"}: `to_row` takes the display
value, as the CSV has it, except for date-times, whose `value` is UTC and so is written with
a Z: the API's times need no time-zone setting. Sync uses plain httpx against the Table API
(pysnow is unmaintained; the official SDKs are for Java and JavaScript).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from trustmeter.connectors._ingest import Reader, file_format
from trustmeter.connectors._readers import ReadOptions, RecordsReader, Row, standard, text
from trustmeter.connectors.sync import Credentials, Cursors, Http, Page, SourceConfig, parse_time

DEFAULT_BASE_URL = ""
_UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
TABLES = {
    "incident": ("incidents", "servicenow-incidents"),
    "change_request": ("changes", "servicenow-changes"),
    "sc_req_item": ("work-items", "servicenow-requests"),
    "problem": ("work-items", "servicenow-problems"),
}


def to_row(obj: Mapping[str, Any]) -> Row:
    row: Row = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            value, shown = v.get("value"), v.get("display_value")
            if isinstance(value, str) and _UTC_TIME.match(value):
                row[k] = value.replace(" ", "T") + "Z"
            else:
                row[k] = text(shown if shown not in (None, "") else value)
            for sk, sv in v.items():
                if not isinstance(sv, dict | list):
                    row[f"{k}.{sk}"] = text(sv)
        elif not isinstance(v, list):
            row[k] = text(v)
    return row


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, _ = file_format(path)
    if fmt in ("json", "ndjson"):
        return RecordsReader(path, to_row, opts.encoding)
    return standard(path, opts)


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], tuple[str, str] | None]:
    """A user with the itil role (or read access to the tables): user and password, or an
    OAuth bearer token."""
    if creds.user:
        return {"Accept": "application/json"}, (creds.user, creds.require("password"))
    return {"Accept": "application/json", "Authorization": f"Bearer {creds.require('token')}"}, None


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
        stamp = parse_time(since).strftime("%Y-%m-%d %H:%M:%S")
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

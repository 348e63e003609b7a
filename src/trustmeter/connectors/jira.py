"""Jira Software and Jira Service Management: issues from the CSV export or the REST API.

The CSV export ("Export › CSV (all fields)") names columns by their labels ("Issue key",
"Issue Type", "Created", "Resolved") and repeats a label for every value of a multi-value field
("Labels", "Sprint"); the reader numbers the repeats ("Labels (2)") instead of refusing the
file. "Time Spent" is in seconds and becomes "Time Spent (hours)".

The API gives each issue as {"key", "fields": {...}, "changelog": {...}}; `to_row` writes it in
the CSV's vocabulary, so both routes go through the same preset. The changelog adds what the
export lacks: "Started", the first move into an in-progress status. Sync uses plain httpx
rather than the `jira` client library: we need two read endpoints, and the library brings its
own session handling that would hide the transport our recorded tests replace.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import partial
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
from trustmeter.connectors.jira_sprints import sprints
from trustmeter.connectors.sync import (
    Credentials,
    Cursors,
    Http,
    Page,
    SourceConfig,
    iso,
    known_zone,
    parse_time,
    wall_clock,
)
from trustmeter.errors import InputError
from trustmeter.ingest.readers import Batch, DelimitedReader, Reader, file_format

PRESET = "jira-work-items"
DERIVED = ("Time Spent (hours)", "Done")
DEFAULT_BASE_URL = ""


class CsvReader(DelimitedReader):
    """Jira's CSV: a label repeated for each value of a multi-value field gets a number."""

    def _read_header(self) -> list[str]:
        row: list[str] = []
        while not any(row):
            try:
                row = self._next()
            except StopIteration:
                raise InputError(
                    str(self.path), "the file is empty: it has no header line", line=1
                ) from None
        self.header_line = self.reader.line_num
        seen: dict[str, int] = {}
        names = []
        for i, c in enumerate(row):
            name = c.strip() or f"(column {i + 1})"
            n = seen.get(name.casefold(), 0) + 1
            seen[name.casefold()] = n
            names.append(name if n == 1 else f"{name} ({n})")
        return names

    def batches(self) -> Iterator[Batch]:
        for b in super().batches():
            if TITLE in b.columns:
                b.columns[TITLE] = [without_nul(v) for v in b.columns[TITLE]]
            yield b


TITLE = "Summary"


def without_nul(value: str | None) -> str | None:
    """A title as Jira stores it, minus NUL characters: Jira accepts them in a summary (the
    real sample has one), and one stray NUL must not refuse the whole file. Only the title is
    cleaned, so a UTF-16 file read as UTF-8 is still caught by the importer elsewhere."""
    return value.replace("\x00", "") if value else value


def derive(row: Row) -> Row:
    spent = (row.get("Time Spent") or "").strip()
    try:
        hours = None if not spent else str(round(float(spent) / 3600, 4))
    except ValueError:
        hours = spent  # the importer names the bad value
    done = row.get("Resolved") or None
    if not done and (row.get("Status Category") or "").strip().casefold() == "done":
        done = row.get("Status Category Changed") or None
    return {"Time Spent (hours)": hours, "Done": done}


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, compression = file_format(path)
    if fmt in ("json", "ndjson"):
        return RecordsReader(
            path, partial(to_row, names=dump_names(path, compression)), opts.encoding
        )
    if fmt in ("csv", "tsv"):
        d = opts.delimiter or ("\t" if fmt == "tsv" else ",")
        inner: Reader = CsvReader(path, compression, d, opts.encoding, 20_000)
    else:
        inner = standard(path, opts)
    needs = {"Time Spent (hours)": ["Time Spent"], "Done": ["Resolved", "Status Category Changed"]}
    return DerivedReader(inner, DERIVED, derive, needs)


NAMES_LIMIT = 64 * 1024 * 1024


def dump_names(path: Path, compression: str | None) -> dict[str, str]:
    """Custom field names from a saved search response made with `expand=names` (its
    top-level "names": {"customfield_10050": "Team"}), so that a dump's custom fields are
    matched by name as sync's are. Large or compressed files are not read twice for it."""
    if compression or path.stat().st_size > NAMES_LIMIT:
        return {}
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, OSError):
        return {}  # the reader itself reports what is wrong with the file
    names = data.get("names") if isinstance(data, dict) else None
    if not isinstance(names, dict):
        return {}
    return {str(k): str(v) for k, v in names.items() if str(k).startswith("customfield_")}


# Without the site's status list (a JSON dump read as a file), these names mean "started".
IN_PROGRESS = {"in progress", "in review", "in development", "doing", "work in progress"}


def started(issue: Mapping[str, Any], in_progress: set[str]) -> str | None:
    """When the issue first moved into an in-progress status (Jira's "indeterminate" category,
    or, without the site's status list, one of the usual in-progress names)."""
    in_progress = in_progress or IN_PROGRESS
    histories = dig(issue, "changelog", "histories") or []
    for h in sorted(histories, key=lambda h: h.get("created") or ""):
        for item in h.get("items") or []:
            if item.get("field") == "status" and (
                str(item.get("to")) in in_progress
                or str(item.get("toString")) in in_progress
                or str(item.get("toString")).casefold() in in_progress
            ):
                return text(h.get("created"))
    return None


def done_by_status(issue: Mapping[str, Any], done: set[str]) -> str | None:
    """When an issue whose status is in the Done category got there, for issues with no
    resolution date (a workflow that never sets a resolution): Jira Cloud's
    statuscategorychangedate, else the last move into a done status in the changelog. `done`
    holds the site's Done-category status ids and names; without it (a file), only the
    issue's own status is known to be done."""
    f = issue.get("fields") or {}
    status = f.get("status") or {}
    current = {str(status.get("id")), str(status.get("name"))}
    if dig(status, "statusCategory", "key") != "done" and not (current & done):
        return None
    if f.get("statuscategorychangedate"):
        return text(f.get("statuscategorychangedate"))
    known = done or current

    def is_done(item: Mapping[str, Any], side: str) -> bool:
        return str(item.get(side)) in known or str(item.get(f"{side}String")) in known

    last = None
    for h in sorted(
        dig(issue, "changelog", "histories") or [], key=lambda h: h.get("created") or ""
    ):
        for item in h.get("items") or []:
            if item.get("field") == "status" and is_done(item, "to") and not is_done(item, "from"):
                last = text(h.get("created"))
    return last


def field_value(v: Any) -> str | None:
    """A custom field's value as the CSV export writes it: an option's value, a team's or
    sprint's name, a list joined by commas."""
    if isinstance(v, list):
        parts = [field_value(x) for x in v]
        return ", ".join(p for p in parts if p) or None
    if isinstance(v, dict):
        for key in ("value", "name", "title", "displayName"):
            if v.get(key) is not None:
                return text(v.get(key))
        return None
    return text(v)


def to_row(
    issue: Mapping[str, Any],
    in_progress: set[str] | None = None,
    names: Mapping[str, str] | None = None,
    done: set[str] | None = None,
) -> Row:
    """An issue from the REST API as a row of the CSV export. `names` (custom field id →
    name, from GET /field) names custom fields as the CSV does ("Custom field (Team)"), so the
    preset matches them by name; without it they keep their ids."""
    f = issue.get("fields") or {}
    resolved = text(f.get("resolutiondate"))
    row: Row = {
        "Issue key": text(issue.get("key")),
        "Issue id": text(issue.get("id")),
        "Issue Type": text(dig(f, "issuetype", "name")),
        "Status": text(dig(f, "status", "name")),
        "Priority": text(dig(f, "priority", "name")),
        "Summary": without_nul(text(f.get("summary"))),
        "Created": text(f.get("created")),
        "Updated": text(f.get("updated")),
        "Resolved": resolved,
        "Done": resolved or done_by_status(issue, done or set()),
        "Due date": text(f.get("duedate")),
        "Time Spent": text(f.get("timespent")),
        "Assignee": text(dig(f, "assignee", "displayName")),
        "Project key": text(dig(f, "project", "key")),
        "Started": started(issue, in_progress or set()),
    }
    for k, v in f.items():  # custom fields as the CSV names them
        if k.startswith("customfield_") and v is not None and (value := field_value(v)):
            row[f"Custom field ({(names or {}).get(k, k)})"] = value
    row["Time Spent (hours)"] = derive(row)["Time Spent (hours)"]
    return row


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], tuple[str, str] | None]:
    """Jira Cloud: the account's email as user and an API token; Data Center: a personal
    access token alone (sent as a bearer token)."""
    if creds.user:
        return {"Accept": "application/json"}, (creds.user, creds.require("token"))
    return {"Accept": "application/json", "Authorization": f"Bearer {creds.require('token')}"}, None


def _statuses(http: Http, api: str) -> tuple[set[str], set[str]]:
    """The site's in-progress and done statuses (ids and names), by status category."""
    statuses = http.get_json(f"{api}/status")

    def of(category: str) -> set[str]:
        return {
            str(s.get(k))
            for s in statuses
            if dig(s, "statusCategory", "key") == category
            for k in ("id", "name")
        }

    return of("indeterminate"), of("done")


def field_names(http: Http, api: str) -> dict[str, str]:
    """Custom field id → name (GET /field, once per sync): the API names custom fields by id,
    the CSV export and the preset by name."""
    fields = http.get_json(f"{api}/field")
    return {
        str(x["id"]): str(x["name"])
        for x in fields or []
        if isinstance(x, dict) and str(x.get("id", "")).startswith("customfield_") and x.get("name")
    }


def api_zone(http: Http, api: str, source: SourceConfig) -> str | None:
    """The zone Jira reads JQL dates in: the API user's (GET /myself, timeZone), else
    options.timezone, else None (unknown)."""
    me = http.get_json(f"{api}/myself")
    return known_zone(me.get("timeZone") if isinstance(me, dict) else None) or known_zone(
        source.options.get("timezone")
    )


def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """Issues updated since the cursor, with their changelogs, oldest update first.

    Jira Cloud pages `/rest/api/3/search/jql` with nextPageToken; Data Center (options.api =
    "2") pages `/rest/api/2/search` with startAt. JQL reads dates in the API user's zone and
    to the minute, so the query starts at the cursor written in that zone (GET /myself)
    less an overlap (options.overlap_minutes, default 10, which also covers the search
    index's lag). The cursor is the newest `updated` seen, with the issues updated within the
    overlap before it: when the next run meets one of them unchanged, it is skipped, so the
    overlap writes and counts nothing twice.
    """
    version = str(source.options.get("api", "3"))
    api = f"/rest/api/{version}"
    cursor = cursors.get("issues", {})
    since = cursor.get("since") or source.since()
    overlap = dt.timedelta(minutes=float(source.options.get("overlap_minutes", 10)))
    scope = source.options.get("jql")
    in_progress, done = _statuses(http, api)
    names = field_names(http, api)
    when = wall_clock(parse_time(since), api_zone(http, api, source), overlap)
    jql = f'updated >= "{when}"' + (f" AND ({scope})" if scope else "") + " ORDER BY updated ASC"
    seen_before: dict[str, str] = dict(cursor.get("seen", {}))
    seen: dict[str, str] = dict(cursor.get("seen_now", {}))
    token = cursor.get("next")
    start = int(cursor.get("start_at", 0))
    newest = cursor.get("newest")
    size = int(source.options.get("page_size", 100))
    while True:
        params: dict[str, Any] = {
            "jql": jql,
            "maxResults": size,
            "expand": "changelog",
            "fields": "*all",
        }
        if version == "2":
            params["startAt"] = start
            data = http.get_json(f"{api}/search", params)
        else:
            if token:
                params["nextPageToken"] = token
            data = http.get_json(f"{api}/search/jql", params)
        issues = data.get("issues") or []
        fresh = [
            i for i in issues if seen_before.get(str(i.get("key"))) != dig(i, "fields", "updated")
        ]
        rows = [to_row(i, in_progress, names, done) for i in fresh]
        for i in issues:
            u = dig(i, "fields", "updated")
            if u:
                newest = max(newest or u, u, key=lambda t: parse_time(t))
                seen[str(i.get("key"))] = str(u)
        if newest:  # only the overlap's worth of keys is kept
            edge = parse_time(newest) - overlap
            seen = {k: u for k, u in seen.items() if parse_time(u) >= edge}
        if version == "2":
            start += len(issues)
            more = bool(issues) and start < int(data.get("total", 0))
            state: dict[str, Any] = {"since": since, "start_at": start, "newest": newest}
        else:
            token = data.get("nextPageToken")
            more = bool(token) and not data.get("isLast", False) and bool(issues)
            state = {"since": since, "next": token, "newest": newest}
        state |= {"seen": seen_before, "seen_now": seen}
        if not more:
            last = parse_time(newest) if newest else parse_time(since)
            keep = {**seen_before, **seen}
            state = {
                "since": iso(last),
                "seen": {k: u for k, u in keep.items() if parse_time(u) >= last - overlap},
            }
        yield Page("work-items", PRESET, rows, state, stream="issues")
        if not more:
            break
    yield from sprints(http, source, cursors, names)

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

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from trustmeter.connectors._ingest import DelimitedReader, Reader, file_format
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

PRESET = "jira-work-items"
SPRINTS = "jira-sprints"
DERIVED = ("Time Spent (hours)",)
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


def derive(row: Row) -> Row:
    spent = (row.get("Time Spent") or "").strip()
    try:
        hours = None if not spent else str(round(float(spent) / 3600, 4))
    except ValueError:
        hours = spent  # the importer names the bad value
    return {"Time Spent (hours)": hours}


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, compression = file_format(path)
    if fmt in ("json", "ndjson"):
        return RecordsReader(path, to_row, opts.encoding)
    if fmt in ("csv", "tsv"):
        d = opts.delimiter or ("\t" if fmt == "tsv" else ",")
        inner: Reader = CsvReader(path, compression, d, opts.encoding, 20_000)
    else:
        inner = standard(path, opts)
    return DerivedReader(inner, DERIVED, derive, {"Time Spent (hours)": ["Time Spent"]})


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


def to_row(issue: Mapping[str, Any], in_progress: set[str] | None = None) -> Row:
    """An issue from the REST API as a row of the CSV export."""
    f = issue.get("fields") or {}
    row: Row = {
        "Issue key": text(issue.get("key")),
        "Issue id": text(issue.get("id")),
        "Issue Type": text(dig(f, "issuetype", "name")),
        "Status": text(dig(f, "status", "name")),
        "Priority": text(dig(f, "priority", "name")),
        "Summary": text(f.get("summary")),
        "Created": text(f.get("created")),
        "Updated": text(f.get("updated")),
        "Resolved": text(f.get("resolutiondate")),
        "Due date": text(f.get("duedate")),
        "Time Spent": text(f.get("timespent")),
        "Assignee": text(dig(f, "assignee", "displayName")),
        "Project key": text(dig(f, "project", "key")),
        "Started": started(issue, in_progress or set()),
    }
    for k, v in f.items():  # custom fields as the CSV names them, where they are plain values
        if k.startswith("customfield_") and isinstance(v, str | int | float):
            row[f"Custom field ({k})"] = text(v)
        elif k.startswith("customfield_") and isinstance(v, dict) and "value" in v:
            row[f"Custom field ({k})"] = text(v.get("value"))
    row.update(derive(row))
    return row


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], tuple[str, str] | None]:
    """Jira Cloud: the account's email as user and an API token; Data Center: a personal
    access token alone (sent as a bearer token)."""
    if creds.user:
        return {"Accept": "application/json"}, (creds.user, creds.require("token"))
    return {"Accept": "application/json", "Authorization": f"Bearer {creds.require('token')}"}, None


def _in_progress(http: Http, api: str) -> set[str]:
    statuses = http.get_json(f"{api}/status")
    return {
        str(s.get(k))
        for s in statuses
        if dig(s, "statusCategory", "key") == "indeterminate"
        for k in ("id", "name")
    }


def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """Issues updated since the cursor, with their changelogs, oldest update first.

    Jira Cloud pages `/rest/api/3/search/jql` with nextPageToken; Data Center (options.api =
    "2") pages `/rest/api/2/search` with startAt. The cursor after a run is the newest
    `updated` seen, minus a minute (JQL compares to the minute).
    """
    version = str(source.options.get("api", "3"))
    api = f"/rest/api/{version}"
    cursor = cursors.get("issues", {})
    since = cursor.get("since") or source.since()
    scope = source.options.get("jql")
    when = parse_time(since).strftime("%Y/%m/%d %H:%M")
    jql = f'updated >= "{when}"' + (f" AND ({scope})" if scope else "") + " ORDER BY updated ASC"
    in_progress = _in_progress(http, api)
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
        rows = [to_row(i, in_progress) for i in issues]
        for i in issues:
            u = dig(i, "fields", "updated")
            if u:
                newest = max(newest or u, u, key=lambda t: parse_time(t))
        if version == "2":
            start += len(issues)
            more = bool(issues) and start < int(data.get("total", 0))
            state: dict[str, Any] = {"since": since, "start_at": start, "newest": newest}
        else:
            token = data.get("nextPageToken")
            more = bool(token) and not data.get("isLast", False) and bool(issues)
            state = {"since": since, "next": token, "newest": newest}
        if not more:
            last = parse_time(newest) if newest else parse_time(since)
            state = {"since": iso(last.replace(second=0))}
        yield Page("work-items", PRESET, rows, state, stream="issues")
        if not more:
            break
    yield from sprints(http, source, cursors)


# -- sprints (Jira Software boards) ---------------------------------------------------------
def _sprint_ids(value: str | None) -> set[str]:
    """The sprint ids in a changelog item's `from`/`to` ("37, 38" or "37")."""
    return {x.strip() for x in str(value or "").split(",") if x.strip()}


def committed_at_start(issue: Mapping[str, Any], sprint_id: str, start: str) -> bool:
    """Whether the issue was in the sprint when it started: added no later than the start, or
    never moved into it at all (then it was there from its creation, before the start)."""
    begin = parse_time(start)
    added: list[str] = []
    for h in dig(issue, "changelog", "histories") or []:
        for item in h.get("items") or []:
            if (
                str(item.get("field")).lower() == "sprint"
                and sprint_id in _sprint_ids(item.get("to"))
                and sprint_id not in _sprint_ids(item.get("from"))
            ):
                added.append(str(h.get("created")))
    if added:
        return min(parse_time(a) for a in added) <= begin
    created = dig(issue, "fields", "created")
    return bool(created) and parse_time(str(created)) <= begin


def sprint_row(
    sprint: Mapping[str, Any], issues: list[Mapping[str, Any]], board: str, points: str | None
) -> Row:
    """A closed sprint as a commitment: the scope in it at its start, and how much of that
    scope was resolved by the time the sprint was completed (story points, else issues)."""
    sid = str(sprint.get("id"))
    start, done = sprint.get("startDate"), sprint.get("completeDate") or sprint.get("endDate")
    committed = delivered = 0.0
    for i in issues:
        if not start or not committed_at_start(i, sid, str(start)):
            continue
        weight = 1.0
        if points:
            raw = dig(i, "fields", points)
            weight = float(raw) if isinstance(raw, int | float) else 0.0
        committed += weight
        resolved = dig(i, "fields", "resolutiondate")
        if resolved and done and parse_time(str(resolved)) <= parse_time(str(done)):
            delivered += weight
    return {
        "Sprint id": f"{board}/{sid}",
        "Sprint": text(sprint.get("name")),
        "State": text(sprint.get("state")),
        "Start date": text(start),
        "End date": text(sprint.get("endDate")),
        "Complete date": text(sprint.get("completeDate")),
        "Committed": text(committed),
        "Completed": text(delivered),
        "Board": board,
    }


def sprints(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """Closed sprints of each board in options.boards, one page per board. A sprint closes
    once, so the cursor is the ids already written."""
    points = source.options.get("story_points_field")
    for board in source.options.get("boards", []):
        stream = f"sprints:{board}"
        done_ids = set(cursors.get(stream, {}).get("done", []))
        start_at = 0
        rows: list[Row] = []
        while True:
            data = http.get_json(
                f"/rest/agile/1.0/board/{board}/sprint",
                {"state": "closed", "startAt": start_at, "maxResults": 50},
            )
            values = data.get("values") or []
            for sp in values:
                if str(sp.get("id")) in done_ids:
                    continue
                issues: list[Mapping[str, Any]] = []
                at = 0
                while True:
                    page = http.get_json(
                        f"/rest/agile/1.0/board/{board}/sprint/{sp['id']}/issue",
                        {
                            "startAt": at,
                            "maxResults": 100,
                            "expand": "changelog",
                            "fields": ",".join(
                                f for f in ("created", "resolutiondate", points) if f
                            ),
                        },
                    )
                    got = page.get("issues") or []
                    issues += got
                    at += len(got)
                    if not got or at >= int(page.get("total", 0)):
                        break
                rows.append(sprint_row(sp, issues, str(board), points))
                done_ids.add(str(sp.get("id")))
            start_at += len(values)
            if data.get("isLast", True) or not values:
                break
        yield Page("commitments", SPRINTS, rows, {"done": sorted(done_ids)}, stream=stream)

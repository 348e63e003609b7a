"""Jira Software boards: closed sprints as commitments (the jira-sprints preset), fetched by
`trustmeter sync` after the issues (jira.sync). A sprint's committed scope is what was in it
when it started, from each issue's changelog; its delivered scope what of that was resolved by
the time the sprint was completed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from trustmeter.connectors._readers import Row, dig, text
from trustmeter.connectors.sync import Cursors, Http, Page, SourceConfig, parse_time
from trustmeter.errors import ConfigError

SPRINTS = "jira-sprints"


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


def points_field(source: SourceConfig, names: Mapping[str, str]) -> str | None:
    """options.story_points_field as the API names it: a field id ("customfield_10016") as
    is, or the field's name as people know it ("Story point estimate"), found in the site's
    field list."""
    wanted = source.options.get("story_points_field")
    if not wanted or str(wanted).startswith("customfield_"):
        return str(wanted) if wanted else None
    by_name = {n.casefold(): fid for fid, n in names.items()}
    if str(wanted).casefold() in by_name:
        return by_name[str(wanted).casefold()]
    near = ", ".join(repr(n) for n in sorted(names.values()) if "point" in n.casefold())
    raise ConfigError(
        f"[sources.{source.name}] story_points_field = {wanted!r} is not a field of this site"
        + (f"; fields about points: {near}" if near else "")
    )


def sprints(
    http: Http, source: SourceConfig, cursors: Cursors, names: Mapping[str, str] | None = None
) -> Iterator[Page]:
    """Closed sprints of each board in options.boards, one page per board. A sprint closes
    once, so the cursor is the ids already written. `names` is the site's custom field id →
    name (jira.field_names), for a story points field given by name."""
    points = points_field(source, names or {})
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

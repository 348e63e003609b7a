"""iCalendar (.ics) meetings as engagements: the calendar of the person who meets the business
(a business relationship manager, the CIO), exported from Outlook, Google Calendar or any
CalDAV server, so that engagements are counted without anyone keeping a log.

We read .ics with the `icalendar` package (RFC 5545, actively maintained, pure Python, already
handles line folding, parameters and time zones) and expand recurring meetings with
python-dateutil's rrule, which icalendar deliberately leaves to others. A hand-written parser
would have to get folding, escaping and VTIMEZONE right; that is where .ics readers fail.

Each meeting that has happened becomes one engagement per business attendee: the calendar's
owner is the IT side (X-WR-CALNAME when it is an address, else the address found in most
events), and the meeting was initiated by IT when the owner organised it. Cancelled meetings,
declined invitations and rooms are left out; future occurrences are not engagements yet.
The kind comes from the meeting's category, else from words in its title (steering, review,
planning, advice, escalation, incident, request).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dateutil.rrule import rrulestr

from trustmeter.connectors._readers import ReadOptions, Row, RowsReader
from trustmeter.connectors.sync import iso
from trustmeter.errors import InputError
from trustmeter.ingest.readers import Reader

MAX_OCCURRENCES = 2000
_KEYWORDS = (
    (r"steer", "steering"),
    (r"\bqbr\b|review|retro", "review"),
    (r"plan|roadmap|budget", "planning"),
    (r"advi[cs]e|consult|workshop|idea", "advice"),
    (r"escalat|complain", "escalation"),
    (r"incident|outage|post.?mortem|major", "incident"),
    (r"request|help|support|access", "request"),
)


def _address(v: Any) -> str | None:
    s = str(v or "").strip()
    if s.lower().startswith("mailto:"):
        s = s[7:]
    return s.lower() or None


def _utc(v: Any) -> str:
    """DTSTART as the importer's text: UTC with Z, or a zoneless local time, or a date."""
    if isinstance(v, dt.datetime):
        return iso(v) if v.tzinfo is not None else v.replace(microsecond=0).isoformat()
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def _kind(categories: list[str], summary: str) -> str | None:
    for c in categories:
        if c.strip():
            return c.strip()
    low = summary.casefold()
    for pattern, kind in _KEYWORDS:
        if re.search(pattern, low):
            return kind
    return None


def _lines(path: Path) -> list[int]:
    """The line of each BEGIN:VEVENT, in file order, for error messages and origins."""
    out = []
    with path.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            if raw.strip().upper() == b"BEGIN:VEVENT":
                out.append(n)
    return out


def _occurrences(ev: Any, now: dt.datetime, overridden: set[Any]) -> Iterator[Any]:
    start = ev.get("DTSTART").dt
    rule = ev.get("RRULE")
    if rule is None:
        yield start
        return
    is_date = not isinstance(start, dt.datetime)
    base = dt.datetime.combine(start, dt.time()) if is_date else start
    rr = rrulestr(rule.to_ical().decode(), dtstart=base)
    excluded: set[Any] = set()
    for ex in ev.get("EXDATE", []) if isinstance(ev.get("EXDATE"), list) else [ev.get("EXDATE")]:
        if ex is not None:
            excluded.update(d.dt for d in ex.dts)
    limit = now.replace(tzinfo=base.tzinfo) if base.tzinfo is None else now.astimezone(base.tzinfo)
    for n, when in enumerate(rr):
        if when > limit or n >= MAX_OCCURRENCES:
            return
        if when in excluded or when in overridden:
            continue
        yield when.date() if is_date else when


def rows(path: Path, now: dt.datetime | None = None) -> Iterator[tuple[int, Row]]:
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
    except ValueError as exc:
        raise InputError(
            str(path),
            f"not a valid iCalendar file: {exc}",
            expected="an .ics export (BEGIN:VCALENDAR …)",
        ) from None
    now = now or dt.datetime.now(dt.UTC)
    events = list(cal.walk("VEVENT"))
    starts = _lines(path)
    owner = _address(cal.get("X-WR-CALNAME"))
    if not owner or "@" not in owner:
        seen: Counter[str] = Counter()
        for ev in events:
            people = {_address(ev.get("ORGANIZER"))} | {
                _address(a) for a in _list(ev.get("ATTENDEE"))
            }
            seen.update(p for p in people if p)
        owner = seen.most_common(1)[0][0] if seen else None
    overridden: dict[str, set[Any]] = {}
    for ev in events:
        if ev.get("RECURRENCE-ID") is not None:
            overridden.setdefault(str(ev.get("UID")), set()).add(ev.get("RECURRENCE-ID").dt)
    for n, ev in enumerate(events):
        line = starts[n] if n < len(starts) else 0
        if str(ev.get("STATUS", "")).upper() == "CANCELLED" or ev.get("DTSTART") is None:
            continue
        uid = str(ev.get("UID") or f"event-{line}")
        summary = str(ev.get("SUMMARY") or "")
        cats = [str(c) for cl in _list(ev.get("CATEGORIES")) for c in getattr(cl, "cats", [cl])]
        organizer = _address(ev.get("ORGANIZER"))
        attendees = [
            a
            for a in _list(ev.get("ATTENDEE"))
            if str(a.params.get("PARTSTAT", "")).upper() != "DECLINED"
            and str(a.params.get("CUTYPE", "INDIVIDUAL")).upper() in ("INDIVIDUAL", "")
        ]
        guests = [p for p in dict.fromkeys(_address(a) for a in attendees) if p and p != owner]
        if not guests and organizer and organizer != owner:
            guests = [organizer]
        skip = overridden.get(uid, set()) if ev.get("RECURRENCE-ID") is None else set()
        for when in _occurrences(ev, now, skip):
            start = _utc(when)
            for person in guests:
                yield (
                    line,
                    {
                        "id": f"{uid}/{start}/{person}",
                        "start": start,
                        "summary": summary,
                        "categories": ", ".join(cats) or None,
                        "kind": _kind(cats, summary),
                        "organizer": organizer,
                        "attendee": person,
                        "initiated_by": "it" if organizer and organizer == owner else "business",
                    },
                )


def _list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def reader(path: Path, opts: ReadOptions) -> Reader:
    if path.suffix.lower() not in (".ics", ".ical", ".ifb"):
        raise InputError(str(path), "this format reads iCalendar files", expected="an .ics file")
    return RowsReader(rows(path), path.stat().st_size)

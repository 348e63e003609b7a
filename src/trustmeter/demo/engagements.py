"""Engagements: the relationship owners' Outlook calendars, Sales courted and Operations neglected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from trustmeter.demo.context import BUSINESS, Demo, lerp, local, weighted
from trustmeter.demo.organisation import (
    BUSINESS_UNITS,
    DOMAIN,
    NEGLECTED,
    RELATIONSHIP_OWNER,
    TZ,
    TZ_NAME,
    WELL_SERVED,
)


def write_engagements(demo: Demo) -> None:
    rng = demo.rng("engagements")
    events: list[
        tuple[datetime, str, str, str, str]
    ] = []  # when, stakeholder, unit, category, organiser

    def meet(email: str, unit: str, d: date, category: str, it_side: bool) -> None:
        while d.weekday() >= 5:
            d += timedelta(days=1)
        if d >= demo.today:
            return
        at = local(d, rng.choice((9, 9.5, 10, 11, 13, 14, 14.5, 15, 16)))
        events.append((at, email, unit, category, "IT" if it_side else unit))

    def every(
        email: str,
        unit: str,
        gap: tuple[float, float],
        kinds: Sequence[tuple[str, float, float]],
        by_it: tuple[float, float] = (0.0, 0.0),
        since: date | None = None,
    ) -> None:
        """Meetings every `gap` days on average (first year, second year), each of one of
        `kinds` (category, weight in the first year, in the second); IT organises a share."""
        d = (since or demo.first) + timedelta(days=rng.randint(0, 20))
        while d < demo.today:
            p = demo.progress(d, BUSINESS)
            category = weighted(rng, [(c, lerp(w1, w2, p)) for c, w1, w2 in kinds])
            meet(email, unit, d, category, rng.random() < lerp(*by_it, p))
            d += timedelta(days=max(7, round(rng.gauss(lerp(*gap, p), 5))))

    review = (("Business review", 1, 1),)
    last_ops_review = demo.today - timedelta(days=149)
    for email, _name, _title, unit, key in demo.stakeholders:
        if unit == WELL_SERVED and key:
            every(email, unit, (40, 28), (*review, ("Planning", 1, 1)), (0.6, 0.85))
            every(email, unit, (70, 45), (("Advice", 1, 1),), (0.3, 0.6))
        elif unit == "Finance" and key:
            every(email, unit, (110, 60), review, (1, 1))
            every(email, unit, (70, 160), (("Escalation", 1, 1),))
            if email.startswith("katrin"):
                every(email, unit, (45, 30), (("Steering committee", 1, 1),), (0.5, 0.7))
        elif unit == "HR" and key:
            every(email, unit, (100, 75), review, (1, 1))
        elif unit == "Marketing" and key:
            gap = 60 if email.startswith("laura") else 130
            every(email, unit, (gap, gap), (("Planning", 1, 1),), (0.6, 0.6))
        elif unit == NEGLECTED and key:
            for offset in (40, 200):
                when = demo.start + timedelta(days=offset + rng.randint(0, 6))
                meet(email, unit, when, "Business review", True)
            meet(
                email,
                unit,
                last_ops_review - timedelta(days=rng.randint(0, 12)),
                "Planning",
                True,
            )
            every(email, unit, (25, 35), (("Escalation", 1, 1),))
            every(email, unit, (45, 45), (("Incident call", 1, 1),))
        # everyone, key or not, asks for things, and calls when something breaks
        advice = (2, 3) if unit == WELL_SERVED else (0.5, 1.5)
        contact = (("Request", 6, 5), ("Incident call", 3, 1), ("Advice", *advice))
        often = 0.7 if unit == NEGLECTED else 1.0
        every(email, unit, (35 * often, 55 * often), contact, (0.0, 0.1))
        if unit != NEGLECTED:  # the relationship programme of the second year
            every(email, unit, (90, 90), (("Advice", 1, 1),), (1, 1), since=demo.month(12))
    events.sort(key=lambda e: (e[0], e[1]))
    subjects = {
        "Business review": "Quarterly business review: IT & {u}",
        "Planning": "{u} planning session with IT",
        "Steering committee": "Finance close automation: steering committee",
        "Advice": "Advice: options for a new {u} initiative",
        "Request": "Request: {u} needs help",
        "Escalation": "Escalation: {u} blocked",
        "Incident call": "Incident bridge call ({u})",
    }
    write_calendars(demo, events, subjects)


def write_calendars(
    demo: Demo, events: list[tuple[datetime, str, str, str, str]], subjects: dict[str, str]
) -> None:
    """Each relationship owner's Outlook calendar, exported as .ics (File > Save Calendar).

    One VEVENT per meeting: organised by the owner (IT initiated it) or by the stakeholder,
    who invited the owner. The category is Outlook's colour category. Rough edges a real
    export has: meeting rooms as attendees, and cancelled meetings still in the file.
    """
    import icalendar

    extras = demo.rng("calendar-extras")  # rooms and cancellations: the story's draws stay
    names = {email: name for email, name, _t, _u, _k in demo.stakeholders}
    rooms = {"Hamburg": "raum.elbe", "Kassel": "raum.fulda"}
    owner_of = {u: f"{RELATIONSHIP_OWNER[u].lower()}@{DOMAIN}" for u in BUSINESS_UNITS}
    stamp = demo.export_stamp.replace(tzinfo=TZ).astimezone(UTC)
    calendars: dict[str, icalendar.Calendar] = {}
    for owner in sorted(set(owner_of.values())):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
        cal.add("version", "2.0")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", owner)
        cal.add("x-wr-timezone", TZ_NAME)
        calendars[owner] = cal

    def person(email: str, **params: str) -> icalendar.vCalAddress:
        addr = icalendar.vCalAddress(f"mailto:{email}")
        if email in names:
            addr.params["CN"] = names[email]
        for k, v in params.items():
            addr.params[k.upper()] = v
        return addr

    for n, (at, email, unit, category, organiser) in enumerate(events):
        owner = owner_of[unit]
        minutes = 30 if category == "Request" else 60
        for cancelled in (True, False) if extras.random() < 0.03 else (False,):
            ev = icalendar.Event()
            # a cancelled meeting and the one that replaced it, a day later
            when = at - timedelta(days=1) if cancelled else at
            ev.add("uid", f"{'x' if cancelled else ''}{n + 1:05d}-{demo.seed}@{DOMAIN}")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", when.astimezone(TZ))
            ev.add("dtend", (when + timedelta(minutes=minutes)).astimezone(TZ))
            ev.add("summary", subjects[category].format(u=unit))
            ev.add("categories", [category])
            if cancelled:
                ev.add("status", "CANCELLED")
            by_it = organiser == "IT"
            ev.add("organizer", person(owner if by_it else email))
            for who in (owner, email) if by_it else (email, owner):
                chair = (who == owner) == by_it
                role = "CHAIR" if chair else "REQ-PARTICIPANT"
                ev.add("attendee", person(who, role=role, partstat="ACCEPTED"))
            if category in ("Business review", "Planning", "Steering committee"):
                room = rooms["Kassel" if unit == NEGLECTED else "Hamburg"]
                if extras.random() < 0.7:
                    ev.add(
                        "attendee",
                        person(f"{room}@{DOMAIN}", cutype="ROOM", role="NON-PARTICIPANT"),
                    )
            calendars[owner].add_component(ev)
    files = []
    for owner, cal in calendars.items():
        cal.subcomponents.insert(0, icalendar.Timezone.from_ical(_VTIMEZONE))
        path = demo.files.out / f"outlook_calendar_{owner.split('@')[0]}.ics"
        path.write_bytes(cal.to_ical())
        files.append(path)
    # The preset knows each attendee's address, not their department: the stakeholder list
    # does, so the department is mapped from the address.
    demo.files.add_preset(
        "engagements",
        files,
        "ical-engagements",
        name="outlook_calendars",
        overrides={
            "columns": {"business_unit": "attendee"},
            "values": {"business_unit": {e: u for e, _n, _t, u, _k in demo.stakeholders}},
        },
    )


# Europe/Berlin as calendar clients write it: the current rules, not the zone's history.
_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
END:DAYLIGHT
END:VTIMEZONE
"""

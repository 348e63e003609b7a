"""What every record family shares: the dates, the staff, one random generator per family, and
the small helpers for drawing and formatting times.

`Demo` is the generator's state; each family is a function of it (`write_incidents(demo, …)`)
in its own module, so a family's draws can change without touching another's.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from trustmeter.demo.organisation import BUSINESS_UNITS, DOMAIN, LEAVERS, STAFF, STAKEHOLDERS, TZ
from trustmeter.demo.writer import ExportWriter

T = TypeVar("T")

# The history: five years before `today`; the last two are the story docs/demo.md tells in
# full (firefighting, then the turn of summer 2025), the three before it lead up to it.
HISTORY_YEARS, STORY_YEARS = 5, 2
# The three curves of the story, as FRAMEWORK.md orders the areas. Operations (stability and
# delivery) move first; the business's view of IT (relationships) and the planning built on
# it follow the same moves two quarters later; the team (talent: its mood, its learning) runs
# a quarter ahead of operations, because people fix, or break, what then breaks less.
OPERATIONS, BUSINESS, TEAM = "operations", "business", "team"
FOLLOW_DAYS = 182  # two quarters
LEAD_DAYS = 91  # one quarter
# Operations' state per quarter before the story years (0 = firefighting, 1 = recovered),
# from 2021-Q4: a fair start; the ERP migration's go-live in summer 2022 knocks it down; a
# recovery into 2023; each wave of the data-centre exit (spring 2023, early 2024) shakes it
# again; then the slide of 2024 as experienced people leave, into the firefighting year.
EARLY_OPERATIONS = (0.6, 0.9, 0.5, 0.25, 0.45, 0.85, 0.55, 0.95, 0.6, 0.3, 0.5, 0.2)
# How far each quarter's state strays from the script (the same for every seed's shape).
CURVE_NOISE = 0.05


def lerp(a: float, b: float, p: float) -> float:
    """From the worst state's `a` (progress 0) to the recovered state's `b` (progress 1)."""
    return a + (b - a) * p


def poisson(rng: random.Random, lam: float) -> int:
    """How many events happen in a day at mean rate `lam` (Knuth's method, fine for daily rates)."""
    if lam <= 0:
        return 0
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """One of `options` (value, weight), drawn with one random number whatever the weights."""
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, w in options:
        x -= w
        if x < 0:
            return value
    return options[-1][0]


def add_months(d: date, months: int) -> date:
    """The same day `months` later, at most the 28th, so every month has it."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def local(d: date, hours: float) -> datetime:
    """A wall-clock time in Berlin on day `d`, as an aware UTC datetime to the second."""
    at = datetime.combine(d, time(), TZ) + timedelta(hours=hours)
    return at.astimezone(UTC).replace(microsecond=0)


def event_time(rng: random.Random, d: date, off_hours: float) -> datetime:
    """An event time on `d`: in office hours, or with probability `off_hours` (and at the
    weekend always) outside them."""
    if d.weekday() >= 5:
        return local(d, rng.uniform(0, 24))
    if rng.random() < off_hours:
        early = rng.random() < 0.4
        return local(d, rng.uniform(0, 7.5) if early else rng.uniform(18.5, 24))
    return local(d, rng.uniform(7.5, 18.5))


def fmt_local(dt: datetime | None, fmt: str) -> str:
    """Berlin wall-clock time in a tool's own format; "" for no time, as exports leave it."""
    return dt.astimezone(TZ).strftime(fmt) if dt is not None else ""


def iso_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def each_day(d0: date, d1: date) -> Iterable[date]:
    """Every day from `d0` up to, not including, `d1`."""
    d = d0
    while d < d1:
        yield d
        d += timedelta(days=1)


@dataclass(frozen=True)
class Person:
    id: str
    team: str
    title: str
    hired: date
    left: date | None
    voluntary: bool | None
    regretted: bool | None
    on_call: bool

    def active(self, d: date) -> bool:
        return self.hired <= d and (self.left is None or d < self.left)


@dataclass
class Project:
    id: str
    name: str
    unit: str
    category: str
    team: str
    objective: str
    sponsor: str
    waterfall: bool
    proposed: date
    engaged: date | None
    approved: date | None
    started: date | None
    planned_end: date | None
    actual_end: date | None
    budget: float
    cost: float | None
    status: str


@dataclass
class Change:
    id: str
    service: str
    deployed: datetime
    bad: bool  # caused an incident


class Demo:
    """The generator's shared state: the history's dates, the staff, the projects, the writer."""

    def __init__(self, out: Path, seed: int, today: date) -> None:
        self.files = ExportWriter(out)
        self.seed, self.today = seed, today
        self.start = years_before(today, STORY_YEARS)  # the story's first year starts here
        self.first = years_before(today, HISTORY_YEARS)  # the history starts here
        self.end = local(today, 0)
        self.span = (today - self.start).days
        self.quarters = len(EARLY_OPERATIONS)
        story = random.Random(f"trustmeter-demo:{seed}:story")
        self.knots = {
            area: [min(1.0, max(0.0, v + story.gauss(0, CURVE_NOISE))) for v in EARLY_OPERATIONS]
            for area in (OPERATIONS, BUSINESS)
        }
        self.export_stamp = datetime.combine(today, time(6, 0))
        self.projects: list[Project] = []  # build_projects fills it; work items read it
        self.people = [
            Person(
                pid,
                team,
                title,
                self.start + timedelta(days=hired),
                self.start + timedelta(days=LEAVERS[pid][0]) if pid in LEAVERS else None,
                LEAVERS[pid][1] if pid in LEAVERS else None,
                LEAVERS[pid][2] if pid in LEAVERS else None,
                on_call,
            )
            for pid, team, title, hired, on_call in STAFF
        ]
        self.person = {p.id: p for p in self.people}
        self.stakeholders = [
            (f"{slug(name)}@{DOMAIN}", name, title, unit, key)
            for unit in BUSINESS_UNITS
            for name, title, key in STAKEHOLDERS[unit]
        ]

    def rng(self, section: str) -> random.Random:
        # A generator per section: changing one export leaves the others' draws alone.
        return random.Random(f"trustmeter-demo:{self.seed}:{section}")

    def progress(self, when: date | datetime, curve: str = OPERATIONS) -> float:
        """How far the organisation has come on `curve` by `when`: 0 in the firefighting year
        before the turn, 1 after the recovery.

        In the story years operations turn smoothly in summer 2025; before them they follow
        EARLY_OPERATIONS quarter by quarter, with seeded noise. The business curve is the
        operations curve two quarters later, with noise of its own: what the business sees
        and plans on follows what IT does, it does not lead it. The team curve is the
        operations curve a quarter earlier.
        """
        d = when.astimezone(TZ).date() if isinstance(when, datetime) else when
        if curve == BUSINESS:
            return self._curve(d - timedelta(days=FOLLOW_DAYS), BUSINESS)
        if curve == TEAM:
            return self._curve(d + timedelta(days=LEAD_DAYS), OPERATIONS)
        return self._curve(d, OPERATIONS)

    def _curve(self, d: date, knots_of: str) -> float:
        f = (d - self.start).days / self.span
        turn = 1 / (1 + math.exp(-(f - 0.46) / 0.06))
        if d >= self.start:
            return turn
        # Before the story: straight lines between the middles of the quarters.
        knots = self.knots[knots_of]
        x = (d - self.first).days / 91.3 - 0.5
        if x <= 0:
            return knots[0]
        i = int(x)
        if i + 1 < len(knots):
            return lerp(knots[i], knots[i + 1], x - i)
        # the last half quarter runs into where the turn starts (about 0)
        last = len(knots) - 1
        joins = (self.start - self.first).days / 91.3 - 0.5
        return lerp(knots[last], 1 / (1 + math.exp(0.46 / 0.06)), (x - last) / (joins - last))

    def month(self, offset: int) -> date:
        """The first of the story's months, `offset` months on (negative: before the story)."""
        return add_months(self.start, offset)


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def slug(name: str) -> str:
    """A name as the local part of an e-mail address: 'Marco Schäfer' -> 'marco.schaefer'."""
    plain = name.lower()
    for umlaut, plain_form in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("'", "")):
        plain = plain.replace(umlaut, plain_form)
    return re.sub(r"[^a-z]+", ".", plain).strip(".")

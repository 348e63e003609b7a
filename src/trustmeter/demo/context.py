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


def lerp(a: float, b: float, p: float) -> float:
    """From the first year's `a` to the second year's `b`, by `progress` p."""
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
        self.start: date
        try:
            self.start = today.replace(year=today.year - 2)
        except ValueError:  # 29 February
            self.start = today.replace(year=today.year - 2, day=28)
        self.end = local(today, 0)
        self.span = (today - self.start).days
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

    def progress(self, when: date | datetime) -> float:
        """0 in the troubled first year, 1 after the recovery, a smooth turn in between."""
        d = when.astimezone(TZ).date() if isinstance(when, datetime) else when
        f = (d - self.start).days / self.span
        return 1 / (1 + math.exp(-(f - 0.46) / 0.06))

    def month(self, offset: int) -> date:
        return add_months(self.start, offset)


def slug(name: str) -> str:
    """A name as the local part of an e-mail address: 'Marco Schäfer' -> 'marco.schaefer'."""
    plain = name.lower()
    for umlaut, plain_form in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("'", "")):
        plain = plain.replace(umlaut, plain_form)
    return re.sub(r"[^a-z]+", ".", plain).strip(".")

"""Reporting periods: months or quarters, each from its first day up to but not including the next.

Dates are bounded: `as_of` lies in [EARLIEST_AS_OF, LATEST_AS_OF] and a period within
[FIRST_DAY, LAST_DAY). Records are not that old or that far ahead, and the bounds keep the date
arithmetic of periods and the windows metrics look back on clear of the calendar's ends (year 1
and year 9999), where it would fail with an OverflowError instead of saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from trustmeter.errors import TrustmeterError

PeriodKind = Literal["month", "quarter", "custom"]
EARLIEST_AS_OF = date(1900, 1, 1)
LATEST_AS_OF = date(2999, 12, 31)
# Trends and gates look back a few dozen periods before `as_of`; a period beyond these is a
# request no data can answer.
FIRST_DAY = date(1800, 1, 1)
LAST_DAY = date(3100, 1, 1)


class PeriodError(TrustmeterError):
    """A date or period outside the range trustmeter scores."""


def check_as_of(day: date, name: str = "as_of") -> date:
    """`day` when it is a date a scorecard can be asked for, else a PeriodError saying so."""
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise PeriodError(
            f"{name} {day.isoformat()} is out of range: expected a date from "
            f"{EARLIEST_AS_OF.isoformat()} to {LATEST_AS_OF.isoformat()}"
        )
    return day


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive
    kind: PeriodKind = "custom"

    def __post_init__(self) -> None:
        if self.start < FIRST_DAY or self.end > LAST_DAY:
            raise PeriodError(
                f"the period {self.start.isoformat()}..{self.end.isoformat()} is out of range: "
                f"periods lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
            )

    @property
    def start_ts(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day)

    @property
    def end_ts(self) -> datetime:
        return datetime(self.end.year, self.end.month, self.end.day)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def previous(self) -> Period:
        if self.kind in ("month", "quarter"):
            return containing(self.start - timedelta(days=1), self.kind)
        return Period(self.start - (self.end - self.start), self.start, "custom")

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "label": self.label}


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def containing(day: date, kind: PeriodKind) -> Period:
    """The month or quarter that contains `day`."""
    if kind == "month":
        start = date(day.year, day.month, 1)
        return Period(start, _add_months(start, 1), "month")
    if kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, _add_months(start, 3), "quarter")
    raise ValueError(f"no calendar period of kind {kind!r}")


def last_complete(as_of: date, kind: PeriodKind = "quarter") -> Period:
    """The last month or quarter that had ended by `as_of` (the default reporting period)."""
    check_as_of(as_of)
    current = containing(as_of, kind)
    return current.previous()


def series(last: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `last`, oldest first."""
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return list(reversed(out))

"""Reporting periods: months or quarters, each from its first day up to but not including the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "custom"]


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive
    kind: PeriodKind = "custom"

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
    current = containing(as_of, kind)
    return current.previous()


def series(last: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `last`, oldest first."""
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return list(reversed(out))

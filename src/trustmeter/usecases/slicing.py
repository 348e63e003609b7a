"""The slices a workspace has: its business units, services and teams, for the slice pages.

A slice (metrics/slices.py) is scored by name; this lists the names the records use, so the
dashboard can offer "how is IT serving Finance" without the reader typing a name. Business
units are named by the service catalogue, the work they requested, their projects,
objectives, stakeholders and engagements; teams by people, work items, commitments and
projects; services by the catalogue (each with its id, which the slice also accepts).
The names are read as ibis expressions, one distinct list per column, sorted for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from trustmeter.metrics.slices import SLICE_KINDS, Slice, SliceKind
from trustmeter.store import Store

# Where each kind of slice is named: (table, column).
_UNIT_COLUMNS = (
    ("service", "business_unit"),
    ("work_item", "requester_unit"),
    ("project", "business_unit"),
    ("objective", "business_unit"),
    ("stakeholder", "business_unit"),
    ("engagement", "business_unit"),
)
_TEAM_COLUMNS = (
    ("person", "team"),
    ("work_item", "team"),
    ("commitment", "team"),
    ("project", "team"),
)


@dataclass(frozen=True)
class SliceName:
    """One slice the records name: the slice to score, and what a reader calls it."""

    slice: Slice
    label: str  # a service's catalogue name; a unit's or team's name as recorded

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.slice.kind, "name": self.slice.name, "label": self.label}


def _distinct(store: Store, table: str, column: str) -> set[str]:
    t = store.table(table)
    if column not in t.columns:
        return set()
    col = t[column]
    values = t.filter(col.notnull() & (col.strip() != "")).select(v=col).distinct()
    return {str(v) for v in values.to_pyarrow().column("v").to_pylist()}


def slice_names(store: Store) -> dict[SliceKind, list[SliceName]]:
    """Every business unit, service and team the records name, sorted by label."""
    units: set[str] = set()
    for table, column in _UNIT_COLUMNS:
        units |= _distinct(store, table, column)
    teams: set[str] = set()
    for table, column in _TEAM_COLUMNS:
        teams |= _distinct(store, table, column)
    s = store.table("service")
    rows = s.select(s.id, name=ibis.coalesce(s.name, s.id)).to_pyarrow().to_pylist()
    services = [SliceName(Slice("service", str(r["id"])), str(r["name"])) for r in rows]
    out: dict[SliceKind, list[SliceName]] = {
        "unit": [SliceName(Slice("unit", u), u) for u in units],
        "service": services,
        "team": [SliceName(Slice("team", t), t) for t in teams],
    }
    return {
        k: sorted(out[k], key=lambda n: (n.label.casefold(), n.slice.name)) for k in SLICE_KINDS
    }


def find_slice(names: dict[SliceKind, list[SliceName]], kind: str, name: str) -> SliceName | None:
    """The slice of `kind` called `name` (a service also by its id), or None."""
    for k, listed in names.items():
        if k != kind:
            continue
        for n in listed:
            if name in (n.slice.name, n.label):
                return n
    return None

"""What a metric computation sees and returns.

A metric computes over a *set* of periods at once (`Batch`): it builds one grouped query per
metric (or per group of related metrics) keyed by the period, executes it once, and turns
the few rows it returns into one `Measurement` per period in Python. "As known at the
period's end" becomes join and filter conditions against the periods relation, so the
eight quarters of a trend cost about what one quarter costs.

The drill-down records stay a lazy, per-period expression: `Measurement.records` builds it
only when asked for (`explain`, the web drill-down), from a per-period `Context`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, TypeAlias, TypeVar

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from trustmeter.metrics.evidence import Evidence
from trustmeter.metrics.slices import Slice, narrow
from trustmeter.periods import Period
from trustmeter.store import Store, side_by_side

Row = dict[str, Any]


RecordsArg: TypeAlias = ibis.Table | Callable[[], ibis.Table] | None


class Measurement:
    """One metric's figure for one period: value, sample size, breakdown, evidence, note, and
    the records behind it (built lazily: pass a zero-argument function that returns them)."""

    __slots__ = ("_records", "breakdown", "evidence", "n", "note", "value")

    def __init__(
        self,
        value: float | None,
        n: int,
        breakdown: dict[str, Any] | None = None,
        evidence: list[Evidence] | None = None,
        records: RecordsArg = None,
        note: str | None = None,
    ) -> None:
        self.value = value
        self.n = n
        self.breakdown: dict[str, Any] = {} if breakdown is None else breakdown
        self.evidence: list[Evidence] = [] if evidence is None else evidence
        self._records = records
        self.note = note

    @property
    def records(self) -> ibis.Table | None:
        """The records behind the figure, as an unexecuted ibis expression (drill-down)."""
        if isinstance(self._records, ibis.Table) or self._records is None:
            return self._records
        self._records = self._records()
        return self._records

    def __repr__(self) -> str:
        return f"Measurement(value={self.value!r}, n={self.n!r}, note={self.note!r})"


@dataclass
class Context:
    """One period, the framework's parameters and the tables: what a drill-down sees.

    Metric tests build one directly (a metric called with a Context computes that period).
    """

    store: Store
    period: Period
    params: dict[str, Any]
    # Facts about the data that do not depend on the period (which tables hold one source
    # only, the service catalogue), shared by all the contexts of one Scorer; a Scorer lives
    # for one data version.
    facts: dict[str, Any] = field(default_factory=dict)
    _tables: dict[str, ibis.Table] = field(default_factory=dict)
    # A business unit, service or team: every table read is narrowed to it (metrics/slices.py).
    slice: Slice | None = None

    def t(self, name: str) -> ibis.Table:
        return _table(self.store, self._tables, self.slice, name)

    @property
    def start(self) -> datetime:
        return self.period.start_ts

    @property
    def end(self) -> datetime:
        return self.period.end_ts

    @property
    def start_date(self) -> date:
        return self.period.start

    @property
    def end_date(self) -> date:
        return self.period.end

    @property
    def last_day(self) -> date:
        return self.period.end - timedelta(days=1)

    def param(self, name: str) -> Any:
        return self.params[name]


def _table(store: Store, cache: dict[str, ibis.Table], s: Slice | None, name: str) -> ibis.Table:
    """A record table, looked up once per Scorer (a lookup asks the database for its schema),
    narrowed to the slice when there is one."""
    if name not in cache:
        raw = store.table(name)
        cache[name] = raw if s is None else narrow(name, raw, s, store.table)
    return cache[name]


# The columns the periods relation adds to a record it is joined with.
PERIOD_COLUMNS = ("pid", "p_start", "p_end", "p_start_date", "p_end_date", "p_days")


@dataclass
class Batch:
    """A set of periods and what every metric computed over them shares.

    The periods relation has one row per period: `pid` (its index in `periods`), `p_start`
    and `p_end` as timestamps (naive UTC, end exclusive), the same as dates, and `p_days`.
    """

    store: Store
    periods: tuple[Period, ...]
    params: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)
    _tables: dict[str, ibis.Table] = field(default_factory=dict)
    slice: Slice | None = None

    @classmethod
    def of(cls, ctx: Context) -> Batch:
        """A batch of the one period of `ctx`, sharing its tables and facts."""
        return cls(ctx.store, (ctx.period,), ctx.params, ctx.facts, ctx._tables, ctx.slice)

    def t(self, name: str) -> ibis.Table:
        return _table(self.store, self._tables, self.slice, name)

    def param(self, name: str) -> Any:
        return self.params[name]

    def context(self, period: Period) -> Context:
        """The per-period view of this batch (for a drill-down's records)."""
        return Context(self.store, period, self.params, self.facts, self._tables, self.slice)

    # -- the periods relation ------------------------------------------------------------------
    @cached_property
    def table(self) -> ir.Table:
        ps = self.periods
        return ibis.memtable(
            {
                "pid": list(range(len(ps))),
                "p_start": [p.start_ts for p in ps],
                "p_end": [p.end_ts for p in ps],
                "p_start_date": [p.start for p in ps],
                "p_end_date": [p.end for p in ps],
                "p_days": [p.days for p in ps],
            },
            schema={
                "pid": "int64",
                "p_start": "timestamp",
                "p_end": "timestamp",
                "p_start_date": "date",
                "p_end_date": "date",
                "p_days": "int64",
            },
        )

    @property
    def calendar_kind(self) -> str | None:
        """'month' or 'quarter' when every period is one, distinct and calendar-aligned:
        then a record finds its period by bucket equality instead of a range join."""
        kinds = {p.kind for p in self.periods}
        if len(kinds) == 1 and len(set(self.periods)) == len(self.periods):
            kind = next(iter(kinds))
            return kind if kind in ("month", "quarter") else None
        return None

    @property
    def first_start(self) -> datetime:
        return min(p.start_ts for p in self.periods)

    @property
    def last_end(self) -> datetime:
        return max(p.end_ts for p in self.periods)

    def within(self, t: ir.Table, col: str, *, is_date: bool = False) -> ir.Table:
        """Rows of `t` whose `col` falls inside a period [start, end), each with that period's
        columns (a row falls in at most one calendar period; in overlapping custom periods it
        appears once per period). Rows outside every period are dropped."""
        p = self.table
        kind = self.calendar_kind
        start, end = ("p_start_date", "p_end_date") if is_date else ("p_start", "p_end")
        lo = ibis.literal(self.periods_span[0] if is_date else self.first_start)
        hi = ibis.literal(self.periods_span[1] if is_date else self.last_end)
        t = t.filter(t[col] >= lo, t[col] < hi)
        if kind is not None:
            unit = "M" if kind == "month" else "Q"
            bucket = t[col].truncate(unit)
            if not is_date:
                keyed = t.mutate(_bucket=bucket.cast("timestamp"))
                return keyed.join(p, keyed._bucket == p.p_start).drop("_bucket")
            keyed = t.mutate(_bucket=bucket.cast("date"))
            return keyed.join(p, keyed._bucket == p.p_start_date).drop("_bucket")
        joined = t.join(p, [t[col] >= p[start], t[col] < p[end]])
        return joined.select(*joined.columns)  # a finished relation, to join further

    @property
    def spans(self) -> str:
        """The periods as text: in the key of what is kept per set of periods (`once`)."""
        return ",".join(f"{p.start}..{p.end}" for p in self.periods)

    @property
    def periods_span(self) -> tuple[date, date]:
        return min(p.start for p in self.periods), max(p.end for p in self.periods)

    def before_end(self, t: ir.Table, col: str | None = None, *, is_date: bool = False) -> ir.Table:
        """Rows of `t` paired with every period by whose end they existed (`col` < end; every
        period when `col` is None): the records known at each period's end."""
        p = self.table
        if col is None:
            crossed = t.cross_join(p)
            return crossed.select(*crossed.columns)
        end = p.p_end_date if is_date else p.p_end
        joined = t.join(p, t[col] < end)
        return joined.select(*joined.columns)

    # -- executing -----------------------------------------------------------------------------
    def by_period(self, expr: ir.Table) -> dict[int, list[Row]]:
        """Execute a query that has a `pid` column; its rows grouped by pid (every pid present)."""
        out: dict[int, list[Row]] = {i: [] for i in range(len(self.periods))}
        for r in fetch(expr):
            out[int(r["pid"])].append(r)
        return out

    def each(self, build: Callable[[int, Period], Measurement]) -> dict[Period, Measurement]:
        """One measurement per period, built by `build(pid, period)`."""
        return {p: build(i, p) for i, p in enumerate(self.periods)}


T = TypeVar("T")
_LOCKS = threading.Lock()  # guards the creation of `once`'s locks


def once(ctx: Context | Batch, key: str, make: Callable[[], T]) -> T:
    """`make()`, computed once for everything sharing `ctx`'s facts (one Scorer) and kept
    there: what several metrics read (availability's downtimes, the work done per team).
    When metrics run side by side (store/side_by_side.py), the second to ask waits for the
    first instead of running the same query again."""
    with _LOCKS:
        lock = ctx.facts.setdefault(f"lock:{key}", threading.Lock())
    with lock:
        if key not in ctx.facts:
            ctx.facts[key] = make()
        out: T = ctx.facts[key]
        return out


def fetch(expr: ir.Table) -> list[Row]:
    """Execute a query and return plain dicts, read as Arrow (NaN becomes None), not through
    pandas."""
    con = side_by_side.current()  # a scorer's thread with a connection of its own, or None
    out: list[Row] = (expr.to_pyarrow() if con is None else con.to_pyarrow(expr)).to_pylist()
    for r in out:
        for k, v in r.items():
            if isinstance(v, float) and v != v:
                r[k] = None
    return out


def grouped(
    t: ir.Table,
    grains: Mapping[str, Sequence[str]],
    aggs: Callable[[ir.Table], dict[str, ir.Value]],
    *,
    key: str = "pid",
) -> ir.Table:
    """One query for several groupings: `aggs` per `key` and each grain's columns, unioned
    with a `grain` column naming the grouping (its other grains' columns are null).

    `grouped(t, {"all": [], "service": ["service"]}, aggs)` gives a figure per period and per
    period and service in one round trip; medians and percentiles cannot be combined from
    finer groups, so each grain is aggregated from the records.
    """
    cols = sorted({c for g in grains.values() for c in g})
    # Only the columns the groupings and aggregates read: the engines share the filtered and
    # joined records between the groupings (PostgreSQL materialises them), and carrying a
    # record's every column there was most of a 10-million-row query's time.
    used: set[str] = {key, *cols}
    for value in aggs(t).values():
        used |= {f.name for f in value.op().find(ops.Field) if f.rel == t.op()}
    t = t.select(*[c for c in t.columns if c in used])
    measures = aggs(t)  # built once, shared by every grouping of the same relation
    parts = []
    for name, by in grains.items():
        agg = t.group_by([key, *by]).aggregate(**measures)
        fill = {c: ibis.null(t[c].type()) for c in cols if c not in by}
        agg = agg.mutate(grain=ibis.literal(name), **fill)
        parts.append(
            agg.select(
                key, "grain", *cols, *[c for c in agg.columns if c not in {key, "grain", *cols}]
            )
        )
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out


def first_per_period(t: ir.Table, n: int, order_by: Sequence[Any], *, key: str = "pid") -> ir.Table:
    """The first `n` rows of `t` per period in the given order, numbered by `nth` (0, 1, ...):
    a period's worst few, fetched in the same round trip as its figure (see `stack`)."""
    t = t.mutate(nth=ibis.row_number().over(group_by=t[key], order_by=list(order_by)))
    return t.filter(t.nth < n)


def stack(*parts: ir.Table) -> ir.Table:
    """Tables of different shapes as one (UNION ALL), each missing column null: a grouped
    summary and a few detail rows (a per-period top three) in one round trip."""
    schema: dict[str, dt.DataType] = {}
    for p in parts:
        for name, typ in p.schema().items():
            schema.setdefault(name, typ.copy(nullable=True))
    aligned = [
        p.select(
            **{
                name: (p[name] if p[name].type() == typ else p[name].cast(typ))
                if name in p.columns
                else ibis.null(typ)
                for name, typ in schema.items()
            }
        )
        for p in parts
    ]
    out = aligned[0]
    for p in aligned[1:]:
        out = out.union(p)
    return out


def split(rows: Iterable[Row], grain_col: str = "grain") -> defaultdict[str, list[Row]]:
    """Rows of a `grouped` query, by grain."""
    out: defaultdict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[str(r[grain_col])].append(r)
    return out

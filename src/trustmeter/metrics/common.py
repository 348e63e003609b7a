"""Small expression helpers shared by the area modules (no metric logic lives here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis import _

from trustmeter.metrics.evidence import Evidence
from trustmeter.metrics.model import Batch, Context, fetch

SEVERITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}

# Names for grouping records that leave the field blank.
NO_TEAM = "(no team)"
NO_SERVICE = "(no service)"
NO_UNIT = "(no business unit)"
# Containers (their children carry the work) and incidents (measured by mttr) are not
# requests for request_lead_time, nor effort for run_share.
NOT_DEMAND = ("epic", "incident")


# -- records ----------------------------------------------------------------------------------
def latest(t: ir.Table, key: Sequence[str] = ("id",)) -> ir.Table:
    """One row per record: the same id imported under two source names counts once.

    The writer already upserts within a source; this guards against the same export being
    imported under two source names, which would otherwise count twice and fan out every join
    on its id. The most recent import wins (then the greater source, then the greater
    source_id). Keyless kinds (learning) pass `("source_id",)`, which the writer builds from
    their key fields; survey responses pass `("campaign", "id")`.
    """
    rank = ibis.row_number().over(
        group_by=[t[k] for k in key],
        order_by=[
            t.imported_at.desc(nulls_first=False),
            t.source.desc(nulls_first=False),
            t.source_id.desc(nulls_first=False),
        ],
    )
    return t.mutate(_rank=rank).filter(_._rank == 0).drop("_rank")


def records_of(ctx: Context | Batch, table: str, key: Sequence[str] = ("id",)) -> ir.Table:
    """A record table, one row per record: `latest` of it, or the table itself when it holds
    a single source.

    Within one source the writer keeps (source, source_id) unique, and source_id is the id
    (or the key fields joined), so there is nothing to deduplicate; skipping the window over
    the whole table matters on big tables: on 10 million work items it is most of the time a
    metric takes. Whether a table holds one source is asked once per Scorer (one data
    version), not once per query.
    """
    t = ctx.t(table)
    fact = f"single_source:{table}"
    if fact not in ctx.facts:
        row = fetch(t.aggregate(lo=_nullable(t.source.min()), hi=_nullable(t.source.max())))[0]
        ctx.facts[fact] = row["lo"] == row["hi"]  # one source, or none
    return t if ctx.facts[fact] else latest(t, key)


def _nullable(v: ir.Value) -> ir.Value:
    """The least or greatest of a required column is null on an empty table."""
    return v.cast("string")


def learn_sources(ctx: Context | Batch, tables: Sequence[str]) -> None:
    """Ask, in one query, which of `tables` hold a single source (what `records_of` asks of
    each table on first use), so a scorecard does not spend a round trip per table."""
    todo = [t for t in tables if f"single_source:{t}" not in ctx.facts]
    if not todo:
        return
    # The least and the greatest source are the same: one source. On PostgreSQL both come
    # from the (source, source_id) key's index, without reading the table.
    parts = [
        ctx.t(t).aggregate(
            k=ibis.literal(i, "int64"),
            lo=_nullable(ctx.t(t).source.min()),
            hi=_nullable(ctx.t(t).source.max()),
        )
        for i, t in enumerate(todo)
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.union(part)
    for row in fetch(union):
        ctx.facts[f"single_source:{todo[int(row['k'])]}"] = row["lo"] == row["hi"]


# -- expressions ------------------------------------------------------------------------------
def severity_at_or_above(col: ibis.Value, level: str) -> ibis.BooleanValue:
    """P1 is the highest: 'at or above P2' means P1 or P2."""
    allowed = [s for s, r in SEVERITY_RANK.items() if r <= SEVERITY_RANK[level]]
    return col.isin(allowed)


def known_at(t: ir.Table, col: ibis.Value, *, end: str = "p_end") -> ibis.Value:
    """The value as known at the end of the period each row is joined with (`Batch.within`
    or `Batch.before_end`): a later timestamp had not happened yet."""
    return ibis.ifelse(col < t[end], col, ibis.null(col.type()))


def name_of(v: Any, missing: str) -> str:
    """A group key as an engine returns it: the text, or `missing` for null."""
    return str(v) if isinstance(v, str) else missing


def in_period(ctx: Context, col: ibis.Value) -> ibis.BooleanValue:
    """A timestamp inside the period [start, end)."""
    return (col >= ctx.start) & (col < ctx.end)


def date_in_period(ctx: Context, col: ir.DateValue) -> ir.BooleanValue:
    """A date inside the period [start_date, end_date)."""
    return (col >= ctx.start_date) & (col < ctx.end_date)


def known_by_end(ctx: Context, col: ibis.Value) -> ibis.Value:
    """The value as it was known at the period's end: a later timestamp had not happened yet."""
    return ibis.ifelse(col < ctx.end, col, ibis.null(col.type()))


def label(col: ir.StringValue, missing: str) -> ir.StringValue:
    """A name for grouping, with blanks and nulls shown as `missing`."""
    return col.strip().nullif("").fill_null(missing)


def filled(col: ir.StringValue) -> ir.BooleanValue:
    """The text is present and not blank."""
    return col.strip().nullif("").notnull()


def seconds_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.NumericValue:
    """Seconds from `start` to `end` (negative when `end` comes first)."""
    return end.epoch_seconds() - start.epoch_seconds()


def hours_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Hours from `start` to `end` (negative when `end` comes first)."""
    return seconds_between(start, end) / 3600.0


# -- executing --------------------------------------------------------------------------------
# -- values as engines return them ------------------------------------------------------------
def as_float(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return float(v)


def as_int(v: Any) -> int:
    """A count as an engine returns it; None and NaN are 0."""
    f = as_float(v)
    return 0 if f is None else round(f)


def as_date(v: Any) -> date | None:
    """A date from what an engine returns: date, datetime, pandas Timestamp, None or NaT."""
    if v is None or v != v:
        return None
    if isinstance(v, datetime):  # pandas Timestamp is a datetime too
        return v.date()
    if isinstance(v, date):
        return v
    raise TypeError(f"not a date: {v!r}")


def as_datetime(v: Any) -> datetime | None:
    """A datetime from what an engine returns for a date or timestamp; None and NaT are None."""
    if v is None or v != v:
        return None
    if isinstance(v, datetime):
        return v.to_pydatetime() if hasattr(v, "to_pydatetime") else v  # pandas' Timestamp
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    raise TypeError(f"not a date or time: {v!r}")


# -- wording ----------------------------------------------------------------------------------
def pct(x: float, places: int = 0) -> str:
    """'42 %' (or with `places` decimals: '99.95 %')."""
    return f"{x:.{places}f} %"


def plural(n: int, word: str) -> str:
    """'1 page', '3 pages'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def top_contributors(
    counts: dict[str, int], total: int, kind: str, what: str, limit: int = 3
) -> list[Evidence]:
    """'ERP: 9 of 14 P1/P2 incidents' for the largest shares."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [
        Evidence(kind, name, f"{name}: {n} of {total} {what}", float(n))
        for name, n in ranked
        if n > 0
    ]


def production_changes(ctx: Context | Batch) -> ibis.Table:
    """Changes to production: no environment given, or one named in production_environments.

    Stability (change failure rate) and delivery (deployment frequency, lead time) share this
    one definition, so the same change counts the same way in both areas.
    """
    ch = records_of(ctx, "change")
    prod = [str(e).strip().lower() for e in ctx.param("production_environments")]
    env = ch.environment.strip().lower().nullif("")
    return ch.filter(env.isnull() | env.isin(prod))


def succeeded(t: ibis.Table) -> ibis.BooleanValue:
    """A change that went in: outcome success, or no outcome recorded."""
    outcome = t.outcome.strip().lower()
    return outcome.isnull() | (outcome == "success")

"""Small expression helpers shared by the area modules (no metric logic lives here)."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from trustmeter.metrics.registry import Context, Contributor

SEVERITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}


def severity_at_or_above(col: ibis.Value, level: str) -> ibis.BooleanValue:
    """P1 is the highest: 'at or above P2' means P1 or P2."""
    allowed = [s for s, r in SEVERITY_RANK.items() if r <= SEVERITY_RANK[level]]
    return col.isin(allowed)


def in_period(ctx: Context, col: ibis.Value) -> ibis.BooleanValue:
    """A timestamp inside the period [start, end)."""
    return (col >= ctx.start) & (col < ctx.end)


def known_by_end(ctx: Context, col: ibis.Value) -> ibis.Value:
    """The value as it was known at the period's end: a later timestamp had not happened yet."""
    return ibis.ifelse(col < ctx.end, col, ibis.null(col.type()))


def frame(expr: ibis.Table) -> pd.DataFrame:
    return expr.execute()


def top_contributors(
    counts: dict[str, int], total: int, kind: str, what: str, limit: int = 3
) -> list[Contributor]:
    """'ERP: 9 of 14 P1/P2 incidents' for the largest shares."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [
        Contributor(kind, name, f"{name}: {n} of {total} {what}", float(n))
        for name, n in ranked
        if n > 0
    ]


def as_float(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return float(v)

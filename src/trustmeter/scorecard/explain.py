"""Traceability: from a figure down to the records behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustmeter.metrics.catalogue import get
from trustmeter.periods import Period
from trustmeter.scorecard.model import MetricEntry
from trustmeter.scorecard.scorer import Scorer


@dataclass(frozen=True)
class Records:
    """Up to `limit` of the records behind a figure (`shown` of `total`)."""

    columns: list[str]
    rows: list[list[Any]]
    total: int
    shown: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "total": self.total,
            "shown": self.shown,
        }


@dataclass(frozen=True)
class Explanation:
    """A metric's scorecard entry and the records it was computed from: `explain --json`."""

    period: Period
    metric: MetricEntry
    records: Records

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.as_dict(),
            "metric": self.metric.as_dict(),
            "records": self.records.as_dict(),
        }


def explain_metric(scorer: Scorer, metric_id: str, period: Period, limit: int = 50) -> Explanation:
    """The metric's scorecard entry and up to `limit` of the records it was computed from."""
    try:
        m = get(metric_id)
    except KeyError as exc:
        from trustmeter.errors import TrustmeterError

        raise TrustmeterError(str(exc.args[0])) from exc
    entry = scorer.measure(m, period)
    records = Records([], [], 0, 0)
    # The entry's own measurement: its records are built now, not computed again.
    result = scorer.measurement(m, period)
    if entry.status not in ("no_data", "left_out") and result is not None:
        expr = result.records
        if expr is not None:
            total = int(expr.count().execute())
            df = expr.limit(limit).execute()
            records = Records(
                columns=list(df.columns),
                rows=[[_plain(v) for v in row] for row in df.itertuples(index=False)],
                total=total,
                shown=len(df),
            )
    return Explanation(period, entry, records)


def _plain(v: Any) -> Any:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v

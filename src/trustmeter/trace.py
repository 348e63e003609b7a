"""Traceability: from a figure down to the records behind it."""

from __future__ import annotations

from typing import Any

from trustmeter.metrics.registry import get
from trustmeter.periods import Period
from trustmeter.scorecard import Scorer


def explain_metric(
    scorer: Scorer, metric_id: str, period: Period, limit: int = 50
) -> dict[str, Any]:
    """The metric's scorecard entry and up to `limit` of the records it was computed from."""
    try:
        m = get(metric_id)
    except KeyError as exc:
        from trustmeter.errors import TrustmeterError

        raise TrustmeterError(str(exc.args[0])) from exc
    entry = scorer.measure(m, period)
    records: dict[str, Any] = {"columns": [], "rows": [], "total": 0, "shown": 0}
    # The entry's own measurement: its records are built now, not computed again.
    result = scorer.measurement(m, period)
    if entry["status"] not in ("no_data", "left_out") and result is not None:
        expr = result.records
        if expr is not None:
            total = int(expr.count().execute())
            df = expr.limit(limit).execute()
            records = {
                "columns": list(df.columns),
                "rows": [[_plain(v) for v in row] for row in df.itertuples(index=False)],
                "total": total,
                "shown": len(df),
            }
    return {"period": period.as_dict(), "metric": entry, "records": records}


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

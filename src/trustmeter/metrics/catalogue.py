"""Every metric of FRAMEWORK.md: the area modules, loaded, each registered in `registry`.

The registry itself (registry.py) knows nothing of the areas; the area modules import it to
register their metrics, and this module imports them all. That keeps the arrows one way.
"""

from __future__ import annotations

from trustmeter.metrics import (  # noqa: F401  (importing registers the metrics)
    availability,
    delivery,
    planning,
    relationships,
    stability,
    talent,
)
from trustmeter.metrics.registry import REGISTRY, Metric


def all_metrics() -> dict[str, Metric]:
    """Every registered metric, by id."""
    return REGISTRY


def get(metric_id: str) -> Metric:
    """A metric by its id, as people type it: `mttr`, `MTTR`, `lead-time-for-changes`, or
    its name (`Mean time to restore`)."""
    metrics = all_metrics()
    if metric_id in metrics:
        return metrics[metric_id]
    typed = metric_id.strip().lower()
    key = typed.replace("-", "_").replace(" ", "_")
    if key in metrics:
        return metrics[key]
    for m in metrics.values():
        if m.name.lower() == typed:
            return m
    raise KeyError(f"unknown metric {metric_id!r}; known: {', '.join(sorted(metrics))}")

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
    metrics = all_metrics()
    if metric_id not in metrics:
        raise KeyError(f"unknown metric {metric_id!r}; known: {', '.join(sorted(metrics))}")
    return metrics[metric_id]

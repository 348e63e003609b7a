"""The metrics of FRAMEWORK.md, one module per area, all registered in `registry`."""

from trustmeter.metrics.registry import (
    REGISTRY,
    Context,
    Contributor,
    Measurement,
    Metric,
    all_metrics,
    get,
    has_data,
    score,
)

__all__ = [
    "REGISTRY",
    "Context",
    "Contributor",
    "Measurement",
    "Metric",
    "all_metrics",
    "get",
    "has_data",
    "score",
]

"""Production Stability: is the lights-on work under control?"""

from __future__ import annotations

from trustmeter.metrics.common import as_float, in_period, severity_at_or_above, top_contributors
from trustmeter.metrics.registry import Context, Measurement, metric


@metric(
    "mttr",
    area="stability",
    name="Mean time to restore (median)",
    unit="h",
    direction="lower",
    log_scale=True,
    needs=("incident.resolved_at",),
    data_hint="incidents with opened and resolved times",
)
def mttr(ctx: Context) -> Measurement:
    """Median hours from opened to resolved, for P1 and P2 incidents resolved in the period."""
    i = ctx.t("incident")
    sel = i.filter(
        severity_at_or_above(i.severity, "P2"),
        in_period(ctx, i.resolved_at),
        i.resolved_at >= i.opened_at,
    )
    hours = sel.mutate(hours=(sel.resolved_at.epoch_seconds() - sel.opened_at.epoch_seconds()) / 3600)
    agg = hours.aggregate(value=hours.hours.median(), n=hours.count()).execute()
    n = int(agg.n.iloc[0])
    by_service = (
        hours.group_by(hours.service).aggregate(k=hours.count(), med=hours.hours.median()).execute()
    )
    counts = {str(r.service): int(r.k) for r in by_service.itertuples() if r.service is not None}
    return Measurement(
        value=as_float(agg.value.iloc[0]) if n else None,
        n=n,
        breakdown={"median_hours_by_service": {
            str(r.service): round(float(r.med), 2) for r in by_service.itertuples()
        }},
        evidence=top_contributors(counts, n, "service", "P1/P2 incidents resolved"),
        records=hours.select("id", "service", "severity", "opened_at", "resolved_at", "hours", "title"),
    )

"""Production Stability, continued: availability and SLO attainment of the services.

Split from stability.py, whose shared views (incidents as known at the period's end, the
service catalogue) these read; the area, the as-of-the-end reading and the decisions written
down in docs/metrics/stability.md are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from trustmeter.metrics.common import (
    as_float,
    as_int,
    pct,
    plural,
    seconds_between,
    severity_at_or_above,
)
from trustmeter.metrics.registry import Context, Contributor, Measurement, metric
from trustmeter.metrics.stability import incidents, service_catalogue, service_names

# A float availability computed as exactly the SLO may land a hair below it.
_SLO_TOLERANCE = 1e-9


# -- availability ---------------------------------------------------------------------------
def _impact_windows(ctx: Context) -> ibis.Table:
    """Each counted incident's impact window clipped to the period (empty windows dropped)."""
    i = incidents(ctx)
    i = i.filter(
        severity_at_or_above(i.severity, ctx.param("availability_severity")),
        i.service.notnull(),
    )
    start = ibis.greatest(i.impact_start, ibis.literal(ctx.start))
    end = ibis.least(ibis.coalesce(i.impact_end, ibis.literal(ctx.end)), ibis.literal(ctx.end))
    w = i.select(
        "id",
        "service",
        "severity",
        "opened_at",
        "resolved_at",
        "title",
        win_start=start,
        win_end=end,
    )
    w = w.filter(w.win_end > w.win_start)
    return w.mutate(minutes=seconds_between(w.win_start, w.win_end) / 60)


def _downtime(ctx: Context) -> dict[str, tuple[float, int]]:
    """Seconds of the period inside the union of each service's impact windows, and how many
    incidents made it up: gaps and islands, where a window opens a new island when it starts
    after every earlier window (by start) of its service has ended."""
    w = _impact_windows(ctx)
    order = [w.win_start, w.win_end, w.id]
    before = ibis.window(group_by=w.service, order_by=order, rows=(None, -1))
    w = w.mutate(reach=w.win_end.max().over(before))
    w = w.mutate(
        opens=ibis.ifelse(w.reach.isnull() | (w.win_start > w.reach), 1, 0),
    )
    upto = ibis.window(group_by=w.service, order_by=[w.win_start, w.win_end, w.id], rows=(None, 0))
    w = w.mutate(island=w.opens.sum().over(upto))
    islands = w.group_by("service", "island").aggregate(
        s=w.win_start.min(), e=w.win_end.max(), k=w.count()
    )
    islands = islands.mutate(secs=seconds_between(islands.s, islands.e))
    per = islands.group_by("service").aggregate(secs=islands.secs.sum(), k=islands.k.sum())
    return {str(r.service): (float(r.secs), as_int(r.k)) for r in per.execute().itertuples()}


@dataclass(frozen=True)
class _Uptime:
    """One service's availability in the period."""

    name: str
    down_secs: float
    incidents: int
    period_secs: float

    @property
    def availability(self) -> float:
        return 100.0 * (1.0 - self.down_secs / self.period_secs)

    @property
    def minutes(self) -> float:
        return round(self.down_secs / 60, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "availability": self.availability,
            "downtime_minutes": self.minutes,
            "incidents": self.incidents,
        }


def _uptimes(ctx: Context, scope: list[str], names: dict[str, str]) -> dict[str, _Uptime]:
    period_secs = (ctx.end - ctx.start).total_seconds()
    down = _downtime(ctx)
    return {
        sid: _Uptime(names.get(sid, sid), *down.get(sid, (0.0, 0)), period_secs) for sid in scope
    }


@metric(
    "availability",
    area="stability",
    name="Availability of tier-1 services",
    unit="%",
    direction="higher",
    needs=("incident",),
    sample="services",
    data_hint="incidents with impact (or opened/resolved) times and severities, and the service catalogue with tiers",
)
def availability(ctx: Context) -> Measurement:
    """Mean over tier-1 services (all services when none has a tier) of the share of the period
    outside the union of their P1/P2 impact windows, maintenance left out."""
    services = service_catalogue(ctx)
    names = service_names(services)
    if services.tier.notna().any():
        scope = sorted(str(r.id) for r in services.itertuples() if as_float(r.tier) == 1)
        how = "tier-1 services"
    elif len(services):
        scope = sorted(names)
        how = "all services (no service has a tier)"
    else:
        i = incidents(ctx)
        named = i.filter(i.service.notnull()).select("service").distinct().execute()
        scope = sorted(str(v) for v in named.service)
        how = "services named by incidents (the service catalogue is empty)"
    per = _uptimes(ctx, scope, names)
    n = len(per)
    ranked = sorted(
        (u for u in per.values() if u.down_secs > 0), key=lambda u: (-u.down_secs, u.name)
    )
    evidence = [
        Contributor(
            "service",
            u.name,
            f"{u.name}: {u.minutes:g} min down, {plural(u.incidents, 'incident')} "
            f"(availability {pct(u.availability, 2)})",
            u.minutes,
        )
        for u in ranked[:3]
    ]
    w = _impact_windows(ctx)
    return Measurement(
        value=sum(u.availability for u in per.values()) / n if n else None,
        n=n,
        breakdown={
            "scope": how,
            "period_minutes": (ctx.end - ctx.start).total_seconds() / 60,
            "services": {sid: u.as_dict() for sid, u in per.items()},
        },
        evidence=evidence,
        records=w.filter(w.service.isin(scope)) if scope else w.limit(0),
        note=None if n else f"no services in scope ({how})",
    )


# -- slo_attainment -------------------------------------------------------------------------
@metric(
    "slo_attainment",
    area="stability",
    name="SLO attainment",
    unit="%",
    direction="higher",
    needs=("incident", "service.slo_availability"),
    sample="services",
    data_hint="an availability SLO (%) per service in the service catalogue, and incidents",
)
def slo_attainment(ctx: Context) -> Measurement:
    """Share of services with an availability SLO whose availability in the period met it."""
    services = service_catalogue(ctx)
    slos = {
        str(r.id): slo
        for r in services.itertuples()
        if (slo := as_float(r.slo_availability)) is not None
    }
    per = _uptimes(ctx, sorted(slos), service_names(services))
    met = {sid for sid, u in per.items() if u.availability >= slos[sid] - _SLO_TOLERANCE}
    n = len(per)

    def over_budget(sid: str) -> float:
        """Minutes down beyond what the SLO allows in the period."""
        return (per[sid].down_secs - (1 - slos[sid] / 100) * per[sid].period_secs) / 60

    missed = sorted(
        (sid for sid in per if sid not in met), key=lambda sid: (-over_budget(sid), sid)
    )
    evidence = [
        Contributor(
            "service",
            per[sid].name,
            f"{per[sid].name}: {pct(per[sid].availability, 2)} against an SLO of {slos[sid]:g} % "
            f"({over_budget(sid):.0f} min over its error budget)",
            per[sid].availability,
        )
        for sid in missed[:3]
    ]
    w = _impact_windows(ctx)
    return Measurement(
        value=100.0 * len(met) / n if n else None,
        n=n,
        breakdown={
            "met": len(met),
            "services": {
                sid: {**u.as_dict(), "slo": slos[sid], "met": sid in met} for sid, u in per.items()
            },
        },
        evidence=evidence,
        records=w.filter(w.service.isin(sorted(per))) if per else w.limit(0),
    )

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
    as_int,
    known_at,
    pct,
    plural,
    records_of,
    seconds_between,
    severity_at_or_above,
)
from trustmeter.metrics.model import Batch, fetch, once
from trustmeter.metrics.registry import Context, Evidence, Measurement, Results, metric
from trustmeter.metrics.stability import incidents, service_catalogue, service_names
from trustmeter.periods import Period
from trustmeter.records import AUTO_SOURCE

# A float availability computed as exactly the SLO may land a hair below it.
_SLO_TOLERANCE = 1e-9

Downtime = dict[str, tuple[float, int]]


# -- availability ---------------------------------------------------------------------------
def _impact_windows(ctx: Context) -> ibis.Table:
    """Each counted incident's impact window clipped to the period (empty windows dropped):
    the drill-down records of one period."""
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


def _scoped_windows(ctx: Context, scope: list[str]) -> ibis.Table:
    w = _impact_windows(ctx)
    return w.filter(w.service.isin(scope)) if scope else w.limit(0)


def _downtimes(b: Batch) -> dict[int, Downtime]:
    """Per period (pid) and service, the seconds of the period inside the union of the
    service's impact windows, and how many incidents made it up: gaps and islands, where a
    window opens a new island when it starts after every earlier window (by start) of its
    service has ended.

    One query for every period of the batch, run once per batch and severity: availability
    and slo_attainment share it."""
    severity = b.param("availability_severity")
    return once(b, f"downtime:{severity}:{b.spans}", lambda: _read_downtimes(b, severity))


def _read_downtimes(b: Batch, severity: str) -> dict[int, Downtime]:
    i = records_of(b, "incident")
    until = ibis.coalesce(i.impact_end, i.resolved_at)
    i = i.filter(
        ~i.is_maintenance.fill_null(False),
        severity_at_or_above(i.severity, severity),
        i.service.notnull(),
        i.opened_at < ibis.literal(b.last_end),
        # An impact that ended before the earliest period lies in none.
        until.isnull() | (until > ibis.literal(b.first_start)),
    )
    i = i.select(
        "id",
        "service",
        "opened_at",
        impact_start=ibis.coalesce(i.impact_start, i.opened_at),
        until=until,
    )
    # Each incident opened by a period's end, its impact window clipped to that period: an
    # impact not ended by the end (unknown then) runs to the end.
    w = b.before_end(i, "opened_at")
    w = w.select(
        "pid",
        "id",
        "service",
        win_start=ibis.greatest(w.impact_start, w.p_start),
        win_end=ibis.least(known_at(w, w.until).fill_null(w.p_end), w.p_end),
    )
    w = w.filter(w.win_end > w.win_start)
    order = [w.win_start, w.win_end, w.id]
    before = ibis.window(group_by=[w.pid, w.service], order_by=order, rows=(None, -1))
    w = w.mutate(reach=w.win_end.max().over(before))
    w = w.mutate(opens=ibis.ifelse(w.reach.isnull() | (w.win_start > w.reach), 1, 0))
    upto = ibis.window(
        group_by=[w.pid, w.service], order_by=[w.win_start, w.win_end, w.id], rows=(None, 0)
    )
    w = w.mutate(island=w.opens.sum().over(upto))
    islands = w.group_by("pid", "service", "island").aggregate(
        s=w.win_start.min(), e=w.win_end.max(), k=w.count()
    )
    islands = islands.mutate(secs=seconds_between(islands.s, islands.e))
    per = islands.group_by("pid", "service").aggregate(secs=islands.secs.sum(), k=islands.k.sum())
    return {
        pid: {str(r["service"]): (float(r["secs"]), as_int(r["k"])) for r in rows}
        for pid, rows in b.by_period(per).items()
    }


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


def _uptimes(
    period: Period, down: Downtime, scope: list[str], names: dict[str, str]
) -> dict[str, _Uptime]:
    period_secs = (period.end_ts - period.start_ts).total_seconds()
    return {
        sid: _Uptime(names.get(sid, sid), *down.get(sid, (0.0, 0)), period_secs) for sid in scope
    }


def _named_services(b: Batch) -> dict[int, list[str]]:
    """Per period, the services named by an incident opened by its end (maintenance left out):
    the scope when the service catalogue is empty."""
    i = records_of(b, "incident")
    i = i.filter(~i.is_maintenance.fill_null(False), i.service.notnull())
    named = b.before_end(i, "opened_at").select("pid", "service").distinct()
    return {
        pid: sorted(str(r["service"]) for r in rows) for pid, rows in b.by_period(named).items()
    }


def _known_services(b: Batch, catalogue: list[str]) -> dict[int, list[str]]:
    """Per period, the catalogue as known at its end: every service with a record of its own,
    and a stub (a service the writer made from a name on another record) only once an
    incident opened by the period's end names it. So importing later incidents, whose new
    service names become stubs, never changes an earlier period's scope."""
    t = b.t("service")
    own = {str(r["id"]) for r in fetch(t.filter(t.source != AUTO_SOURCE).select("id").distinct())}
    i = records_of(b, "incident")
    named = b.before_end(i.filter(i.service.notnull()), "opened_at").select("pid", "service")
    known = set(catalogue)
    return {
        pid: sorted((own & known) | ({str(r["service"]) for r in rows} & known))
        for pid, rows in b.by_period(named.distinct()).items()
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
def availability(b: Batch) -> Results:
    """Mean over tier-1 services (all services when none has a tier) of the share of the period
    outside the union of their P1/P2 impact windows, maintenance left out."""
    services = service_catalogue(b)
    names = service_names(services)
    scopes: dict[int, list[str]]
    if any(s.tier is not None for s in services):
        tier1 = sorted(s.id for s in services if s.tier == 1)
        scopes = {pid: tier1 for pid in range(len(b.periods))}
        how = "tier-1 services"
    elif len(services):
        # "All services" as known at each period's end (_known_services).
        scopes = _known_services(b, sorted(names))
        how = "all services known at the period's end (no service has a tier)"
    else:
        # A second query, only when the catalogue is empty: the scope then depends on the
        # period (the services named by the incidents known at its end).
        scopes = _named_services(b)
        how = "services named by incidents (the service catalogue is empty)"
    down = _downtimes(b)

    def build(pid: int, period: Period) -> Measurement:
        scope = scopes[pid]
        per = _uptimes(period, down[pid], scope, names)
        n = len(per)
        ranked = sorted(
            (u for u in per.values() if u.down_secs > 0), key=lambda u: (-u.down_secs, u.name)
        )
        evidence = [
            Evidence(
                "service",
                u.name,
                f"{u.name}: {u.minutes:g} min down, {plural(u.incidents, 'incident')} "
                f"(availability {pct(u.availability, 2)})",
                u.minutes,
            )
            for u in ranked[:3]
        ]

        def records() -> ibis.Table:
            return _scoped_windows(b.context(period), scope)

        return Measurement(
            value=sum(u.availability for u in per.values()) / n if n else None,
            n=n,
            breakdown={
                "scope": how,
                "period_minutes": (period.end_ts - period.start_ts).total_seconds() / 60,
                "services": {sid: u.as_dict() for sid, u in per.items()},
            },
            evidence=evidence,
            records=records,
            note=None if n else f"no services in scope ({how})",
        )

    return b.each(build)


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
def slo_attainment(b: Batch) -> Results:
    """Share of services with an availability SLO whose availability in the period met it."""
    services = service_catalogue(b)
    names = service_names(services)
    slos = {s.id: s.slo_availability for s in services if s.slo_availability is not None}
    down = _downtimes(b)

    def build(pid: int, period: Period) -> Measurement:
        per = _uptimes(period, down[pid], sorted(slos), names)
        met = {sid for sid, u in per.items() if u.availability >= slos[sid] - _SLO_TOLERANCE}
        n = len(per)

        def over_budget(sid: str) -> float:
            """Minutes down beyond what the SLO allows in the period."""
            return (per[sid].down_secs - (1 - slos[sid] / 100) * per[sid].period_secs) / 60

        missed = sorted(
            (sid for sid in per if sid not in met), key=lambda sid: (-over_budget(sid), sid)
        )
        evidence = [
            Evidence(
                "service",
                per[sid].name,
                f"{per[sid].name}: {pct(per[sid].availability, 2)} against an SLO of "
                f"{slos[sid]:g} % ({over_budget(sid):.0f} min over its error budget)",
                per[sid].availability,
            )
            for sid in missed[:3]
        ]

        def records() -> ibis.Table:
            return _scoped_windows(b.context(period), sorted(per))

        return Measurement(
            value=100.0 * len(met) / n if n else None,
            n=n,
            breakdown={
                "met": len(met),
                "services": {
                    sid: {**u.as_dict(), "slo": slos[sid], "met": sid in met}
                    for sid, u in per.items()
                },
            },
            evidence=evidence,
            records=records,
        )

    return b.each(build)

"""The covered metrics computed the analyst's way: read the tables into pandas, filter, group.

Written from FRAMEWORK.md and docs/metrics/*.md without reading the ibis code's expressions,
so that agreement with trustmeter means something.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from bench.synthetic_org import q
from trustmeter.periods import Period
from trustmeter.store import Store

# The metrics cross-checked with pandas: those whose inputs are only incidents, changes, work
# items and services. The others (commitments, projects, budget, surveys, engagements, people,
# skills, learning) have no data here or need people (talent), and are scored but not checked.
COVERED = (
    "availability",
    "slo_attainment",
    "major_incidents",
    "mttr",
    "mtta",
    "change_failure_rate",
    "repeat_incidents",
    "unplanned_work",
    "deployment_frequency",
    "lead_time_for_changes",
    "request_lead_time",
    "aged_demand",
    "run_share",
)


READ = {
    "incident": [
        "id",
        "opened_at",
        "severity",
        "service",
        "acknowledged_at",
        "resolved_at",
        "impact_start",
        "impact_end",
        "is_maintenance",
        "caused_by_change",
        "problem",
    ],
    "change": [
        "id",
        "deployed_at",
        "service",
        "kind",
        "environment",
        "outcome",
        "created_at",
        "first_commit_at",
    ],
    "work_item": ["created_at", "done_at", "kind", "planned", "category", "effort_hours"],
    "service": ["id", "tier", "slo_availability"],
}
# Low-cardinality text read as categoricals, to keep 10M rows small.
CATEGORICAL = {"severity", "kind", "environment", "outcome", "category"}


def _arrow_types(table: str, cols: list[str]) -> dict[str, pa.DataType]:
    from trustmeter.records import kind
    from trustmeter.store.writer import arrow_type

    rk = kind(table)
    return {c: arrow_type(rk.field(c).type) for c in cols}


def read_frame(store: Store, table: str, cols: list[str]) -> pd.DataFrame:
    """SELECT the columns into a DataFrame: DuckDB hands over Arrow; PostgreSQL streams CSV
    through COPY (far faster than fetching Python tuples)."""
    sel = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(table)}"
    if store.engine == "duckdb":
        at = store.con.con.sql(sel).to_arrow_table()
    else:
        types = _arrow_types(table, cols)
        buf = io.BytesIO()
        with store.con.con.cursor() as cur, cur.copy(f"COPY ({sel}) TO STDOUT (FORMAT csv)") as cp:
            for chunk in cp:
                buf.write(chunk)
        buf.seek(0)
        at = pacsv.read_csv(
            buf,
            read_options=pacsv.ReadOptions(column_names=cols, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t", "true"],
                false_values=["f", "false"],
            ),
        )
    for c in cols:
        if c in CATEGORICAL:
            at = at.set_column(at.column_names.index(c), c, at.column(c).dictionary_encode())
    return at.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)


def read_frames(store: Store) -> dict[str, pd.DataFrame]:
    return {t: read_frame(store, t, cols) for t, cols in READ.items()}


def _at_or_above(level: str) -> list[str]:
    return [f"P{k}" for k in range(1, int(level[1:]) + 1)]


class PandasScorecard:
    """The covered metrics, computed from FRAMEWORK.md and the decisions in docs/metrics/."""

    def __init__(self, frames: dict[str, pd.DataFrame], params: dict[str, Any]) -> None:
        self.params = params
        inc = frames["incident"]
        # Planned maintenance is not an incident, for every stability metric.
        inc = inc[~inc.is_maintenance.fillna(False).astype(bool)].copy()
        inc["imp_start"] = inc.impact_start.fillna(inc.opened_at)
        inc["imp_end"] = inc.impact_end.fillna(inc.resolved_at)
        key = inc.problem.str.strip().str.lower()
        inc["pkey"] = key.where(key != "")
        self.inc = inc

        ch = frames["change"].copy()
        env = ch.environment.astype("string").str.strip().str.lower()
        prod_envs = [str(e).strip().lower() for e in params["production_environments"]]
        ch = ch[env.isna() | (env == "") | env.isin(prod_envs)].copy()
        outcome = ch.outcome.astype("string").str.strip().str.lower()
        ch["ok"] = (outcome.isna() | (outcome == "success")).astype(bool)
        ch["bad_outcome"] = outcome.isin(["failed", "rolled_back"]).fillna(False).astype(bool)
        self.prod = ch

        self.wi = frames["work_item"]
        self.services = frames["service"]
        self.major = _at_or_above(params["major_severity"])

    def all(self, p: Period) -> dict[str, tuple[float | None, int]]:
        return {m: getattr(self, m)(p) for m in COVERED}

    # -- stability ------------------------------------------------------------------------
    def major_incidents(self, p: Period) -> tuple[float | None, int]:
        i = self.inc
        opened = i[(i.opened_at >= p.start_ts) & (i.opened_at < p.end_ts)]
        k = int(opened.severity.isin(self.major).sum())
        return k / (p.days / (365.25 / 12)), len(opened)

    def _median_time_to(self, p: Period, col: str, per: float) -> tuple[float | None, int]:
        i = self.inc
        at = i[col]
        sel = i[
            i.severity.isin(self.major) & (at >= p.start_ts) & (at < p.end_ts) & (at >= i.opened_at)
        ]
        secs = (sel[col] - sel.opened_at).dt.total_seconds() / per
        return (float(secs.median()) if len(sel) else None), len(sel)

    def mttr(self, p: Period) -> tuple[float | None, int]:
        return self._median_time_to(p, "resolved_at", 3600)

    def mtta(self, p: Period) -> tuple[float | None, int]:
        return self._median_time_to(p, "acknowledged_at", 60)

    def _downtime(self, p: Period) -> pd.Series:
        """Seconds of the period inside the union of each service's impact windows."""
        i = self.inc
        levels = _at_or_above(self.params["availability_severity"])
        w = i[(i.opened_at < p.end_ts) & i.severity.isin(levels) & i.service.notna()]
        end_known = w.imp_end.where(w.imp_end < p.end_ts)  # not yet ended at the period's end
        w = pd.DataFrame(
            {
                "service": w.service,
                "start": w.imp_start.clip(lower=p.start_ts),
                "end": end_known.fillna(p.end_ts).clip(upper=p.end_ts),
            }
        )
        w = w[w.end > w.start].sort_values(["service", "start", "end"])
        if w.empty:
            return pd.Series(dtype=float)
        reach = w.groupby("service", observed=True).end.cummax()
        before = reach.groupby(w.service, observed=True).shift(1)
        island = (before.isna() | (w.start > before)).cumsum()
        isl = w.groupby(island).agg(
            service=("service", "first"), s=("start", "min"), e=("end", "max")
        )
        return (isl.e - isl.s).dt.total_seconds().groupby(isl.service).sum()

    def _availability(self, p: Period, scope: list[str]) -> dict[str, float]:
        down = self._downtime(p)
        secs = (p.end_ts - p.start_ts).total_seconds()
        return {s: 100.0 * (1.0 - float(down.get(s, 0.0)) / secs) for s in scope}

    def availability(self, p: Period) -> tuple[float | None, int]:
        s = self.services
        scope = sorted(s.id[s.tier == 1]) if s.tier.notna().any() else sorted(s.id)
        per = self._availability(p, scope)
        return (sum(per.values()) / len(per) if per else None), len(per)

    def slo_attainment(self, p: Period) -> tuple[float | None, int]:
        s = self.services[self.services.slo_availability.notna()]
        slo = dict(zip(s.id, s.slo_availability, strict=True))
        per = self._availability(p, sorted(slo))
        met = sum(1 for sid, a in per.items() if a >= slo[sid] - 1e-9)
        return (100.0 * met / len(per) if per else None), len(per)

    def change_failure_rate(self, p: Period) -> tuple[float | None, int]:
        c, i = self.prod, self.inc
        window = pd.Timedelta(hours=float(self.params["attribution_window_hours"]))
        in_period = c[(c.deployed_at >= p.start_ts) & (c.deployed_at < p.end_ts)]
        if in_period.empty:
            return None, 0
        known = i[i.opened_at < p.end_ts]
        named = set(known.caused_by_change.dropna())
        # The latest successful production change on the incident's service deployed at most
        # `window` before it opened (inclusive); changes deployed at the same instant all count.
        loose = known[
            known.caused_by_change.isna() & known.service.notna() & (known.opened_at >= p.start_ts)
        ][["service", "opened_at"]].sort_values("opened_at")
        ok = c[c.ok & (c.deployed_at >= p.start_ts - window) & (c.deployed_at < p.end_ts)]
        ok = ok[["id", "service", "deployed_at"]].sort_values("deployed_at")
        hit = pd.merge_asof(
            loose,
            ok[["service", "deployed_at"]],
            left_on="opened_at",
            right_on="deployed_at",
            by="service",
            direction="backward",
            tolerance=window,
        ).dropna(subset=["deployed_at"])
        hit = hit[["service", "deployed_at"]].drop_duplicates()
        blamed = set(ok.merge(hit, on=["service", "deployed_at"]).id)
        failed = in_period.bad_outcome | in_period.id.isin(named) | in_period.id.isin(blamed)
        return 100.0 * int(failed.sum()) / len(in_period), len(in_period)

    def repeat_incidents(self, p: Period) -> tuple[float | None, int]:
        i = self.inc
        back = pd.Timedelta(days=int(self.params["repeat_window_days"]))
        pop = i[
            (i.opened_at >= p.start_ts)
            & (i.opened_at < p.end_ts)
            & i.severity.isin(_at_or_above("P3"))
        ]
        if pop.empty:
            return None, 0
        cand = pop[pop.service.notna() & pop.pkey.notna()][["service", "pkey", "opened_at"]]
        prior = i[
            (i.opened_at < p.end_ts)
            & (i.opened_at >= p.start_ts - back)
            & i.service.notna()
            & i.pkey.notna()
        ][["service", "pkey", "opened_at"]].rename(columns={"opened_at": "prev_at"})
        rep = pd.merge_asof(
            cand.sort_values("opened_at"),
            prior.sort_values("prev_at"),
            left_on="opened_at",
            right_on="prev_at",
            by=["service", "pkey"],
            direction="backward",
            tolerance=back,
            allow_exact_matches=False,  # strictly before: same-instant incidents don't repeat
        )
        return 100.0 * int(rep.prev_at.notna().sum()) / len(pop), len(pop)

    def unplanned_work(self, p: Period) -> tuple[float | None, int]:
        w = self.wi
        d = w[(w.done_at >= p.start_ts) & (w.done_at < p.end_ts)]
        if d.empty:
            return None, 0
        is_incident = (d.kind == "incident").fillna(False).astype(bool)
        unplanned = (~d.planned).fillna(is_incident).astype(bool)
        effort = d.effort_hours
        if effort.notna().all() and effort.sum() > 0:
            return 100.0 * float(effort[unplanned].sum()) / float(effort.sum()), len(d)
        return 100.0 * int(unplanned.sum()) / len(d), len(d)

    # -- delivery -------------------------------------------------------------------------
    def deployment_frequency(self, p: Period) -> tuple[float | None, int]:
        c = self.prod
        d = c[
            (c.deployed_at >= p.start_ts)
            & (c.deployed_at < p.end_ts)
            & (c.kind.isna() | (c.kind == "deployment"))
            & c.ok
        ]
        days = d.deployed_at.dt.normalize().nunique()
        return days / (p.days / 7), len(d)

    def lead_time_for_changes(self, p: Period) -> tuple[float | None, int]:
        c = self.prod
        c = c[(c.deployed_at >= p.start_ts) & (c.deployed_at < p.end_ts) & c.ok]
        started = c.first_commit_at.fillna(c.created_at)
        keep = started.notna() & (started <= c.deployed_at)
        hours = (c.deployed_at[keep] - started[keep]).dt.total_seconds() / 3600
        return (float(hours.median()) if len(hours) else None), len(hours)

    def request_lead_time(self, p: Period) -> tuple[float | None, int]:
        w = self.wi
        d = w[
            (w.done_at >= p.start_ts)
            & (w.done_at < p.end_ts)
            & (w.done_at >= w.created_at)
            & (w.kind.isna() | ~w.kind.isin(["epic", "incident"]))
        ]
        days = (d.done_at - d.created_at).dt.total_seconds() / 86400
        return (float(days.quantile(0.85)) if len(d) else None), len(d)

    def aged_demand(self, p: Period) -> tuple[float | None, int]:
        w = self.wi
        cutoff = p.end_ts - pd.Timedelta(days=int(self.params["aged_demand_days"]))
        open_ = w[
            (w.kind == "request")
            & (w.created_at < p.end_ts)
            & (w.done_at.isna() | (w.done_at >= p.end_ts))
        ]
        if open_.empty:
            return None, 0
        return 100.0 * int((open_.created_at < cutoff).sum()) / len(open_), len(open_)

    # -- planning -------------------------------------------------------------------------
    def run_share(self, p: Period) -> tuple[float | None, int]:
        # No budget lines in this organisation: the effort of work done in the period.
        w = self.wi
        d = w[
            (w.done_at >= p.start_ts)
            & (w.done_at < p.end_ts)
            & w.effort_hours.notna()
            & w.category.notna()
            & (w.kind.isna() | ~w.kind.isin(["epic", "incident"]))
        ]
        by = d.groupby("category", observed=True).effort_hours.sum()
        total = float(by.sum())
        if total <= 0:
            return None, 0
        return 100.0 * float(by.get("run", 0.0)) / total, len(d)

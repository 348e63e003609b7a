"""The floor: the scorecard bench's covered metrics in hand-written DuckDB SQL.

`floor_values(con, periods, params)` computes every metric in `bench.scorecard_bench.COVERED`
for every period at once (the records joined with a VALUES list of the periods), one query per
metric (availability and slo_attainment share one), on a raw duckdb connection: no ibis, no
Python per row. It is what the database does alone, the lower bound the bench sets
trustmeter's time against.

The definitions are exactly those of `PandasScorecard` (docs/metrics/stability.md,
delivery.md, planning.md): maintenance incidents (`is_maintenance = true`) are left out of
every stability metric; everything is "as known at the period's end" (an incident opened, a
change deployed, a work item done, an impact ended at or after `end` has not happened yet);
production environments are compared trimmed and lower-cased (no environment counts as
production); the attribution window for change_failure_rate takes the latest successful
production change on the incident's service deployed at most `attribution_window_hours`
before it opened (inclusive; changes at that same instant all count); a repeat is an incident
whose (service, problem) was seen strictly before it within `repeat_window_days`
(inclusive); unplanned_work is by effort when every item done has effort hours (and they sum
above 0), by count otherwise.

The bench's records hold one source (`source = 'bench'`), so there is no deduplication by id
here: trustmeter's "one record per id" rule changes nothing on this data.
"""

from __future__ import annotations

from typing import Any

from trustmeter.periods import Period

Values = dict[tuple[str, Period], tuple[float | None, int]]

# Incidents as the stability metrics see them: planned maintenance is not an incident.
_INC = "(SELECT * FROM incident WHERE NOT coalesce(is_maintenance, false))"


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")" if values else "(NULL)"


def _at_or_above(level: str) -> list[str]:
    return [f"P{k}" for k in range(1, int(level[1:]) + 1)]


def _periods_sql(periods: list[Period]) -> str:
    rows = ", ".join(
        f"({i}, TIMESTAMP '{p.start_ts:%Y-%m-%d %H:%M:%S}', "
        f"TIMESTAMP '{p.end_ts:%Y-%m-%d %H:%M:%S}', {p.days})"
        for i, p in enumerate(periods)
    )
    return f"(SELECT * FROM (VALUES {rows}) v(pid, ps, pe, days))"


def _prod_sql(params: dict[str, Any]) -> str:
    """Production changes (trimmed, lower-cased environment; none counts as production), with
    ok (outcome none or success) and bad (failed or rolled back)."""
    envs = [str(e).strip().lower() for e in params["production_environments"]]
    return f"""(
      SELECT id, service, deployed_at, kind, created_at, first_commit_at,
        o IS NULL OR o = 'success' AS ok, coalesce(o IN ('failed', 'rolled_back'), false) AS bad
      FROM (SELECT *, lower(trim(environment)) AS env, lower(trim(outcome)) AS o FROM change)
      WHERE env IS NULL OR env = '' OR env IN {_in_list(envs)})"""


def _queries(periods: list[Period], params: dict[str, Any]) -> dict[str, str]:
    """metric -> SQL returning (pid, value, n) rows; a period with no row has no data."""
    P = _periods_sql(periods)
    prod = _prod_sql(params)
    major = _in_list(_at_or_above(params["major_severity"]))
    avail = _in_list(_at_or_above(params["availability_severity"]))
    repeat_sev = _in_list(_at_or_above("P3"))
    window_h = float(params["attribution_window_hours"])
    back_d = int(params["repeat_window_days"])
    aged_d = int(params["aged_demand_days"])
    not_epic = "(kind IS NULL OR kind NOT IN ('epic', 'incident'))"
    month = 365.25 / 12
    # Every period lies in [lo, hi): filtering the records to it first spares the range joins
    # most of the history.
    lo = f"TIMESTAMP '{min(p.start_ts for p in periods):%Y-%m-%d %H:%M:%S}'"
    hi = f"TIMESTAMP '{max(p.end_ts for p in periods):%Y-%m-%d %H:%M:%S}'"
    first_end = f"TIMESTAMP '{min(p.end_ts for p in periods):%Y-%m-%d %H:%M:%S}'"
    window = f"to_microseconds({round(window_h * 3600e6)})"

    def within(table: str, col: str) -> str:
        return f"(SELECT * FROM {table} WHERE {col} >= {lo} AND {col} < {hi})"

    def median_time_to(col: str, per: float) -> str:
        return f"""
        SELECT pid, median((epoch_us({col}) - epoch_us(opened_at)) / 1e6 / {per}), count(*)
        FROM {P} p JOIN {within(_INC, col)} i ON i.{col} >= p.ps AND i.{col} < p.pe
        WHERE i.severity IN {major} AND i.{col} >= i.opened_at
        GROUP BY pid"""

    return {
        "major_incidents": f"""
        SELECT pid, count(*) FILTER (WHERE severity IN {major}) / (any_value(days) / {month}),
          count(*)
        FROM {P} p JOIN {within(_INC, "opened_at")} i
          ON i.opened_at >= p.ps AND i.opened_at < p.pe
        GROUP BY pid""",
        "mttr": median_time_to("resolved_at", 3600),
        "mtta": median_time_to("acknowledged_at", 60),
        # availability and slo_attainment, from one downtime computation: each service's
        # impact windows clipped to the period, their union by gaps and islands.
        "availability+slo": f"""
        WITH w AS (
          SELECT pid, i.service,
            greatest(coalesce(i.impact_start, i.opened_at), p.ps) AS s,
            least(CASE WHEN coalesce(i.impact_end, i.resolved_at) < p.pe
                       THEN coalesce(i.impact_end, i.resolved_at) ELSE p.pe END, p.pe) AS e
          FROM {P} p JOIN (SELECT * FROM {_INC} WHERE opened_at < {hi}) i ON i.opened_at < p.pe
          WHERE i.severity IN {avail} AND i.service IS NOT NULL
        ), r AS (
          SELECT *, max(e) OVER (PARTITION BY pid, service ORDER BY s, e
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
          FROM w WHERE e > s
        ), isl AS (
          SELECT *, sum(CASE WHEN before IS NULL OR s > before THEN 1 ELSE 0 END)
                      OVER (PARTITION BY pid, service ORDER BY s, e ROWS UNBOUNDED PRECEDING)
                      AS island
          FROM r
        ), down AS (
          SELECT pid, service, sum(us) / 1e6 AS down_s
          FROM (SELECT pid, service, epoch_us(max(e)) - epoch_us(min(s)) AS us
                FROM isl GROUP BY pid, service, island)
          GROUP BY pid, service
        ), has_tier AS (SELECT count(tier) > 0 AS t FROM service),
        per AS (
          SELECT p.pid, s.id, s.tier, s.slo_availability AS slo,
            100.0 * (1.0 - coalesce(d.down_s, 0.0) / (p.days * 86400.0)) AS a
          FROM {P} p CROSS JOIN service s
          LEFT JOIN down d ON d.pid = p.pid AND d.service = s.id
        )
        SELECT pid,
          avg(a) FILTER (WHERE NOT (SELECT t FROM has_tier) OR tier = 1),
          count(*) FILTER (WHERE NOT (SELECT t FROM has_tier) OR tier = 1),
          100.0 * count(*) FILTER (WHERE slo IS NOT NULL AND a >= slo - 1e-9)
            / nullif(count(slo), 0),
          count(slo)
        FROM per GROUP BY pid""",
        "change_failure_rate": f"""
        WITH prod AS {prod},
        okc AS (
          SELECT service, deployed_at FROM prod
          WHERE ok AND deployed_at >= {lo} - {window} AND deployed_at < {hi}
        ),
        loose AS (
          SELECT service, opened_at FROM {within(_INC, "opened_at")}
          WHERE caused_by_change IS NULL AND service IS NOT NULL
        ),
        -- each incident's latest successful production change on its service, if within the
        -- window: every change at that (service, instant) is blamed from the incident's
        -- opening on (the earliest such incident is what matters for a period).
        hit AS (
          SELECT l.service, c.deployed_at, min(l.opened_at) AS first_hit
          FROM loose l ASOF JOIN okc c
            ON l.service = c.service AND l.opened_at >= c.deployed_at
          WHERE l.opened_at <= c.deployed_at + {window}
          GROUP BY ALL
        ),
        named AS (
          SELECT caused_by_change AS id, min(opened_at) AS first_named FROM {_INC}
          WHERE caused_by_change IS NOT NULL AND opened_at < {hi} GROUP BY ALL
        )
        SELECT pid,
          100.0 * count(*) FILTER (WHERE c.bad OR n.first_named < p.pe
                                   OR (c.ok AND h.first_hit < p.pe)) / count(*),
          count(*)
        FROM {P} p JOIN {within("prod", "deployed_at")} c
          ON c.deployed_at >= p.ps AND c.deployed_at < p.pe
        LEFT JOIN named n ON n.id = c.id
        LEFT JOIN hit h ON h.service = c.service AND h.deployed_at = c.deployed_at
        GROUP BY pid""",
        "repeat_incidents": f"""
        WITH keyed AS (
          SELECT id, service, opened_at,
            nullif(lower(trim(problem)), '') AS pkey
          FROM {_INC}
          WHERE opened_at >= {lo} - INTERVAL {back_d} DAY AND opened_at < {hi}
        ), rep AS (
          -- the earliest (service, problem) incident within the window up to this instant:
          -- a repeat when it is strictly earlier
          SELECT id, min(opened_at) OVER (
              PARTITION BY service, pkey ORDER BY opened_at
              RANGE BETWEEN INTERVAL {back_d} DAY PRECEDING AND CURRENT ROW
            ) < opened_at AS is_repeat
          FROM keyed WHERE service IS NOT NULL AND pkey IS NOT NULL
        )
        SELECT pid, 100.0 * count(*) FILTER (WHERE r.is_repeat) / count(*), count(*)
        FROM {P} p JOIN {within(_INC, "opened_at")} i
          ON i.opened_at >= p.ps AND i.opened_at < p.pe
        LEFT JOIN rep r ON r.id = i.id
        WHERE i.severity IN {repeat_sev}
        GROUP BY pid""",
        "unplanned_work": f"""
        SELECT pid,
          CASE WHEN count(effort_hours) = count(*) AND sum(effort_hours) > 0
               THEN 100.0 * coalesce(sum(effort_hours) FILTER (WHERE u), 0) / sum(effort_hours)
               ELSE 100.0 * count(*) FILTER (WHERE u) / count(*) END,
          count(*)
        FROM (
          SELECT pid, effort_hours,
            coalesce(NOT planned, coalesce(kind = 'incident', false)) AS u
          FROM {P} p JOIN {within("work_item", "done_at")} w ON w.done_at >= p.ps AND w.done_at < p.pe)
        GROUP BY pid""",
        "deployment_frequency": f"""
        SELECT pid, count(DISTINCT c.deployed_at::DATE) / (any_value(days) / 7), count(*)
        FROM {P} p JOIN {within(prod, "deployed_at")} c ON c.deployed_at >= p.ps AND c.deployed_at < p.pe
        WHERE (c.kind IS NULL OR c.kind = 'deployment') AND c.ok
        GROUP BY pid""",
        "lead_time_for_changes": f"""
        SELECT pid,
          median((epoch_us(c.deployed_at)
                  - epoch_us(coalesce(c.first_commit_at, c.created_at))) / 1e6 / 3600),
          count(*)
        FROM {P} p JOIN {within(prod, "deployed_at")} c ON c.deployed_at >= p.ps AND c.deployed_at < p.pe
        WHERE c.ok AND coalesce(c.first_commit_at, c.created_at) <= c.deployed_at
        GROUP BY pid""",
        "request_lead_time": f"""
        SELECT pid,
          quantile_cont((epoch_us(w.done_at) - epoch_us(w.created_at)) / 1e6 / 86400, 0.85),
          count(*)
        FROM {P} p JOIN {within("work_item", "done_at")} w ON w.done_at >= p.ps AND w.done_at < p.pe
        WHERE w.done_at >= w.created_at AND {not_epic}
        GROUP BY pid""",
        "aged_demand": f"""
        SELECT pid,
          100.0 * count(*) FILTER (WHERE w.created_at < p.pe - INTERVAL {aged_d} DAY)
            / count(*),
          count(*)
        FROM {P} p JOIN (
          SELECT created_at, done_at FROM work_item
          WHERE kind = 'request' AND created_at < {hi}
            AND (done_at IS NULL OR done_at >= {first_end})
        ) w
          ON w.created_at < p.pe AND (w.done_at IS NULL OR w.done_at >= p.pe)
        GROUP BY pid""",
        "run_share": f"""
        SELECT pid,
          CASE WHEN sum(effort_hours) > 0 THEN 100.0
            * coalesce(sum(effort_hours) FILTER (WHERE category = 'run'), 0)
            / sum(effort_hours) END,
          CASE WHEN sum(effort_hours) > 0 THEN count(*) ELSE 0 END
        FROM {P} p JOIN {within("work_item", "done_at")} w ON w.done_at >= p.ps AND w.done_at < p.pe
        WHERE w.effort_hours IS NOT NULL AND w.category IS NOT NULL AND {not_epic}
        GROUP BY pid""",
    }


# A period with no row: what the metric is on no data (rates per month/week are 0, the rest
# have no value).
_EMPTY: dict[str, tuple[float | None, int]] = {
    "major_incidents": (0.0, 0),
    "deployment_frequency": (0.0, 0),
}


def floor_values(con: Any, periods: list[Period], params: dict[str, Any]) -> Values:
    """Every covered metric's (value, n) for every period, in DuckDB SQL on `con` (a raw duckdb
    connection to a workspace's database: `store.con.con`)."""
    out: Values = {}
    if not periods:
        return out
    for mid, sql in _queries(periods, params).items():
        rows = {int(r[0]): r[1:] for r in con.execute(sql).fetchall()}
        for i, p in enumerate(periods):
            r = rows.get(i)
            if mid == "availability+slo":
                av, an, sv, sn = r if r is not None else (None, 0, None, 0)
                out[("availability", p)] = (None if av is None else float(av), int(an))
                out[("slo_attainment", p)] = (None if sv is None else float(sv), int(sn))
                continue
            if r is None:
                out[(mid, p)] = _EMPTY.get(mid, (None, 0))
            else:
                out[(mid, p)] = (None if r[0] is None else float(r[0]), int(r[1]))
    return out

"""The scorecard bench's synthetic organisation, generated in DuckDB SQL and loaded as-is.

250 services in three tiers, 40 teams, 1,500 people, and six years of work items, incidents
and changes ending on END, from range() and hash-based random numbers (no Python row objects),
loaded straight into a fresh workspace's tables: the canonical fields plus what the writer
stores (source/source_id/row_hash/imported_at). The importer is never run.
"""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa

from trustmeter.store import Store

SEED = 20260214
# The export date: nothing in the generated data happens at or after it. The scorecard's
# quarter is the last complete one before it (2025-Q3), so records after the period's end
# exist, as they do in real data scored after the fact.
END = dt.datetime(2025, 11, 15)
START = END - dt.timedelta(days=6 * 365)
# Effort hours are recorded on every item done from this date on (a timesheet tool arrived),
# and on 85 % before it: unplanned_work is by effort in 2025 and by count before.
EFFORT_ALWAYS_FROM = dt.datetime(2025, 1, 1)
IMPORTED_AT = "2025-11-15 06:00:00"
SERVICES, TEAMS, PEOPLE = 250, 40, 1500
UNITS = ["Finance", "Sales", "Operations", "HR", "Marketing", "Legal", "Logistics", "Service"]


def _epoch(t: dt.datetime) -> int:
    return int((t - dt.datetime(1970, 1, 1)).total_seconds())


def _macros(seed: int) -> list[str]:
    """Deterministic random numbers: a hash of (row, draw, seed), so the data does not depend
    on DuckDB's thread scheduling as random() would."""
    return [
        "CREATE OR REPLACE TEMP MACRO tm_u(i, k) AS "
        f"(((hash(i::BIGINT, k::BIGINT, {seed}::BIGINT) >> 11)::DOUBLE + 0.5) "
        "/ 9007199254740992.0)",
        "CREATE OR REPLACE TEMP MACRO tm_z(i, k) AS "
        "(sqrt(-2.0 * ln(tm_u(i, k))) * cos(2.0 * pi() * tm_u(i, k + 1000)))",
        "CREATE OR REPLACE TEMP MACRO tm_logn(i, k, median, sigma) AS "
        "(exp(ln(median) + sigma * tm_z(i, k)))",
        "CREATE OR REPLACE TEMP MACRO tm_ts(sec) AS (make_timestamp((sec)::BIGINT * 1000000))",
    ]


def _units_sql(u: str) -> str:
    names = ", ".join(f"'{x}'" for x in UNITS)
    return f"[{names}][1 + floor({u} * {len(UNITS)})::INTEGER]"


BOOKKEEPING = (
    "'bench' AS source, id AS source_id, printf('%016x', hash(id)) AS row_hash, "
    f"NULL::TEXT AS origin, TIMESTAMP '{IMPORTED_AT}' AS imported_at"
)


def services_sql() -> str:
    # Tiers are scattered over the index (37 is coprime with 250) so that tier 1 is not
    # simply the services that get the most incidents.
    return f"""
    WITH s AS (SELECT i, (i * 37 + 11) % {SERVICES} AS r FROM range({SERVICES}) t(i))
    SELECT printf('SVC-%04d', i) AS id, printf('Service %03d', i) AS name,
      CASE WHEN r < 30 THEN 1 WHEN r < 110 THEN 2 ELSE 3 END AS tier,
      printf('team-%02d', i % {TEAMS}) AS owner_team,
      {_units_sql("tm_u(i, 1)")} AS business_unit,
      CASE WHEN r < 30 THEN [99.9, 99.95, 99.5][1 + i % 3]
           WHEN r < 110 AND i % 2 = 0 THEN 99.0 END AS slo_availability
    FROM s"""


def teams_sql() -> str:
    return f"""SELECT printf('team-%02d', i) AS id, printf('Team %02d', i) AS name
    FROM range({TEAMS}) t(i)"""


def people_sql() -> str:
    start, end = _epoch(START), _epoch(END)
    return f"""
    WITH p AS (
      SELECT i, {start} - 3 * 365 * 86400 + floor(tm_u(i, 1) * 8 * 365 * 86400)::BIGINT AS st,
        tm_u(i, 2) AS ul, tm_u(i, 3) AS uk, tm_u(i, 4) AS ur, tm_u(i, 5) AS uc
      FROM range({PEOPLE}) t(i))
    SELECT printf('P%05d', i) AS id, printf('team-%02d', i % {TEAMS}) AS team,
      ['engineer', 'analyst', 'lead', 'sre', 'support'][1 + i % 5] AS role,
      tm_ts(least(st, {end} - 86400))::DATE AS started_on,
      CASE WHEN ul < 0.2 AND st + 30 * 86400 + floor(tm_logn(i, 6, 2 * 365 * 86400, 0.8))
        < {end} THEN tm_ts(st + 30 * 86400 + floor(tm_logn(i, 6, 2 * 365 * 86400, 0.8)))::DATE
      END AS left_on,
      CASE WHEN ul < 0.2 THEN CASE WHEN uk < 0.7 THEN 'voluntary' ELSE 'involuntary' END
      END AS leave_kind,
      CASE WHEN ul < 0.2 AND uk < 0.7 THEN ur < 0.5 END AS regretted,
      uc < 0.25 AS on_call
    FROM p"""


# Every generated value is a pure function of the row number, so a row can recompute another
# row's values: that is how the edge cases below pair up without a join.
def _change_dep(x: str, n: int) -> str:
    """Change x's deployment second: spread over the span in id order; 30 % leave on the hour
    (release trains)."""
    start, span = _epoch(START), _epoch(END) - _epoch(START)
    raw = f"({start} + floor(({x} + tm_u({x}, 1)) * {span} / {n})::BIGINT)"
    return f"(CASE WHEN tm_u({x}, 10) < 0.3 THEN {raw} - {raw} % 3600 ELSE {raw} END)"


def _change_svc(x: str) -> str:
    return f"floor({SERVICES} * pow(tm_u({x}, 2), 1.3))::BIGINT"


def _twin(x: str) -> str:
    """2 % of changes ship with the change before them: same service, same instant (ties)."""
    return f"(CASE WHEN {x} > 0 AND tm_u({x}, 11) < 0.02 THEN {x} - 1 ELSE {x} END)"


def changes_sql(n: int) -> str:
    # Ids follow deployment time, so an incident's caused_by_change can name a recent change.
    return f"""
    WITH b AS (
      SELECT i, {_change_dep(_twin("i"), n)} AS dep_s, {_change_svc(_twin("i"))} AS svc,
        tm_u(i, 3) AS uk, tm_u(i, 4) AS ue, tm_u(i, 5) AS uo, tm_u(i, 6) AS uc, tm_u(i, 7) AS uf
      FROM range({n}) t(i)
    )
    SELECT printf('CHG%08d', i) AS id,
      tm_ts(dep_s) AS deployed_at,
      printf('SVC-%04d', svc) AS service,
      CASE WHEN uk < 0.70 THEN 'deployment' WHEN uk < 0.85 THEN 'standard'
           WHEN uk < 0.95 THEN 'normal' WHEN uk < 0.98 THEN 'emergency' END AS kind,
      CASE WHEN ue < 0.55 THEN 'production' WHEN ue < 0.60 THEN 'prod'
           WHEN ue < 0.61 THEN ' Production ' WHEN ue < 0.63 THEN 'prod-eu'
           WHEN ue < 0.80 THEN 'staging' WHEN ue < 0.95 THEN 'test' END AS environment,
      CASE WHEN uo < 0.84 THEN 'success' WHEN uo < 0.89 THEN 'failed'
           WHEN uo < 0.92 THEN 'rolled_back' END AS outcome,
      CASE WHEN uc < 0.95 THEN tm_ts(dep_s - floor(tm_logn(i, 8, 259200, 1.0))) END AS created_at,
      CASE WHEN uf < 0.70 THEN tm_ts(dep_s - floor(tm_logn(i, 9, 72000, 1.3)))
           WHEN uf < 0.705 THEN tm_ts(dep_s + 3600) END AS first_commit_at,
      printf('Release %d', i) AS title,
      {BOOKKEEPING}
    FROM b"""


def _inc_sev(x: str) -> str:
    u = f"tm_u({x}, 2)"
    return (
        f"(CASE WHEN {u} < 0.001 THEN 'P1' WHEN {u} < 0.006 THEN 'P2' WHEN {u} < 0.156 THEN 'P3' "
        f"WHEN {u} < 0.706 THEN 'P4' WHEN {u} < 0.99 THEN 'P5' END)"
    )


def _inc_opened(x: str) -> str:
    """A fifth open on the hour (batched alerts): same-instant incidents and period edges."""
    start, span = _epoch(START), _epoch(END) - _epoch(START)
    raw = f"({start} + floor(tm_u({x}, 1) * {span})::BIGINT)"
    return f"(CASE WHEN tm_u({x}, 20) < 0.2 THEN {raw} - {raw} % 3600 ELSE {raw} END)"


def _inc_svc(x: str) -> str:
    """Major incidents fall evenly on the services; the noise (P3-P5) mostly on a few noisy
    ones, and most P4/P5 (desk tickets) name no service at all."""
    u, usvc, uhas = f"tm_u({x}, 2)", f"tm_u({x}, 3)", f"tm_u({x}, 4)"
    svc = (
        f"(CASE WHEN {u} < 0.006 THEN floor({usvc} * {SERVICES}) "
        f"ELSE floor({SERVICES} * pow({usvc}, 3)) END)::BIGINT"
    )
    has = f"(CASE WHEN {u} < 0.156 THEN {uhas} < 0.95 ELSE {uhas} < 0.25 END)"
    return f"(CASE WHEN {has} THEN {svc} END)"


def _inc_problem(x: str) -> str:
    """A third carry a problem: one of six per service, a few written '  prb-…  '; a few ''."""
    uprb, svc = f"tm_u({x}, 10)", f"coalesce({_inc_svc(x)}, {x} % {SERVICES})"
    key = f"printf('PRB-%04d-%d', {svc}, floor(tm_u({x}, 17) * 6)::BIGINT)"
    return (
        f"(CASE WHEN {uprb} < 0.35 AND tm_u({x}, 16) < 0.02 THEN '  ' || lower({key}) || ' ' "
        f"WHEN {uprb} < 0.35 THEN {key} WHEN {uprb} < 0.36 THEN '' END)"
    )


def incidents_sql(n: int, n_changes: int) -> str:
    start, end, span = _epoch(START), _epoch(END), _epoch(END) - _epoch(START)
    subjects = (
        "['Login slow', 'Disk full', 'Checkout 500s', 'VPN drops', 'Printer offline', "
        "'Nightly export failed', 'Certificate expiring', 'Password reset']"
    )
    near = (
        f"greatest(0, least({n_changes - 1}, floor(({_inc_opened('i')} - {start}) / {span} "
        f"* {n_changes})::BIGINT - floor(tm_u(i, 15) * 40)::BIGINT))"
    )
    # Edge cases, by tm_u(i, 21): 3 % recur an ordinary incident i - 1 (same service and
    # problem) exactly 30 days, 30 days + 1 s, 0 s or 29 days later; 2 % are the fallout of
    # change c, opened exactly 24 h, 24 h + 1 s, 0 s or up to a day after it on its service.
    plain_prev = "i > 0 AND tm_u(i - 1, 21) >= 0.05"
    offset = "floor(tm_u(i, 22) * 4)::BIGINT"
    return f"""
    WITH b AS (
      SELECT i, tm_u(i, 21) AS ur, {near} AS c
      FROM range({n}) t(i)
    ), e AS (
      SELECT *, ur < 0.03 AND {plain_prev} AS recurs, ur >= 0.03 AND ur < 0.05 AS fallout
      FROM b
    ), s AS (
      SELECT *,
        CASE WHEN recurs THEN 'P3' ELSE {_inc_sev("i")} END AS severity,
        CASE WHEN recurs THEN {_inc_opened("i - 1")}
               + [30 * 86400, 30 * 86400 + 1, 0, 29 * 86400][1 + {offset}]
             WHEN fallout THEN {_change_dep(_twin("c"), n_changes)}
               + [86400, 86401, 0, floor(tm_u(i, 23) * 86400)::BIGINT][1 + {offset}]
             ELSE {_inc_opened("i")} END AS opened_s,
        CASE WHEN recurs THEN {_inc_svc("i - 1")}
             WHEN fallout THEN {_change_svc(_twin("c"))}
             ELSE {_inc_svc("i")} END AS svc,
        CASE WHEN recurs THEN {_inc_problem("i - 1")} ELSE {_inc_problem("i")} END AS problem
      FROM e
    ), v AS (
      SELECT *,
        opened_s + (CASE WHEN severity IN ('P1', 'P2') THEN tm_logn(i, 5, 360, 1.0)
                         ELSE tm_logn(i, 5, 3600, 1.2) END)::BIGINT AS ack_s,
        opened_s + (CASE severity WHEN 'P1' THEN tm_logn(i, 6, 5400, 1.0)
                                  WHEN 'P2' THEN tm_logn(i, 6, 14400, 1.1)
                                  WHEN 'P3' THEN tm_logn(i, 6, 86400, 1.2)
                                  WHEN 'P4' THEN tm_logn(i, 6, 259200, 1.2)
                                  ELSE tm_logn(i, 6, 864000, 1.3) END)::BIGINT AS res_s,
        tm_u(i, 7) AS uimp, tm_u(i, 8) AS umaint, tm_u(i, 9) AS ucause
      FROM s
      WHERE opened_s < {end}
    ), r AS (
      SELECT *,
        res_s < {end} AND NOT (coalesce(severity, 'P5') NOT IN ('P1', 'P2')
                               AND tm_u(i, 11) < 0.003) AS resolved,
        opened_s - floor(tm_logn(i, 12, 300, 1.0))::BIGINT AS imp_start_s
      FROM v
    )
    SELECT printf('INC%09d', i) AS id,
      tm_ts(opened_s) AS opened_at,
      severity,
      printf('SVC-%04d', svc) AS service,
      CASE WHEN tm_u(i, 13) >= 0.04 AND ack_s < {end} THEN tm_ts(ack_s) END AS acknowledged_at,
      CASE WHEN resolved THEN tm_ts(res_s) END AS resolved_at,
      CASE WHEN uimp < 0.15 THEN tm_ts(imp_start_s) END AS impact_start,
      CASE WHEN uimp < 0.15 AND resolved
        THEN tm_ts(imp_start_s + floor((res_s - opened_s) * (0.3 + 0.7 * tm_u(i, 14))))
      END AS impact_end,
      CASE WHEN umaint < 0.015 THEN true WHEN umaint < 0.415 THEN NULL ELSE false END
        AS is_maintenance,
      CASE WHEN fallout THEN NULL
           WHEN ucause < 0.04 THEN printf('CHG%08d', c)
           WHEN ucause < 0.042 THEN printf('CHG-ELSEWHERE-%d', i) END AS caused_by_change,
      problem,
      CASE WHEN resolved
        THEN printf('P%05d', coalesce(svc, i) % {TEAMS} + {TEAMS} * floor(tm_u(i, 18) * 37)::BIGINT)
      END AS resolver,
      {subjects}[1 + floor(tm_u(i, 19) * 8)::INTEGER] AS title,
      {BOOKKEEPING}
    FROM r"""


def work_items_sql(n: int) -> str:
    start, end, span = _epoch(START), _epoch(END), _epoch(END) - _epoch(START)
    effort_from = _epoch(EFFORT_ALWAYS_FROM)
    return f"""
    WITH b AS (
      SELECT i, {start} + floor(tm_u(i, 1) * {span})::BIGINT AS raw_s, tm_u(i, 2) AS uk
      FROM range({n}) t(i)
    ), m AS (
      -- A tenth come from a tool that keeps dates only: created and done at midnight, so
      -- some are done exactly at a period's start and some are exactly 90 days old at its end.
      SELECT *, tm_u(i, 22) < 0.1 AS dates_only,
        CASE WHEN tm_u(i, 22) < 0.1 THEN raw_s - raw_s % 86400 ELSE raw_s END AS created_s
      FROM b
    ), k AS (
      SELECT *, CASE WHEN uk < 0.30 THEN 'story' WHEN uk < 0.50 THEN 'task'
                     WHEN uk < 0.62 THEN 'bug' WHEN uk < 0.87 THEN 'request'
                     WHEN uk < 0.95 THEN 'incident' WHEN uk < 0.96 THEN 'epic'
                     WHEN uk < 0.98 THEN 'change' END AS kind
      FROM m
    ), d AS (
      SELECT *,
        created_s + (CASE kind WHEN 'request' THEN tm_logn(i, 3, 518400, 1.5)
                               WHEN 'story' THEN tm_logn(i, 3, 1036800, 1.0)
                               WHEN 'task' THEN tm_logn(i, 3, 345600, 1.1)
                               WHEN 'bug' THEN tm_logn(i, 3, 604800, 1.2)
                               WHEN 'incident' THEN tm_logn(i, 3, 43200, 1.3)
                               WHEN 'epic' THEN tm_logn(i, 3, 7776000, 0.8)
                               ELSE tm_logn(i, 3, 432000, 1.2) END)::BIGINT AS finish_s,
        tm_u(i, 4) < 0.01 AS abandoned, tm_u(i, 5) < 0.001 AS bad
      FROM k
    ), e AS (
      SELECT *,
        CASE WHEN bad THEN created_s - 86400
             WHEN abandoned OR finish_s >= {end} THEN NULL
             WHEN dates_only THEN finish_s - finish_s % 86400
             ELSE finish_s END AS done_s
      FROM d
    )
    SELECT printf('WI%010d', i) AS id,
      tm_ts(created_s) AS created_at,
      kind,
      CASE WHEN kind = 'incident' THEN CASE WHEN tm_u(i, 6) < 0.8 THEN NULL ELSE false END
           WHEN tm_u(i, 6) < 0.75 THEN true WHEN tm_u(i, 6) < 0.85 THEN false END AS planned,
      CASE WHEN tm_u(i, 7) < 0.50 THEN 'run' WHEN tm_u(i, 7) < 0.80 THEN 'grow'
           WHEN tm_u(i, 7) < 0.95 THEN 'transform' END AS category,
      CASE WHEN tm_u(i, 8) < 0.9
             AND created_s + floor((finish_s - created_s) * 0.4 * tm_u(i, 9)) < {end}
        THEN tm_ts(created_s + floor((finish_s - created_s) * 0.4 * tm_u(i, 9))) END AS started_at,
      tm_ts(done_s) AS done_at,
      CASE WHEN tm_u(i, 10) < 0.2
        THEN tm_ts(created_s + 86400 * (14 + floor(tm_u(i, 11) * 46)))::DATE END AS due_on,
      CASE WHEN tm_u(i, 12) < 0.99
        THEN printf('team-%02d', floor({TEAMS} * pow(tm_u(i, 13), 1.5))::BIGINT) END AS team,
      CASE WHEN kind = 'request' OR tm_u(i, 14) < 0.3 THEN {_units_sql("tm_u(i, 15)")}
      END AS requester_unit,
      CASE WHEN tm_u(i, 16) < 0.3 THEN printf('PRJ-%03d', floor(tm_u(i, 17) * 200)::BIGINT)
      END AS project,
      CASE WHEN tm_u(i, 18) < 0.1 THEN printf('OBJ-%02d', floor(tm_u(i, 19) * 20)::BIGINT)
      END AS objective,
      CASE WHEN done_s >= {effort_from} OR tm_u(i, 20) >= 0.15
        THEN round(tm_logn(i, 21, 6, 1.0), 1) END AS effort_hours,
      concat(coalesce(kind, 'item'), ' ', i) AS title,
      {BOOKKEEPING}
    FROM e"""


def with_bookkeeping(sql: str) -> str:
    return f"SELECT *, {BOOKKEEPING} FROM ({sql})"


def plan(counts: dict[str, int]) -> list[tuple[str, str]]:
    """(table, SELECT) in load order: catalogue first, then the events."""
    return [
        ("service", with_bookkeeping(services_sql())),
        ("team", with_bookkeeping(teams_sql())),
        ("person", with_bookkeeping(people_sql())),
        ("change", changes_sql(counts["change"])),
        ("incident", incidents_sql(counts["incident"], counts["change"])),
        ("work_item", work_items_sql(counts["work_item"])),
    ]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_duckdb(store: Store, counts: dict[str, int], seed: int) -> dict[str, float]:
    """Generate straight into the workspace's tables: INSERT … SELECT … FROM range(n)."""
    raw = store.con.con
    for m in _macros(seed):
        raw.execute(m)
    took = {}
    for table, sql in plan(counts):
        t = time.perf_counter()
        raw.execute(f"INSERT INTO {q(table)} BY NAME {sql}")
        took[table] = time.perf_counter() - t
        print(f"  loaded {table:<10} in {took[table]:6.1f} s", flush=True)
    t = time.perf_counter()
    raw.execute("CHECKPOINT")
    took["checkpoint"] = time.perf_counter() - t
    return took


def load_postgres(store: Store, counts: dict[str, int], seed: int) -> dict[str, float]:
    """Generate in an in-process DuckDB, stream Arrow batches into PostgreSQL with COPY."""
    import duckdb

    gen = duckdb.connect()
    for m in _macros(seed):
        gen.execute(m)
    took = {}
    for table, sql in plan(counts):
        t = time.perf_counter()
        reader = gen.sql(sql).to_arrow_reader(200_000)
        for batch in reader:
            store.load_arrow(table, pa.Table.from_batches([batch]))
        took[table] = time.perf_counter() - t
        print(f"  loaded {table:<10} in {took[table]:6.1f} s", flush=True)
    gen.close()
    t = time.perf_counter()
    store.execute("ANALYZE")
    took["analyze"] = time.perf_counter() - t
    return took

"""How fast is the scorecard on a big organisation, and is it right? `python -m bench.scorecard_bench`

Generates a seeded synthetic organisation in DuckDB SQL (range() and hash-based random
numbers, no Python row objects): 250 services in three tiers, 40 teams, 1,500 people, and six
years of work items, incidents and changes ending on a fixed date (END below). It loads them
straight into a fresh workspace's tables (bypassing the importer, but storing what the writer
stores: the canonical fields, source/source_id/row_hash/imported_at), then measures in the
same run:

(a) `Scorer.scorecard(period)` for the last complete quarter before END (which also scores
    the quarter before it, for the stage gates that look back two periods);
(b) the eight-quarter trend, `Scorer.trend(series(last, 8))` as `trustmeter trend --periods 8`
    runs it, with a fresh Scorer (and a fresh database connection);
(c) a plain pandas computation of the same metrics for the same periods, written from
    FRAMEWORK.md and docs/metrics/*.md without reading the ibis code's expressions: read the
    tables into DataFrames, filter, group. Every metric whose inputs are only incidents,
    changes, work items and services is covered (COVERED below).
(d) on DuckDB, the floor: the same covered metrics for the same periods in hand-written
    DuckDB SQL (bench/sql_floor.py), what the database does alone with no ibis and no Python
    per row; the bench prints trustmeter's time over it.

It asserts that pandas and trustmeter (and the floor) agree on every covered metric's value
(relative tolerance 1e-6) and n (exactly) in every period scored, prints the agreement table, the
timings, the time per metric and the split between ibis compilation and execution, and the
peak RSS of each phase. Exits 1 on any disagreement.

    python -m bench.scorecard_bench [--work-items 10000000 --incidents 2000000 --changes 500000]
                                    [--db postgresql://…] [--pg-setting NAME=VALUE]
                                    [--out DIR] [--keep] [--profile]

With `--db postgresql://user@host:port/db` a fresh database is created on that server for the
run (the URL's database is only used to connect), loaded with COPY, ANALYZEd, and dropped
afterwards. The figures are for the scoring; the bench never runs the importer.

PostgreSQL caveat (measured): the planner estimates 1 row for every `latest()` subquery (a
filter on a window function's output) and nests loops over them without materialising, so
repeat_incidents and change_failure_rate re-run a full-table window per outer row. At 8,000
incidents repeat_incidents takes ~4 s a quarter, at 40,000 over 90 s; at 2,000,000 expect it
not to finish. `--pg-setting enable_nestloop=off` shows the cost without those plans.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import datetime as dt
import io
import json
import pstats
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from bench._serve import scratch_database
from bench.sql_floor import floor_values
from trustmeter import workspace as ws_mod
from trustmeter.metrics import catalogue, registry
from trustmeter.periods import Period, last_complete, series
from trustmeter.scorecard.scorer import Scorer
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
TREND_PERIODS = 8
REL_TOL = 1e-6
UNITS = ["Finance", "Sales", "Operations", "HR", "Marketing", "Legal", "Logistics", "Service"]

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


def _epoch(t: dt.datetime) -> int:
    return int((t - dt.datetime(1970, 1, 1)).total_seconds())


# -- generation -------------------------------------------------------------------------------
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


# -- memory -----------------------------------------------------------------------------------
def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process's RSS (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- instrumenting trustmeter (in this process only; src/ is untouched) -----------------------
class Probe:
    """Records each metric's raw (unrounded) value and n, its wall time, and the time spent
    in ibis compilation, in execution (compile excluded) and in table look-ups."""

    def __init__(self) -> None:
        self.phase = ""
        self.raw: dict[str, dict[tuple[str, Period], tuple[float | None, int]]] = defaultdict(dict)
        self.metric_s: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.ibis_s: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._depth = 0
        for mid, m in catalogue.all_metrics().items():
            registry.REGISTRY[mid] = dataclasses.replace(m, compute=self._wrap_metric(m))
        import trustmeter.scorecard as sc

        # The data probe: one query for every metric's needs (present_needs since engine v2).
        sc.present_needs = self._timed("has_data", sc.present_needs)  # type: ignore[attr-defined]

    def _wrap_metric(self, m: registry.Metric) -> registry.Compute:
        inner = m.compute

        # Since engine v2 a metric computes a Batch (every period at once) into
        # {period: Measurement}.
        def compute(batch: Any) -> Any:
            t = time.perf_counter()
            results = inner(batch)
            self.metric_s[self.phase][m.id] += time.perf_counter() - t
            for period, result in results.items():
                self.raw[self.phase][(m.id, period)] = (
                    None if result.value is None else float(result.value),
                    int(result.n),
                )
            return results

        return compute

    def _timed(self, what: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.ibis_s[self.phase][what] += time.perf_counter() - t
                self.ibis_s[self.phase][what + "_calls"] += 1

        return timed

    def attach(self, store: Store) -> None:
        con = store.con
        con.compile = self._timed("compile", con.compile)  # type: ignore[method-assign]
        con.execute = self._timed("execute", con.execute)  # type: ignore[method-assign]
        # Engine v2 reads every result as Arrow.
        con.to_pyarrow = self._timed("execute", con.to_pyarrow)  # type: ignore[method-assign]
        con.table = self._timed("table", con.table)  # type: ignore[method-assign]


# -- pandas: the same metrics, the analyst's way ----------------------------------------------
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


# -- comparing --------------------------------------------------------------------------------
def agree(a: float | None, b: float | None) -> tuple[bool, float]:
    if a is None or b is None:
        return a is None and b is None, 0.0
    diff = abs(a - b)
    rel = diff / max(abs(a), abs(b), 1e-12)
    return (diff <= 1e-9 or rel <= REL_TOL), (0.0 if diff <= 1e-9 else rel)


def compare(
    tm: dict[tuple[str, Period], tuple[float | None, int]],
    pd_: dict[tuple[str, Period], tuple[float | None, int]],
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    rows: dict[str, dict[str, Any]] = {}
    problems = []
    for (mid, p), (pv, pn) in sorted(pd_.items(), key=lambda kv: (kv[0][0], kv[0][1].start)):
        r = rows.setdefault(mid, {"periods": 0, "max_rel": 0.0, "n_equal": True, "ok": True})
        if (mid, p) not in tm:
            problems.append(f"{mid} {p.label}: trustmeter did not compute it")
            r["ok"] = False
            continue
        tv, tn = tm[(mid, p)]
        ok, rel = agree(tv, pv)
        r["periods"] += 1
        r["max_rel"] = max(r["max_rel"], rel)
        if tn != pn:
            r["n_equal"] = False
        if not ok or tn != pn:
            r["ok"] = False
            problems.append(
                f"{mid} {p.label}: trustmeter {tv!r} (n={tn}) vs pandas {pv!r} (n={pn})"
            )
    return rows, problems


# -- running ----------------------------------------------------------------------------------
@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        prof.dump_stats(str(path))


def lookback(fw: Any) -> int:
    """How many periods a scorecard scores (Scorer.scorecard: the gates' deepest look-back)."""
    return max([c.periods for s in fw.stages for c in s.gate] or [1])


def fmt(v: float | None, digits: int = 4) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.scorecard_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--work-items", type=int, default=10_000_000)
    ap.add_argument("--incidents", type=int, default=2_000_000)
    ap.add_argument("--changes", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--db", help="postgresql://… server to bench on (default: a DuckDB file)")
    ap.add_argument("--out", type=Path, help="working directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    ap.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="SET this on trustmeter's PostgreSQL connections (repeatable), e.g. "
        "enable_nestloop=off to see what the planner's nested loops over latest() cost",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the scorecard and trend (slows them; writes .prof files to --out)",
    )
    args = ap.parse_args(argv)
    counts = {"work_item": args.work_items, "incident": args.incidents, "change": args.changes}
    out = args.out or Path(tempfile.mkdtemp(prefix="tm-scorecard-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    root = out / "workspace"
    shutil.rmtree(root, ignore_errors=True)

    probe = Probe()
    peaks: dict[str, float] = {}
    scratch = contextlib.ExitStack()  # a scratch PostgreSQL database, dropped at the end
    engine = "duckdb"
    url = None
    if args.db:
        url = scratch.enter_context(scratch_database(args.db, "tm_scorecard_bench"))
        engine = "postgresql"
    try:
        ws = ws_mod.init(root, profile="large", db=url, name="scorecard-bench")
        fw = ws.framework()
        last = last_complete(END.date(), fw.params["period"])
        trend_periods = series(last, TREND_PERIODS)
        depth = lookback(fw)

        # 1. generate and load
        print(f"generating and loading ({engine}): {counts}", flush=True)
        reset_peak()
        store = ws.open()
        t = time.perf_counter()
        loads = (load_duckdb if engine == "duckdb" else load_postgres)(store, counts, args.seed)
        load_s = time.perf_counter() - t
        rows = {
            tb: int(store.scalar(f"SELECT count(*) FROM {q(tb)}"))
            for tb in ("service", "team", "person", "incident", "change", "work_item")
        }
        store.close()
        peaks["load"] = peak_mb()

        # 2. trustmeter: scorecard, then trend, each with a fresh Scorer and connection
        timings: dict[str, float] = {}
        cpu_s: dict[str, float] = {}
        for phase, run in (
            ("scorecard", lambda s: s.scorecard(last)),
            ("trend", lambda s: s.trend(trend_periods)),
        ):
            store = ws.open()
            for setting in args.pg_setting if engine == "postgresql" else ():
                name, _, value = setting.partition("=")
                store.execute(f"SET {name.strip()} = {value.strip()}")
            probe.attach(store)
            probe.phase = phase
            reset_peak()
            print(f"trustmeter {phase} …", flush=True)
            prof = out / f"{phase}.prof" if args.profile else None
            t, cpu = time.perf_counter(), time.process_time()
            with profiled(prof):
                scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
                card = run(scorer)
            timings[phase] = time.perf_counter() - t
            cpu_s[phase] = time.process_time() - cpu
            peaks[phase] = peak_mb()
            store.close()
            print(f"  {timings[phase]:.1f} s", flush=True)
            if phase == "scorecard":
                text = json.dumps(card.as_dict(), indent=1, default=str)
                (out / "scorecard.json").write_text(text)

        # 3. pandas: read once, then the scorecard's periods and the trend's periods
        print("pandas …", flush=True)
        store = ws.open(migrate_schema=False)
        reset_peak()
        t, cpu = time.perf_counter(), time.process_time()
        frames = read_frames(store)
        read_s = time.perf_counter() - t
        cpu_s["pandas read"] = time.process_time() - cpu
        store.close()
        sc_periods = series(last, depth)
        tr_periods = series(last, TREND_PERIODS + depth - 1)
        pandas_raw: dict[str, dict[tuple[str, Period], tuple[float | None, int]]] = {}
        pandas_s: dict[str, float] = {}
        for phase, periods in (("scorecard", sc_periods), ("trend", tr_periods)):
            t, cpu = time.perf_counter(), time.process_time()
            card_pd = PandasScorecard(frames, fw.params)
            pandas_raw[phase] = {(mid, p): v for p in periods for mid, v in card_pd.all(p).items()}
            pandas_s[phase] = time.perf_counter() - t
            cpu_s[f"pandas {phase}"] = time.process_time() - cpu
        peaks["pandas"] = peak_mb()
        del frames, card_pd

        # 4. the floor (DuckDB only): the same metrics and periods in hand-written DuckDB SQL
        floor_raw: dict[str, dict[tuple[str, Period], tuple[float | None, int]]] = {}
        floor_s: dict[str, float] = {}
        if engine == "duckdb":
            print("sql floor …", flush=True)
            store = ws.open(migrate_schema=False)
            reset_peak()
            for phase, periods in (("scorecard", sc_periods), ("trend", tr_periods)):
                t, cpu = time.perf_counter(), time.process_time()
                floor_raw[phase] = floor_values(store.con.con, periods, fw.params)
                floor_s[phase] = time.perf_counter() - t
                cpu_s[f"floor {phase}"] = time.process_time() - cpu
            store.close()
            peaks["floor"] = peak_mb()
    finally:
        scratch.close()

    # 5. agreement
    checks = {}
    problems: list[str] = []
    for phase in ("scorecard", "trend"):
        tm = {k: v for k, v in probe.raw[phase].items() if k[0] in COVERED}
        rows_, probs = compare(tm, pandas_raw[phase])
        checks[phase] = rows_
        problems += [f"[{phase}] {x}" for x in probs]
    floor_checks = {}
    for phase, raw in floor_raw.items():
        rows_, probs = compare(raw, pandas_raw[phase])
        floor_checks[phase] = rows_
        problems += [f"[floor {phase}] {x.replace('trustmeter', 'sql floor')}" for x in probs]

    print()
    print(
        f"scorecard bench: engine {engine}; quarter {last.label}; trend "
        f"{trend_periods[0].label}..{trend_periods[-1].label} "
        f"({len(tr_periods)} quarters scored, {depth - 1} of them for the gates' look-back); "
        f"data {START:%Y-%m-%d}..{END:%Y-%m-%d}, seed {args.seed}"
        + (f"; PostgreSQL settings {', '.join(args.pg_setting)}" if args.pg_setting else "")
    )
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print()
    print(f"agreement, trustmeter vs pandas (value: relative {REL_TOL:g}; n: exact)")
    print(
        f"  {'metric':<24}{'periods':>8}{'max rel diff':>14}{'n equal':>9}  "
        f"{'trustmeter ' + last.label:>22}{'pandas':>14}{'n':>10}  ok"
    )
    last_tm = probe.raw["scorecard"]
    for mid in COVERED:
        sc_row, tr_row = checks["scorecard"].get(mid), checks["trend"].get(mid)
        if sc_row is None or tr_row is None:
            print(f"  {mid:<24} not compared")
            continue
        tv, tn = last_tm.get((mid, last), (None, -1))
        pv, _ = pandas_raw["scorecard"][(mid, last)]
        print(
            f"  {mid:<24}{sc_row['periods'] + tr_row['periods']:>8}"
            f"{max(sc_row['max_rel'], tr_row['max_rel']):>14.1e}"
            f"{'yes' if sc_row['n_equal'] and tr_row['n_equal'] else 'NO':>9}  "
            f"{fmt(tv):>22}{fmt(pv):>14}{tn:>10,}  "
            f"{'ok' if sc_row['ok'] and tr_row['ok'] else 'DIFFERENT'}"
        )
    if floor_checks:
        bad = sorted(
            {m for rows_ in floor_checks.values() for m, r in rows_.items() if not r["ok"]}
        )
        worst = max(r["max_rel"] for rows_ in floor_checks.values() for r in rows_.values())
        print(
            f"  sql floor vs pandas: {len(COVERED)} metrics x "
            f"{len(sc_periods) + len(tr_periods)} periods, max rel diff {worst:.1e}; "
            + (f"DIFFERENT: {', '.join(bad)}" if bad else "all agree (value and n)")
        )
    for x in problems:
        print(f"  ! {x}")

    print()
    print("timings (seconds)")
    ratio_sc = timings["scorecard"] / (read_s + pandas_s["scorecard"])
    ratio_tr = timings["trend"] / (read_s + pandas_s["trend"])
    head = (
        f"  {'engine':<11}{'work items':>12}{'incidents':>11}{'changes':>9}{'load':>8}"
        f"{'scorecard':>11}{'trend':>8}{'pd read':>9}{'pd sc':>7}{'pd trend':>9}"
        f"{'tm/pd sc':>10}{'tm/pd trend':>12}"
    )
    print(head)
    print(
        f"  {engine:<11}{rows['work_item']:>12,}{rows['incident']:>11,}{rows['change']:>9,}"
        f"{load_s:>8.1f}{timings['scorecard']:>11.2f}{timings['trend']:>8.2f}{read_s:>9.2f}"
        f"{pandas_s['scorecard']:>7.2f}{pandas_s['trend']:>9.2f}{ratio_sc:>9.1f}×{ratio_tr:>11.1f}×"
    )
    print(
        "  tm/pd = trustmeter seconds ÷ (pandas read + pandas compute) for the same periods; "
        "compute only: "
        f"scorecard {timings['scorecard'] / pandas_s['scorecard']:.1f}×, "
        f"trend {timings['trend'] / pandas_s['trend']:.1f}×. Trustmeter also scores the "
        "metrics pandas does not cover (most have no data here)."
    )
    if floor_s:
        print(
            f"  sql floor (hand-written DuckDB SQL, same metrics and periods as pandas): "
            f"scorecard {floor_s['scorecard']:.2f}, trend {floor_s['trend']:.2f}; "
            f"trustmeter ÷ floor: scorecard {timings['scorecard'] / floor_s['scorecard']:.1f}×, "
            f"trend {timings['trend'] / floor_s['trend']:.1f}×"
        )
    print(
        "  process CPU seconds (all threads; the machine is shared, so wall time can include "
        "waiting): " + ", ".join(f"{k} {v:.1f}" for k, v in cpu_s.items())
    )
    print("  load: " + ", ".join(f"{k} {v:.1f}" for k, v in loads.items()))
    print(
        "  peak RSS (MB) per phase: "
        + ", ".join(f"{k} {v:,.0f}" for k, v in peaks.items())
        + f"; process peak {max(peaks.values()):,.0f}"
    )

    print()
    print("where trustmeter's time goes (seconds; instrumented in this process)")
    for phase in ("scorecard", "trend"):
        ib = probe.ibis_s[phase]
        metric_total = sum(probe.metric_s[phase].values())
        print(
            f"  {phase}: total {timings[phase]:.2f}; in metric computations {metric_total:.2f}; "
            f"has_data {ib['has_data']:.2f}; ibis compile {ib['compile']:.2f} "
            f"({ib['compile_calls']:.0f} queries); execute incl. compile {ib['execute']:.2f} "
            f"({ib['execute_calls']:.0f} calls); table look-ups {ib['table']:.2f} "
            f"({ib['table_calls']:.0f})"
        )
        top = sorted(probe.metric_s[phase].items(), key=lambda kv: -kv[1])[:10]
        print("    slowest metrics: " + ", ".join(f"{m} {s:.2f}" for m, s in top))
    if args.profile:
        for phase in ("scorecard", "trend"):
            path = out / f"{phase}.prof"
            print(f"\ncProfile of {phase} ({path}), top 20 by cumulative time:")
            st = pstats.Stats(str(path), stream=sys.stdout)
            st.sort_stats("cumulative").print_stats(20)

    result = {
        "engine": engine,
        "pg_settings": args.pg_setting,
        "rows": rows,
        "quarter": last.label,
        "load_s": load_s,
        "load": loads,
        "trustmeter_s": timings,
        "pandas_read_s": read_s,
        "pandas_compute_s": pandas_s,
        "floor_s": floor_s,
        "cpu_s": cpu_s,
        "peak_rss_mb": peaks,
        "metric_s": {k: dict(v) for k, v in probe.metric_s.items()},
        "ibis_s": {k: dict(v) for k, v in probe.ibis_s.items()},
        "agreement": {
            "scorecard": checks["scorecard"],
            "trend": checks["trend"],
            "floor": floor_checks,
            "problems": problems,
        },
        "values": {
            f"{mid} {p.label}": {"trustmeter": probe.raw["scorecard"].get((mid, p)), "pandas": v}
            for (mid, p), v in pandas_raw["scorecard"].items()
        },
        "measured_at": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
    }
    if args.out is not None or args.keep:
        (out / "results.json").write_text(json.dumps(result, indent=1, default=str))
    else:
        shutil.rmtree(out, ignore_errors=True)
    if problems:
        print(
            f"\n{len(problems)} disagreement(s) with pandas (trustmeter or sql floor)",
            file=sys.stderr,
        )
        raise SystemExit(1)
    print(f"\nall {len(COVERED)} covered metrics agree in every period scored")


if __name__ == "__main__":
    main()

"""The scorecard bench's verdict: trustmeter against pandas (and the SQL floor), then the figures.

`report(run)` checks every covered metric's value (relative tolerance REL_TOL) and n (exactly)
in every period scored, prints the agreement table, the timings, the time per metric and the
split between ibis compilation and execution, and returns the results and the disagreements.
"""

from __future__ import annotations

import datetime as dt
import pstats
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.pandas_scorecard import COVERED
from bench.probe import Probe
from bench.synthetic_org import END, START
from trustmeter.periods import Period

REL_TOL = 1e-6

Values = dict[tuple[str, Period], tuple[float | None, int]]


@dataclass
class BenchRun:
    """What one run measured, per phase ("scorecard", "trend"), for `report`."""

    engine: str
    seed: int
    pg_settings: list[str]
    profiled: bool
    out: Path
    last: Period
    trend_periods: list[Period]
    sc_periods: list[Period]
    tr_periods: list[Period]
    depth: int
    rows: dict[str, int]
    loads: dict[str, float]
    load_s: float
    probe: Probe
    timings: dict[str, float]
    cpu_s: dict[str, float]
    peaks: dict[str, float]
    read_s: float
    pandas_raw: dict[str, Values]
    pandas_s: dict[str, float]
    floor_raw: dict[str, Values]
    floor_s: dict[str, float]


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


def fmt(v: float | None, digits: int = 4) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def report(run: BenchRun) -> tuple[dict[str, Any], list[str]]:
    """Print the agreement and the figures; return the results (for results.json) and the
    disagreements (empty when every covered metric agrees)."""
    engine, last, probe, rows = run.engine, run.last, run.probe, run.rows
    trend_periods, sc_periods, tr_periods = run.trend_periods, run.sc_periods, run.tr_periods
    pandas_raw, floor_raw, depth, out = run.pandas_raw, run.floor_raw, run.depth, run.out
    timings, pandas_s, floor_s, read_s = run.timings, run.pandas_s, run.floor_s, run.read_s
    cpu_s, peaks, loads, load_s = run.cpu_s, run.peaks, run.loads, run.load_s
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
        f"data {START:%Y-%m-%d}..{END:%Y-%m-%d}, seed {run.seed}"
        + (f"; PostgreSQL settings {', '.join(run.pg_settings)}" if run.pg_settings else "")
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
    if "trend again" in timings:
        again = timings["trend again"]
        floor = f", ÷ floor {again / floor_s['trend']:.1f}×" if floor_s else ""
        print(
            f"  trend again (a second `trend`, with the SQL the first compiled kept in the "
            f"workspace, as a user's next command): {again:.2f}; pandas read + trend ÷ it "
            f"{(read_s + pandas_s['trend']) / again:.1f}×{floor}"
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
    print(
        "where trustmeter's time goes (seconds; instrumented in this process; on PostgreSQL the "
        "metrics run side by side, so their sums can exceed the total)"
    )
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
    if run.profiled:
        for phase in ("scorecard", "trend"):
            path = out / f"{phase}.prof"
            print(f"\ncProfile of {phase} ({path}), top 20 by cumulative time:")
            st = pstats.Stats(str(path), stream=sys.stdout)
            st.sort_stats("cumulative").print_stats(20)

    result = {
        "engine": engine,
        "pg_settings": run.pg_settings,
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
    return result, problems

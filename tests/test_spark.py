"""The metric expressions run unchanged on Spark: its scorecard equals DuckDB's, figure for figure.

The demo organisation's exports are imported into DuckDB the usual way; every table is then
exported to Parquet and read by a local-mode Spark (one session for the module) as the
record tables of a read-only warehouse (docs/warehouse.md). Both stores are scored for a
quarter and a month through the same `Workspace.open` and `Scorer` the CLI uses.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trustmeter import workspace as ws_mod
from trustmeter.periods import Period
from trustmeter.records import KINDS
from trustmeter.scorecard.explain import explain_metric
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import DatabaseError, Store, migrate
from trustmeter.store.writer import insert_records

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.0's toPandas passes pandas 3 a deprecated `copy=` keyword
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark.*"),
    # and leaves closing the socket each collect reads its rows from to the garbage collector
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]

TODAY = date(2026, 10, 1)  # the demo's "as of" date
PERIODS = [
    Period(date(2026, 7, 1), date(2026, 10, 1), "quarter"),
    Period(date(2026, 9, 1), date(2026, 10, 1), "month"),
]
# One small in-process Spark: two shuffle partitions, UTC, no UI. Adaptive execution, code
# generation and the JVM's optimising compiler only pay off on big data and long runs; turned
# off, the few hundred tiny queries here take about half the time (same results either way).
SPARK_URL = (
    "spark://local[2]?spark.sql.shuffle.partitions=2&spark.sql.session.timeZone=UTC"
    "&spark.ui.enabled=false&spark.sql.adaptive.enabled=false"
    "&spark.sql.codegen.wholeStage=false&spark.sql.codegen.factoryMode=NO_CODEGEN"
    "&spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1%20-XX:ReservedCodeCacheSize=256m"
)


def _import_demo(root: Path) -> ws_mod.Workspace:
    """The demo's exports imported into a DuckDB workspace, as `trustmeter demo` does it."""
    from trustmeter.demo import generate
    from trustmeter.usecases.demo import import_spec

    ws = ws_mod.init(root, profile="mid", timezone="Europe/Berlin", name="Northwind IT (demo)")
    for spec in generate(root / "exports", seed=7, today=TODAY):
        import_spec(ws, spec)
    return ws


@pytest.fixture(scope="module")
def workspaces(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, Store, ws_mod.Workspace]]:
    """(DuckDB store, Spark store, workspace): the same records on both engines.

    Spark gets the tables scoring reads (docs/warehouse.md), nothing of the app's own."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("PySpark is missing: pip install -e '.[spark]' (make setup does)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.fail("Spark needs Java 17: scripts/java.sh installs it")
    root = tmp_path_factory.mktemp("spark") / "northwind"
    ws = _import_demo(root)
    duck = ws.open()
    parquet = root / "parquet"
    parquet.mkdir()
    names = [k.table for k in KINDS] + ["survey_answer", "forecast"]
    for name in names:
        duck.table(name).to_parquet(parquet / f"{name}.parquet")
    # The CLI's path: the workspace's database URL names the warehouse (TRUSTMETER_DB would too).
    url = f"{SPARK_URL}&spark.sql.warehouse.dir={root / 'spark-warehouse'}"  # not in the cwd
    spark = dataclasses.replace(ws, database=url).open()
    for name in names:
        spark.con.read_parquet(parquet / f"{name}.parquet", table_name=name)
    yield duck, spark, ws
    duck.close()
    spark.close()
    gc.collect()  # PySpark's sockets, while this module's warning filters still apply


@pytest.fixture(scope="module")
def cards(
    workspaces: tuple[Store, Store, ws_mod.Workspace],
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each engine's scorecard for each period, by (engine, period label).

    Spark runs the periods side by side (a session takes queries from several threads at
    once); DuckDB, whose connection is not shared between threads, scores in a thread of its
    own meanwhile."""
    duck, spark, ws = workspaces

    def score(store: Store, periods: list[Period]) -> list[dict[str, Any]]:
        scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
        return [scorer.scorecard(p).as_dict() for p in periods]

    with ThreadPoolExecutor(len(PERIODS) + 1) as pool:
        on_duck = pool.submit(score, duck, PERIODS)
        on_spark = [pool.submit(score, spark, [p]) for p in PERIODS]
        out = {}
        for p, want, got in zip(PERIODS, on_duck.result(), on_spark, strict=True):
            out["duckdb", p.label] = want
            (out["spark", p.label],) = got.result()
    for card in out.values():
        card.pop("generated_at")
    return out


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two scorecards differ; floats may differ only in the last bits."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a.keys() ^ b.keys())} on one side only"]
        return [d for k in a for d in _differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) else [f"{path}: {a!r} != {b!r}"]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} ({type(a).__name__}) != {b!r} ({type(b).__name__})"]
    return []


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_spark_scorecard_equals_duckdb(
    workspaces: tuple[Store, Store, ws_mod.Workspace],
    cards: dict[tuple[str, str], dict[str, Any]],
    period: Period,
) -> None:
    _, spark, _ = workspaces
    assert spark.read_only and spark.con.name == "pyspark"
    want, got = cards["duckdb", period.label], cards["spark", period.label]
    statuses = [m["status"] for a in want["areas"] for m in a["metrics"]]
    # not a vacuous match: most metrics have a figure, and so do the stage and the indices
    assert statuses.count("ok") >= 25, statuses
    assert want["trust_index"] is not None and want["stage"]["level"] >= 1
    assert _differences(want, got) == []


def test_explain_reads_the_same_records_on_spark(
    workspaces: tuple[Store, Store, ws_mod.Workspace],
) -> None:
    duck, spark, ws = workspaces
    period = PERIODS[1]
    fw = ws.framework()
    want = explain_metric(Scorer(duck, fw, ws.profile), "mttr", period, limit=1000)
    got = explain_metric(Scorer(spark, fw, ws.profile), "mttr", period, limit=1000)
    assert want.records.total > 0
    assert got.metric == want.metric
    assert got.records.columns == want.records.columns
    assert got.records.total == want.records.total
    assert sorted(map(repr, got.records.rows)) == sorted(map(repr, want.records.rows))


def test_a_warehouse_is_read_only(workspaces: tuple[Store, Store, ws_mod.Workspace]) -> None:
    _, spark, _ = workspaces
    for write in (
        lambda: migrate(spark),
        lambda: insert_records(spark, "services", [{"id": "ERP", "name": "ERP"}]),
        lambda: spark.execute("DROP TABLE incident"),
    ):
        with pytest.raises(DatabaseError, match="read-only warehouse"):
            write()
    assert spark.table("service").count().execute() == 13  # untouched
    with pytest.raises(DatabaseError, match="has no table 'no_such_records'"):
        spark.table("no_such_records")

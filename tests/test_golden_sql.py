"""Golden SQL: the compiled queries of every metric, per engine, so a change in one is seen.

For each registered metric, the queries it sends to the database while the Scorer computes it
(`Metric.compute` on a `Batch`, after `learn_sources`, as `Scorer.evaluate` does) are caught,
compiled with `ibis.to_sql(expr, dialect=...)` for DuckDB and for PostgreSQL, and compared
with tests/golden/sql/<engine>/<metric>.sql (one `-- query N` block per query, in the order
the metric runs them). The records are a fixed workspace (tests/golden_workspace.py) and the
periods a fixed relation: 2023-Q4 and 2024-Q1. PostgreSQL is compiled only: no server needed.

A changed file is a changed query: review its diff as you would the code (does it still
compute what docs/metrics.md says, is it still one round trip per period set?). To rewrite the
files after an intended change: TRUSTMETER_UPDATE_GOLDEN=1 pytest tests/test_golden_sql.py
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

import golden_workspace
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.common import learn_sources
from trustmeter.metrics.model import Batch
from trustmeter.periods import Period
from trustmeter.records import KINDS
from trustmeter.store import Store, connect, migrate
from trustmeter.store.pg_compiler import Compiler

GOLDEN = Path(__file__).parent / "golden" / "sql"
ENGINES = ("duckdb", "postgres")
PERIODS = (
    Period(date(2023, 10, 1), date(2024, 1, 1), "quarter"),
    Period(date(2024, 1, 1), date(2024, 4, 1), "quarter"),
)
PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
UPDATE = os.environ.get("TRUSTMETER_UPDATE_GOLDEN") == "1"
# ibis names an in-memory table (the periods relation) at random: numbered in order instead.
MEMTABLE = re.compile(r"ibis_[a-z]+_memtable_[a-z0-9]+")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The golden workspace on a DuckDB file (the queries run; PostgreSQL is compiled only)."""
    s = connect(f"duckdb:///{tmp_path_factory.mktemp('golden-sql') / 'golden.duckdb'}")
    migrate(s)
    golden_workspace.fill(s)
    yield s
    s.close()


def queries_of(store: Store, metric_id: str, monkeypatch: pytest.MonkeyPatch) -> list[ibis.Table]:
    """The expressions a metric executes, in order (each still runs, so the metric goes on)."""
    batch = Batch(store, PERIODS, dict(PARAMS))
    learn_sources(batch, [k.table for k in KINDS])
    seen: list[ibis.Table] = []
    run = store.con.to_pyarrow

    def record(expr: ibis.Table, *args: Any, **kwargs: Any) -> pa.Table:
        seen.append(expr)
        return run(expr, *args, **kwargs)

    monkeypatch.setattr(store.con, "to_pyarrow", record)
    all_metrics()[metric_id].compute(batch)
    monkeypatch.undo()
    return seen


def to_sql(e: ibis.Table, dialect: str) -> str:
    """The SQL the engine is sent: on PostgreSQL, from trustmeter's own compiler."""
    if dialect == "postgres":
        c = Compiler()
        return str(c.to_sqlglot(e.unbind()).sql(dialect=c.dialect, pretty=True))
    return str(ibis.to_sql(e, dialect=dialect))


def compiled(exprs: list[ibis.Table], dialect: str) -> str:
    """The queries as one file: numbered blocks, in-memory tables named by first use."""
    blocks = [f"-- query {i}\n{to_sql(e, dialect).strip()};\n" for i, e in enumerate(exprs, 1)]
    text = "\n".join(blocks)
    names: dict[str, str] = {}
    return MEMTABLE.sub(lambda m: names.setdefault(m.group(0), f"memtable_{len(names) + 1}"), text)


@pytest.mark.parametrize("metric_id", sorted(all_metrics()))
def test_compiled_sql_matches_the_golden_file(
    store: Store, metric_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    exprs = queries_of(store, metric_id, monkeypatch)
    problems = []
    for engine in ENGINES:
        got = compiled(exprs, engine)
        path = GOLDEN / engine / f"{metric_id}.sql"
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(got.encode("utf-8"))  # bytes: literals hold \r
            continue
        if not path.is_file():
            problems.append(f"{path} is missing (TRUSTMETER_UPDATE_GOLDEN=1 writes it)")
            continue
        want = path.read_bytes().decode("utf-8")
        if got != want:
            diff = difflib.unified_diff(
                want.splitlines(), got.splitlines(), str(path), "compiled now", lineterm="", n=2
            )
            problems.append("\n".join(list(diff)[:60]))
    assert not problems, (
        f"{metric_id}: its SQL changed. Review the diff; if intended, rewrite the golden files "
        "with TRUSTMETER_UPDATE_GOLDEN=1 and commit them with the change.\n" + "\n\n".join(problems)
    )


def test_every_golden_file_belongs_to_a_metric() -> None:
    """A golden file whose metric was renamed or removed would otherwise be checked by no one."""
    ids = set(all_metrics())
    stale = sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.glob("*/*.sql") if p.stem not in ids)
    assert stale == []
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} <= set(ENGINES)

"""Durations on PostgreSQL are doubles, as on DuckDB, and exact where the metrics compare them.

trustmeter compiles PostgreSQL's epoch seconds to `date_part('epoch', t)` (store/pg_compiler.py)
instead of ibis's `EXTRACT(epoch FROM t)`, which is numeric and slow on millions of rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ibis
import pytest

from trustmeter.metrics.common import hours_between
from trustmeter.store import Store, connect
from trustmeter.store.pg_compiler import Compiler

PAIRS = [
    # (start, end): a day exactly (change failure's 24 h window), a second past it, a
    # negative span, microseconds, and spans of centuries either side of 1970.
    (datetime(2024, 3, 1, 9, 0), datetime(2024, 3, 2, 9, 0)),
    (datetime(2024, 3, 1, 9, 0), datetime(2024, 3, 2, 9, 0, 1)),
    (datetime(2024, 3, 2, 9, 0), datetime(2024, 3, 1, 9, 0)),
    (datetime(2024, 3, 1, 9, 0, 0, 250000), datetime(2024, 3, 1, 9, 0, 1, 500000)),
    (datetime(1901, 1, 1), datetime(2099, 12, 31, 23, 59, 59)),
    (datetime(2024, 12, 31, 23, 59, 59, 999999), datetime(2025, 1, 1)),
]


def _spans(store: Store) -> ibis.Table:
    t = ibis.memtable(
        {"i": list(range(len(PAIRS))), "a": [p[0] for p in PAIRS], "b": [p[1] for p in PAIRS]},
        schema={"i": "int64", "a": "timestamp", "b": "timestamp"},
    )
    return t.select("i", h=hours_between(t.a, t.b)).order_by("i")


def test_durations_are_exact_doubles_on_both_engines(store: Store) -> None:
    expr = _spans(store)
    got = store.con.to_pyarrow(expr)
    assert str(got.schema.field("h").type) == "double"
    h = got.column("h").to_pylist()
    # Whole seconds are exact: the same double as Python's seconds ÷ 3600.
    assert h[:3] == [24.0, 86401 / 3600, -24.0]
    assert h[4] == (PAIRS[4][1] - PAIRS[4][0]).total_seconds() / 3600
    # Microseconds: within a microsecond.
    assert h[3] * 3600 == pytest.approx(1.25, abs=1e-6)
    assert h[5] * 3600 == pytest.approx(1e-6, abs=1e-7)
    if store.engine == "postgres":
        sql = store.con.compile(expr)
        assert "DATE_PART('epoch'" in sql and "EXTRACT" not in sql


def test_equal_durations_from_different_starts_compare_equal(store: Store) -> None:
    """A percentile or a 24 h cut-off sees two equal spans as equal, whatever their dates."""
    starts = [datetime(2019, 1, 1, 0, 0, 0, 123456), datetime(2026, 7, 9, 13, 5, 42, 987654)]
    t = ibis.memtable({"a": starts}, schema={"a": "timestamp"})
    t = t.mutate(b=t.a + ibis.interval(hours=24))
    h = store.con.to_pyarrow(t.select(h=hours_between(t.a, t.b))).column("h").to_pylist()
    assert h == [24.0, 24.0]


def test_a_new_compiler_revision_does_not_reuse_cached_sql(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = connect(pg_database)
    raw = store.con.compile
    store.cache_compiled_sql(tmp_path / "sql")
    expr = _spans(store)
    store.con.compile(expr)
    assert store.sql_cache.misses == 1
    store.con.compile(expr)
    assert store.sql_cache.hits == 1
    monkeypatch.setattr(Compiler, "revision", Compiler.revision + 1)
    store.con.compile = raw
    store.cache_compiled_sql(tmp_path / "sql")
    store.con.compile(expr)
    assert store.sql_cache.misses == 1 and store.sql_cache.hits == 0
    store.close()

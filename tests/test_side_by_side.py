"""Metrics side by side on PostgreSQL: each thread on its own connection, the same figures.

store/side_by_side.py runs a scorer's metrics in a few threads on PostgreSQL, each with a
connection of its own; elsewhere, one after another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import golden_workspace
from trustmeter import framework as fw
from trustmeter.periods import Period
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import DatabaseError, Store, connect, migrate, side_by_side

Q4 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")


@pytest.fixture
def pg(pg_database: str) -> Iterator[Store]:
    s = connect(pg_database)
    s.execute("DROP SCHEMA IF EXISTS public CASCADE")
    s.execute("CREATE SCHEMA public")
    migrate(s)
    yield s
    s.close()


def _backends(s: Store) -> int:
    return int(s.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"))


def test_jobs_run_on_connections_of_their_own_and_come_back_in_order(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(side_by_side.ENV, "3")
    before = _backends(pg)
    barrier = threading.Barrier(3, timeout=30)

    def job(i: int) -> tuple[int, int, str]:
        con = side_by_side.current()
        assert con is not None and con is not pg.con
        barrier.wait()  # three jobs at once: three threads, so three connections
        pid = con.raw_sql("SELECT pg_backend_pid()").fetchone()[0]
        sort = con.raw_sql("SHOW enable_sort").fetchone()[0]  # the scoring settings
        return i, int(pid), str(sort)

    out = side_by_side.run(pg, [lambda i=i: job(i) for i in range(3)])
    assert [o[0] for o in out] == [0, 1, 2]
    own = int(pg.scalar("SELECT pg_backend_pid()"))
    assert len({o[1] for o in out}) == 3 and own not in {o[1] for o in out}
    assert {o[2] for o in out} == {"off"}
    assert side_by_side.current() is None
    assert _backends(pg) == before  # every connection it opened is closed


def test_the_first_error_is_raised_and_every_connection_closed(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(side_by_side.ENV, "2")
    before = _backends(pg)

    def fails() -> int:
        raise ValueError("metric broke")

    with pytest.raises(ValueError, match="metric broke"):
        side_by_side.run(pg, [lambda: 1, fails, lambda: 3])
    assert _backends(pg) == before


def test_duckdb_and_one_connection_run_in_this_thread(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(side_by_side.ENV, "1")
    here = threading.get_ident()
    assert side_by_side.run(store, [threading.get_ident, threading.get_ident]) == [here, here]
    assert side_by_side.current() is None
    monkeypatch.delenv(side_by_side.ENV)
    if store.engine == "duckdb":
        assert side_by_side.connections(store) == 1


@pytest.mark.parametrize("raw", ["0", "two", "-1"])
def test_a_bad_connection_count_is_refused_with_its_name(
    pg: Store, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(side_by_side.ENV, raw)
    with pytest.raises(DatabaseError, match=f"TRUSTMETER_PG_CONNECTIONS='{raw}'"):
        side_by_side.connections(pg)


def test_scorecards_are_the_same_side_by_side_and_one_after_another(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    golden_workspace.fill(pg)
    framework = fw.load()
    cards = {}
    for n in ("1", "4"):
        monkeypatch.setenv(side_by_side.ENV, n)
        cards[n] = [c.as_dict() for c in Scorer(pg, framework, "mid").trend([Q4, Q1])]
        for card in cards[n]:
            del card["generated_at"]  # the one key that differs: when each was made
    assert cards["1"] == cards["4"]
    entries = [m for area in cards["4"][1]["areas"] for m in area["metrics"]]
    scored = [m for m in entries if m["status"] in ("ok", "insufficient")]
    assert len(scored) >= 10  # the workspace scores most metrics: the comparison means something


def test_metrics_side_by_side_use_the_compiled_sql_cache(
    pg: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    golden_workspace.fill(pg)
    monkeypatch.setenv(side_by_side.ENV, "2")
    pg.cache_compiled_sql(tmp_path / "sql")
    cache = pg.sql_cache
    framework = fw.load()
    Scorer(pg, framework, "mid").trend([Q4, Q1])
    compiled = cache.misses
    assert compiled > 10  # the metrics' queries, compiled on the worker connections
    Scorer(pg, framework, "mid").trend([Q4, Q1])  # a second command: nothing compiles
    assert cache.misses == compiled and cache.hits >= compiled

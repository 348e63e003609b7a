"""The compiled-SQL cache gives back exactly what ibis compiles, and only for that expression."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis

from trustmeter import workspace as ws_mod
from trustmeter.periods import containing, series
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.sqlcache import SQLCache, fingerprint
from trustmeter.store.writer import insert_records


def _periods(n: int) -> ibis.Table:
    return ibis.memtable({"pid": list(range(n))}, schema={"pid": "int64"})


def test_the_fingerprint_follows_every_literal_column_and_table_content(store: Store) -> None:
    t = store.table("incident")
    a = t.filter(t.severity == "P1")
    assert fingerprint(a)[0] == fingerprint(t.filter(t.severity == "P1"))[0]
    assert fingerprint(a)[0] != fingerprint(t.filter(t.severity == "P2"))[0]
    assert fingerprint(a)[0] != fingerprint(t.filter(t.service == "P1"))[0]
    # In-memory tables: by content, whatever name ibis generated for them.
    p1, p2, p3 = _periods(3), _periods(3), _periods(4)
    assert fingerprint(p1)[0] == fingerprint(p2)[0] != fingerprint(p3)[0]
    assert fingerprint(p1)[1] == [p1.op().name]


def test_a_cached_statement_is_what_ibis_compiles(store: Store, tmp_path: Path) -> None:
    cache = SQLCache(tmp_path / "sql", store.con.name)
    compile = cache.wrap(store.con.compile)
    t = store.table("incident")
    p = _periods(2)
    j = t.cross_join(p)
    expr = j.group_by("pid").aggregate(n=j.count())
    first = compile(expr)
    assert cache.misses == 1 and first == store.con.compile(expr)
    # The same query built again (a new memtable name, as in a new process) hits the cache,
    # and the statement names the new in-memory table.
    p_again = _periods(2)
    j2 = t.cross_join(p_again)
    again = j2.group_by("pid").aggregate(n=j2.count())
    second = compile(again)
    assert cache.hits == 1 and second == store.con.compile(again)
    assert p_again.op().name in second and p.op().name not in second


def test_scores_are_the_same_with_a_cold_and_a_warm_cache(tmp_path: Path) -> None:
    ws = ws_mod.init(tmp_path / "ws", profile="mid")
    store = ws.open()
    insert_records(
        store,
        "incidents",
        [
            {
                "id": f"I{k}",
                "opened_at": f"2024-0{1 + k % 6}-1{k % 9} 08:00",
                "severity": "P2",
                "service": "ERP",
                "resolved_at": f"2024-0{1 + k % 6}-1{k % 9} 1{k % 9}:30",
            }
            for k in range(40)
        ],
    )
    store.close()
    periods = series(containing(date(2024, 5, 1), "month"), 4)
    cards, stats = [], []
    for _ in range(2):
        store = ws.open()
        cards.append(Scorer(store, ws.framework(), ws.profile).trend(periods))
        stats.append((store.sql_cache.hits, store.sql_cache.misses))
        store.close()
    # The second run compiled nothing: each statement the first compiled was found.
    assert stats[0][1] > 5 and stats[1] == (stats[0][1] + stats[0][0], 0)
    for cold, warm in zip(*cards, strict=True):
        a, b = cold.as_dict(), warm.as_dict()
        a.pop("generated_at"), b.pop("generated_at")
        assert a == b


def test_an_unwritable_cache_folder_only_means_no_caching(store: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = SQLCache(blocker / "sql", store.con.name)
    compile = cache.wrap(store.con.compile)
    t = store.table("incident")
    assert compile(t.count().as_table()) == store.con.compile(t.count().as_table())
    assert compile(t.count().as_table()) == store.con.compile(t.count().as_table())
    assert cache.hits == 0 and cache.misses == 2

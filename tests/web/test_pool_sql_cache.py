"""The web app's connections keep compiled SQL in the workspace, as the CLI's do, so the first
scorecard after a start reuses what earlier commands compiled (store/sqlcache.py)."""

from __future__ import annotations

from pathlib import Path

from trustmeter.web.pool import Database
from trustmeter.workspace import SQL_CACHE


def test_the_scorecards_connection_and_the_pool_cache_compiled_sql(tmp_path: Path) -> None:
    db = Database(f"duckdb:///{tmp_path / 'web.duckdb'}", tmp_path)
    try:
        store = db.dedicated()  # what web/scorecards.py computes on
        try:
            t = store.table("incident")
            store.con.to_pyarrow(t.aggregate(k=t.count()))
            assert store.sql_cache is not None and store.sql_cache.misses == 1
            assert len(list((tmp_path / SQL_CACHE).glob("*.sql"))) == 1
            store.con.to_pyarrow(t.aggregate(k=t.count()))
            assert store.sql_cache.hits == 1
        finally:
            store.close()
        with db.connection() as pooled:  # what the pages read with
            t = pooled.table("incident")
            pooled.con.to_pyarrow(t.aggregate(k=t.count()))
            assert pooled.sql_cache is not None and pooled.sql_cache.hits == 1
    finally:
        db.close()

"""The store: migrations on both engines, additive fields, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from trustmeter.records import KINDS, kind
from trustmeter.store import Store, migrate
from trustmeter.store.migrations import LATEST, add_new_fields, current_version
from trustmeter.store.writer import insert_records, to_arrow, write


def test_migrations_are_recorded_and_idempotent(store: Store) -> None:
    assert current_version(store) == LATEST
    assert migrate(store) == []
    for k in KINDS:
        cols = set(store.table(k.table).columns)
        assert set(k.field_names) <= cols
        assert {"source", "source_id", "row_hash", "origin", "imported_at"} <= cols


def test_new_optional_field_is_added_in_place(store: Store) -> None:
    # a workspace created before objective.business_unit existed
    # (rebuilt rather than DROP COLUMN, which DuckDB refuses on a table with a primary key)
    store.execute("DROP TABLE objective")
    store.execute(
        "CREATE TABLE objective (id TEXT NOT NULL, name TEXT, source TEXT NOT NULL, "
        "source_id TEXT NOT NULL, row_hash TEXT NOT NULL, origin TEXT, imported_at TIMESTAMP, "
        "PRIMARY KEY (source, source_id))"
    )
    store.execute(
        "INSERT INTO objective (id, name, source, source_id, row_hash) "
        "VALUES ('O1', 'Grow', 'old', 'O1', 'h')"
    )
    assert "business_unit" not in store.table("objective").columns
    assert add_new_fields(store) == ["objective.business_unit"]
    assert "business_unit" in store.table("objective").columns
    assert add_new_fields(store) == []
    # data written before the upgrade is still there
    assert store.fetch("SELECT id, business_unit FROM objective") == [("O1", None)]


def test_failed_write_leaves_nothing(store: Store) -> None:
    insert_records(store, "incidents", [{"id": "1", "opened_at": "2024-01-01T00:00"}])
    rows = to_arrow(kind("incidents"), [{"id": "2", "opened_at": "2024-01-02T00:00"}])
    with pytest.raises(RuntimeError), store.transaction():
        write(store, "incidents", rows, "test")
        assert store.scalar("SELECT count(*) FROM incident") == 2
        raise RuntimeError("boom")
    assert store.scalar("SELECT count(*) FROM incident") == 1


def test_stub_records_are_created_and_then_filled(store: Store) -> None:
    r = insert_records(
        store,
        "incidents",
        [{"id": "1", "opened_at": "2024-01-01T00:00", "service": "ERP", "resolver": "p7"}],
    )
    assert r.stubs == 2
    assert store.fetch("SELECT id, name, source FROM service") == [("ERP", "ERP", "auto")]
    insert_records(store, "services", [{"id": "SVC-1", "name": "erp", "tier": 1}])
    assert store.fetch("SELECT id, source FROM service") == [("SVC-1", "test")]
    assert store.fetch("SELECT service FROM incident") == [("SVC-1",)]
    insert_records(store, "people", [{"id": "p7", "team": "Apps"}])
    assert store.fetch("SELECT id, source FROM person") == [("p7", "test")]


def test_duckdb_held_by_another_process_is_a_clear_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    from trustmeter.store import DatabaseError, connect

    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseError) as exc:
            connect(f"duckdb:///{path}")
        msg = str(exc.value)
        assert "in use by another process" in msg and f"PID {holder.pid}" in msg
        assert "Traceback" not in msg and "PostgreSQL" in msg
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]


def test_row_hashes_stay_with_their_rows() -> None:
    # The hashes come from DuckDB, in parallel: they must come back in the rows' order.
    from trustmeter.store.writer import key_hashes, row_hashes

    n = 300_000
    table = pa.table({"id": [f"I{i}" for i in range(n)], "x": list(range(n))})
    hashes = row_hashes(table).to_pylist()
    assert len(set(hashes)) == n
    for i in (0, 1, 122_879, 122_880, 150_000, n - 1):
        assert row_hashes(table.slice(i, 1)).to_pylist() == [hashes[i]]
    keys = key_hashes(table.column("id"))
    assert [int(key_hashes(pa.array([f"I{i}"]))[0]) for i in (0, n - 1)] == [keys[0], keys[-1]]
    assert row_hashes(table.slice(0, 0)).to_pylist() == []


def test_keys_stay_unique_through_repeated_and_overlapping_writes(store: Store) -> None:
    # DuckDB's record tables have no primary-key index (migration 6): the writer alone keeps
    # (source, source_id) unique. Overlapping batches, repeats within a batch, changed and
    # unchanged rows, and a second source with the same ids.
    def batch(lo: int, hi: int, title: str) -> pa.Table:
        ids = [f"I{i}" for i in range(lo, hi)]
        return to_arrow(kind("incidents"), [{"id": i, "title": title} for i in ids])

    with store.transaction():
        write(store, "incidents", batch(0, 100, "a"), "s1")
        write(store, "incidents", batch(50, 150, "b"), "s1")  # 50 changed, 50 new
        write(store, "incidents", batch(0, 150, "b"), "s1")  # 50 changed back, 100 unchanged
        twice = pa.concat_tables([batch(140, 160, "c"), batch(150, 170, "d")])
        r = write(store, "incidents", twice, "s1")  # a repeat within one batch keeps the last
        write(store, "incidents", batch(0, 10, "z"), "s2")
    assert (r.inserted, r.updated, r.unchanged) == (20, 10, 0)
    dupes = store.scalar(
        "SELECT count(*) FROM (SELECT source, source_id FROM incident "
        "GROUP BY source, source_id HAVING count(*) > 1) d"
    )
    assert dupes == 0
    assert store.scalar("SELECT count(*) FROM incident WHERE source = 's1'") == 170
    assert store.fetch(
        "SELECT title, count(*) FROM incident WHERE source = 's1' GROUP BY title ORDER BY title"
    ) == [("b", 140), ("c", 10), ("d", 20)]


def test_memory_cap_is_restored_and_checked(tmp_path: Path) -> None:
    from trustmeter.store import connect
    from trustmeter.store.database import DatabaseError

    store = connect(f"duckdb:///{tmp_path / 'cap.duckdb'}")
    try:
        limit = "SELECT current_setting('memory_limit')"
        before = store.scalar(limit)
        with store.memory_capped("256MB"):
            assert store.scalar(limit) == "244.1 MiB"  # DuckDB shows 256 MB in MiB
        # restored from DuckDB's own rounded text (18.8 GiB may come back as 18.7 GiB)
        assert store.scalar(limit).split()[1] == before.split()[1]
        assert float(store.scalar(limit).split()[0]) == pytest.approx(
            float(before.split()[0]), 0.01
        )
        with pytest.raises(DatabaseError, match="not a memory size"), store.memory_capped("lots"):
            pass
    finally:
        store.close()

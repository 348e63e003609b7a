"""Write canonical records: one transaction per import, upserted by (source, source_id).

Re-running an import is safe: a record whose content did not change is left alone, a changed
one is replaced, a new one inserted. Names of services, teams, people and stakeholders that
have no record of their own get a stub record (source `auto`) that a later import fills in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.records import AUTO_SOURCE, TEAM_TABLE, RecordKind, kind
from trustmeter.store.database import Stage, Store, q, sql_type

__all__ = ["AUTO_SOURCE", "WriteResult", "insert_records", "to_arrow", "write"]

_STAGE = "_tm_stage"

_ARROW_TYPES: dict[str, pa.DataType] = {
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "number": pa.float64(),
    "integer": pa.int64(),
    "bool": pa.bool_(),
}


def arrow_type(field_type: str) -> pa.DataType:
    return _ARROW_TYPES.get(field_type, pa.string())


def arrow_schema(rk: RecordKind) -> pa.Schema:
    return pa.schema([(f.name, arrow_type(f.type)) for f in rk.fields])


@dataclass
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stubs: int = 0

    def __iadd__(self, other: WriteResult) -> WriteResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stubs += other.stubs
        return self


def source_ids(rk: RecordKind, table: pa.Table) -> pa.Array:
    """The record's id within its source: `id`, or its key fields joined for keyless kinds."""
    if rk.key == ("id",):
        return table.column("id").combine_chunks().cast(pa.string())
    parts = [table.column(k).combine_chunks().cast(pa.string()).to_pylist() for k in rk.key]
    return pa.array(
        ["|".join("" if p is None else p for p in row) for row in zip(*parts, strict=True)]
    )


def row_hashes(table: pa.Table) -> pa.Array:
    """A content hash per row, so an unchanged re-import is recognised and left alone.

    DuckDB's 64-bit hash over every column, computed in an in-process DuckDB whatever the
    workspace's engine, so DuckDB and PostgreSQL workspaces store the same hashes. It is
    vectorised and multi-threaded: about 20 ms for 200,000 rows, where hashing through pandas
    took most of a second and made a Python object of every value. DuckDB does not promise
    the same hash across its versions; after an upgrade that changed it, the first re-import
    reports its rows as updated and rewrites them, once.
    """
    if len(table) == 0:
        return pa.array([], pa.string())
    cols = ", ".join(q(c) for c in table.column_names)
    rel = _hasher().from_arrow(table).project(f"format('{{:016x}}', hash({cols})) AS h")
    return rel.to_arrow_table().column("h").combine_chunks()


_HASHER: list[duckdb.DuckDBPyConnection] = []


def _hasher() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process, used only to hash rows."""
    if not _HASHER:
        _HASHER.append(duckdb.connect())
    return _HASHER[0]


def to_arrow(rk: RecordKind, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a canonical Arrow table from plain dicts (tests, the demo, connectors)."""
    rows = list(rows)
    schema = arrow_schema(rk)
    data: dict[str, list[Any]] = {f.name: [] for f in rk.fields}
    for r in rows:
        unknown = set(r) - set(data)
        if unknown:
            raise KeyError(f"{rk.kind}: unknown field(s) {sorted(unknown)}")
        for f in rk.fields:
            v = r.get(f.name)
            if f.type == "timestamp" and isinstance(v, str):
                v = datetime.fromisoformat(v)
            elif f.type == "date" and isinstance(v, str):
                v = date.fromisoformat(v)
            if isinstance(v, datetime) and v.tzinfo is not None:
                raise ValueError("canonical timestamps are naive UTC")
            data[f.name].append(v)
    return pa.table(data, schema=schema)


def write(
    store: Store,
    rk: RecordKind | str,
    table: pa.Table,
    source: str,
    origins: Sequence[str] | pa.Array | None = None,
    answers: pa.Table | None = None,
) -> WriteResult:
    """Upsert canonical records. Call inside `store.transaction()` to make it all-or-nothing.

    `table` holds the kind's fields (any order, missing optional fields allowed); rows that
    repeat a key keep the last. `answers` (survey responses only) has response_id, item,
    value_num, value_text.
    """
    rk = kind(rk) if isinstance(rk, str) else rk
    table = _conform(rk, table)
    sid = source_ids(rk, table)
    hashes = row_hashes(table)
    if answers is not None:
        hashes = _fold_answers(sid, hashes, answers)
    staged = table.append_column("source_id", sid).append_column("row_hash", hashes)
    if isinstance(origins, pa.Array):
        origin = origins.cast(pa.string())
    else:
        origin = pa.array(origins or [None] * len(table), pa.string())
    staged = staged.append_column("origin", origin)
    staged = _last_per_key(staged)
    staged = staged.append_column("source", pa.repeat(pa.scalar(source, pa.string()), len(staged)))

    if "service" in rk.field_names:
        staged = _resolve_service_names(store, staged)
    cols = [(f.name, sql_type(f.type)) for f in rk.fields]
    cols += [("source_id", "TEXT"), ("row_hash", "TEXT"), ("origin", "TEXT"), ("source", "TEXT")]
    with store.staged(_STAGE, staged, cols) as stage:
        if rk.table == "service":
            _adopt_stub_services(stage)
        elif rk.table in ("person", "stakeholder"):
            # The real record replaces the stub that an earlier import made from its name.
            stage.execute(
                f"DELETE FROM {q(rk.table)} WHERE source = '{AUTO_SOURCE}' AND id IN "
                f"(SELECT id FROM {q(_STAGE)})"
            )
        t, s = q(rk.table), q(_STAGE)
        same_key = "t.source = s.source AND t.source_id = s.source_id"
        total = len(staged)
        existing, unchanged = stage.fetch(
            f"SELECT count(*), coalesce(sum(CASE WHEN t.row_hash = s.row_hash THEN 1 ELSE 0 END), 0) "
            f"FROM {s} s JOIN {t} t ON {same_key}"
        )[0]
        existing, unchanged = int(existing), int(unchanged)
        if existing > unchanged:
            stage.execute(
                f"DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {s} s WHERE s.source = {t}.source "
                f"AND s.source_id = {t}.source_id AND s.row_hash <> {t}.row_hash)"
            )
        if total > unchanged:
            names = ", ".join(q(c) for c, _ in cols)
            # With no staged key in the table yet (a first import), nothing needs excluding.
            new_only = f" WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {same_key})"
            stage.execute(
                f"INSERT INTO {t} ({names}, imported_at) SELECT {names}, current_timestamp "
                f"FROM {s} s" + (new_only if existing else "")
            )
        if answers is not None:
            _write_answers(store, source, answers)
        result = WriteResult(
            inserted=total - existing, updated=existing - unchanged, unchanged=unchanged
        )
        result.stubs = _create_stubs(stage, rk)
    return result


def _conform(rk: RecordKind, table: pa.Table) -> pa.Table:
    cols = []
    for f in rk.fields:
        want = arrow_type(f.type)
        if f.name in table.column_names:
            cols.append(table.column(f.name).cast(want))
        else:
            cols.append(pa.nulls(len(table), want))
    return pa.table(cols, names=list(rk.field_names))


def _last_per_key(staged: pa.Table) -> pa.Table:
    """A file that repeats a record keeps its last occurrence, as a later export row is newer."""
    ids = staged.column("source_id").combine_chunks()
    later = pd.Series(key_hashes(ids)).duplicated(keep="last").to_numpy()
    if not later.any():
        return staged
    # Only then are the keys compared themselves: a hash collision can never drop a record.
    drop = pd.Series(ids.to_pylist()).duplicated(keep="last").to_numpy()
    return staged.filter(pa.array(~drop))


def key_hashes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash per value (DuckDB's), for finding repeated keys without Python objects."""
    rel = _hasher().from_arrow(pa.table({"v": values})).project("hash(v) AS h")
    hashes: np.ndarray = rel.to_arrow_table().column("h").to_numpy()
    return hashes


def _fold_answers(sid: pa.Array, hashes: pa.Array, answers: pa.Table) -> pa.Array:
    """A response counts as changed when any of its answers changed."""
    per: dict[str, list[str]] = {}
    a = answers.to_pydict()
    for rid, item, num, text in zip(
        a["response_id"], a["item"], a["value_num"], a["value_text"], strict=True
    ):
        per.setdefault(rid, []).append(f"{item}={num}={text}")
    out = []
    for rid, h in zip(sid.to_pylist(), hashes.to_pylist(), strict=True):
        extra = "\x02".join(sorted(per.get(rid, [])))
        out.append(hashlib.blake2b((h + extra).encode(), digest_size=12).hexdigest())
    return pa.array(out, pa.string())


def _write_answers(store: Store, source: str, answers: pa.Table) -> None:
    store.temp_table(
        "_tm_answers",
        [
            ("response_id", "TEXT"),
            ("item", "TEXT"),
            ("value_num", "DOUBLE PRECISION"),
            ("value_text", "TEXT"),
        ],
    )
    store.load_arrow(
        "_tm_answers", answers.select(["response_id", "item", "value_num", "value_text"])
    )
    store.execute(
        "DELETE FROM survey_answer WHERE source = ? AND response_id IN "
        "(SELECT DISTINCT response_id FROM _tm_answers)",
        (source,),
    )
    store.execute(
        "INSERT INTO survey_answer (source, response_id, item, value_num, value_text) "
        "SELECT DISTINCT ON (response_id, item) ?, response_id, item, value_num, value_text "
        "FROM _tm_answers",
        (source,),
    )
    store.execute("DROP TABLE IF EXISTS _tm_answers")


def _resolve_service_names(store: Store, staged: pa.Table) -> pa.Table:
    """Records often name a service ("ERP") where the catalogue has an id ("SVC-001").

    A value that is a catalogue id stays; one that matches a service's name (any case)
    becomes that service's id (the smallest, should two services share a name).
    """
    catalogue = store.fetch("SELECT id, name FROM service WHERE name IS NOT NULL")
    if not catalogue:
        return staged
    ids = {row[0] for row in store.fetch("SELECT id FROM service")}
    by_name: dict[str, str] = {}
    for sid, name in sorted(catalogue):
        by_name.setdefault(str(name).lower(), sid)
    column = staged.column("service")
    names = [v for v in pc.unique(column).to_pylist() if v is not None and v not in ids]
    renames = {v: by_name[v.lower()] for v in names if v.lower() in by_name}
    if not renames:
        return staged
    keys = pa.array(list(renames), pa.string())
    mapped = pc.take(pa.array(list(renames.values()), pa.string()), pc.index_in(column, keys))
    i = staged.schema.get_field_index("service")
    return staged.set_column(i, "service", pc.coalesce(mapped, column))


def _adopt_stub_services(stage: Stage) -> None:
    """A catalogue import fills in the stubs that earlier incidents and changes created."""
    s = q(_STAGE)
    for table in ("incident", "change"):
        stage.execute(
            f"UPDATE {q(table)} SET service = (SELECT min(st.id) FROM {s} st "
            f"WHERE lower(st.name) = lower({q(table)}.service)) "
            f"WHERE service IN (SELECT id FROM service WHERE source = '{AUTO_SOURCE}') "
            f"AND NOT EXISTS (SELECT 1 FROM {s} st WHERE st.id = {q(table)}.service) "
            f"AND EXISTS (SELECT 1 FROM {s} st WHERE lower(st.name) = lower({q(table)}.service))"
        )
    stage.execute(
        f"DELETE FROM service WHERE source = '{AUTO_SOURCE}' AND EXISTS "
        f"(SELECT 1 FROM {s} st WHERE st.id = service.id OR lower(st.name) = lower(service.id))"
    )


_STUB_TARGET = {
    "service": "service",
    "team": TEAM_TABLE,
    "person": "person",
    "stakeholder": "stakeholder",
}


def _create_stubs(stage: Stage, rk: RecordKind) -> int:
    created = 0
    for f in rk.fields:
        if not f.refers_to:
            continue
        target = _STUB_TARGET[f.refers_to]
        has_name = target in ("service", "stakeholder", TEAM_TABLE)
        cols = "id, source, source_id, row_hash" + (", name" if has_name else "")
        vals = f"x.v, '{AUTO_SOURCE}', x.v, 'stub'" + (", x.v" if has_name else "")
        before = int(stage.fetch(f"SELECT count(*) FROM {q(target)}")[0][0])
        stage.execute(
            f"INSERT INTO {q(target)} ({cols}) SELECT {vals} FROM "
            f"(SELECT DISTINCT {q(f.name)} AS v FROM {q(_STAGE)} WHERE {q(f.name)} IS NOT NULL) x "
            f"WHERE NOT EXISTS (SELECT 1 FROM {q(target)} t WHERE t.id = x.v)"
        )
        created += int(stage.fetch(f"SELECT count(*) FROM {q(target)}")[0][0]) - before
    return created


def insert_records(
    store: Store, rk: RecordKind | str, rows: Iterable[Mapping[str, Any]], source: str = "test"
) -> WriteResult:
    """Write plain dicts as canonical records in one transaction (tests, the demo)."""
    rk = kind(rk) if isinstance(rk, str) else rk
    with store.transaction():
        return write(store, rk, to_arrow(rk, rows), source)

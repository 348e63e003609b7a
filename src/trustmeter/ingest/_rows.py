"""Rows reshaped before or after conversion: ids made for exports without one, a multi-valued
column read as one record per value, which row of a snapshot export wins, and the rows an
import with skip_invalid refuses (listed, with their reasons, in a rejects file).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.errors import ConfigError
from trustmeter.ingest._columns import GENERATED_ID
from trustmeter.ingest._convert import Converted, RowError
from trustmeter.ingest._files import Batch
from trustmeter.ingest._mapping import Mapping
from trustmeter.records import RecordKind

PICKS = ("first", "last", "earliest", "latest")


def rows(batch: Batch, start: int, stop: int) -> Batch:
    return Batch(
        lines=batch.lines[start:stop],
        columns={c: v[start:stop] for c, v in batch.columns.items()},
        records=batch.records[start:stop] if batch.records is not None else None,
    )


def valid(
    batch: Batch, convert: Callable[[Batch], Converted], rejects: list[RowError]
) -> Iterator[Converted]:
    """The batch's valid rows, converted, in file order; each invalid row goes to `rejects`.
    A conversion names one bad row; the rows before it are tried again (a value that failed
    to convert hides the checks that combine it with others) and so are the rows after it."""
    todo = [batch]
    while todo:
        part = todo.pop()
        if not len(part):
            continue
        try:
            yield convert(part)
        except RowError as exc:
            rejects.append(exc)
            todo.append(rows(part, exc.index + 1, len(part)))
            todo.append(rows(part, 0, exc.index))


def write_rejects(errors: list[RowError], path: Path) -> None:
    """Each refused row: the file, line, column, value and why (a CSV any tool opens)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "line", "column", "value", "reason"])
        for e in sorted(errors, key=lambda e: (e.file, e.line or 0)):
            reason = e.problem + (f"; expected {e.expected}" if e.expected else "")
            w.writerow(
                [e.file, e.line, e.column, e.value, reason + (f". {e.hint}" if e.hint else "")]
            )


# -- ids -------------------------------------------------------------------------------------
def with_ids(batch: Batch, mapping: Mapping, plan_columns: dict[str, str], file: str) -> Batch:
    """The batch with an id per row made as the mapping's id_from says: "row" (the file's
    name and the row's line: stable while the file is), or a hash of the named columns
    (stable across exports, as long as those columns identify the record)."""
    if not mapping.id_from:
        return batch
    if mapping.id_from == ("row",):
        name = Path(file).name
        ids: list[str | None] = [f"{name}:{line}" for line in batch.lines]
    else:
        cols = [batch.columns[plan_columns[c]] for c in mapping.id_from]
        ids = []
        for values in zip(*cols, strict=True):
            h = hashlib.blake2b(digest_size=10)
            for v in values:
                text = v.as_py() if isinstance(v, pa.Scalar) else v
                h.update((b"\x01" if text is None else str(text).strip().encode()) + b"\x00")
            ids.append("h-" + h.hexdigest())
    return Batch(batch.lines, {**batch.columns, GENERATED_ID: ids}, batch.records)


# -- one record per value ----------------------------------------------------------------------
def split(batch: Batch, mapping: Mapping, fields: dict[str, str]) -> Batch:
    """A multi-valued column (`[split] service = ";"`) as one row per value, each row's id
    suffixed "/VALUE" so that every value is a record of its own (an incident affecting
    three services counts against each). A row with no value stays one row, id unchanged."""
    if not mapping.split:
        return batch
    ((name, sep),) = mapping.split.items()
    column, id_column = fields[name], fields["id"]
    raw = batch.columns[column]
    take: list[int] = []
    values: list[str | None] = []
    for i, v in enumerate(raw.to_pylist() if isinstance(raw, pa.Array) else raw):
        parts = [p.strip() for p in (v or "").split(sep) if p.strip()]
        for p in parts or [None]:
            take.append(i)
            values.append(p)
    ids = batch.columns[id_column]
    id_text = ids.to_pylist() if isinstance(ids, pa.Array) else list(ids)
    new_ids = [
        id_text[i] if v is None or id_text[i] is None else f"{id_text[i]}/{v}"
        for i, v in zip(take, values, strict=True)
    ]
    columns: dict[str, Sequence[str | None]] = {}
    for c, col in batch.columns.items():
        seq = col.to_pylist() if isinstance(col, pa.Array) else col
        columns[c] = [seq[i] for i in take]
    columns[column] = values
    columns[id_column] = new_ids
    records = [batch.records[i] for i in take] if batch.records is not None else None
    return Batch([batch.lines[i] for i in take], columns, records)


# -- which row of a key wins --------------------------------------------------------------------
def pick_parts(mapping: Mapping, rk: RecordKind) -> tuple[str, str | None]:
    """ "latest done_at" → ("latest", "done_at"); "first" → ("first", None)."""
    how, _, named = (mapping.pick or "last").partition(" ")
    by = named.strip() or None
    where = f"mapping file {mapping.path}" if mapping.path else "mapping"
    if how not in PICKS or (how in ("earliest", "latest")) != (by is not None):
        raise ConfigError(
            f'{where}: pick = {mapping.pick!r}: expected "first", "last", "earliest FIELD" or '
            '"latest FIELD"'
        )
    if by is not None and by not in rk.field_names:
        raise ConfigError(f"{where}: pick names {by!r}, which is not a field of {rk.kind}")
    return how, by


def picked(table: pa.Table, keys: pa.Array, how: str, by: str | None) -> np.ndarray:
    """The positions (in file order) of the row that wins for each key: the first or last
    in the files, or the one with the earliest or latest `by` (ties: the later row)."""
    n = len(table)
    order = np.arange(n)
    sort: list[tuple[str, str, str]] = [("k", "ascending", "at_end")]
    cols: dict[str, pa.Array] = {"k": keys}
    if by is not None:
        cols["b"] = table.column(by).combine_chunks()
        # A row without the value never wins over one with it.
        sort.append(("b", "ascending" if how == "earliest" else "descending", "at_end"))
    cols["o"] = pa.array(order if how == "first" else -order)
    sort.append(("o", "ascending", "at_end"))
    idx = pc.sort_indices(pa.table(cols), sort_keys=sort).to_numpy()
    sorted_keys = keys.take(pa.array(idx)).to_numpy(zero_copy_only=False)
    first = np.ones(n, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return np.sort(idx[first])

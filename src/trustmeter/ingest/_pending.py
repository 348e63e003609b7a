"""Converted rows waiting to be written, and writing them in whole row groups.

The importer collects converted batches here and writes them with `writer.write` once a row
group's worth is waiting (WRITE_ROWS), all inside the import's one transaction. It also keeps
a 64-bit hash of every key it has seen, to count the rows a file repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.ingest._options import ImportResult
from trustmeter.records import RecordKind
from trustmeter.store.database import Store
from trustmeter.store.writer import key_hashes, source_ids, write

# Rows per write: DuckDB's row group. Inside the import's transaction, an insert of at most
# one row group is written to the database file compressed as it goes; a bigger one leaves
# row groups that the commit's checkpoint rewrites. Measured on 2M rows: 15 inserts of about
# 133,000 rows took 3.5 s and then a 2.3 s checkpoint; 17 inserts of 122,880 rows 3.7 s and a
# 0.01 s checkpoint (slices of 100,000 rows avoid it too, in 29 writes).
WRITE_ROWS = 122_880


@dataclass
class Pending:
    """Converted batches waiting to be written, and the keys seen so far (for duplicates)."""

    tables: list[pa.Table] = field(default_factory=list)
    answers: list[pa.Table] = field(default_factory=list)
    origins: list[pa.Array] = field(default_factory=list)
    # 8 bytes per row: 16 MB for a 2-million-row import.
    keys: list[np.ndarray] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(t) for t in self.tables)

    def remember(self, rk: RecordKind, table: pa.Table) -> None:
        # 64-bit hashes: two different keys would have to collide (about 1 in 10^7 for a
        # 2-million-row file) to be counted as one duplicate; nothing is dropped on a count.
        self.keys.append(key_hashes(source_ids(rk, table)))

    def duplicates(self) -> int:
        if not self.keys:
            return 0
        every = np.sort(np.concatenate(self.keys))
        return int((every[1:] == every[:-1]).sum())


def flush(
    store: Store, rk: RecordKind, pending: Pending, result: ImportResult, *, last: bool = True
) -> None:
    """Write the waiting rows, in slices of WRITE_ROWS; before the last flush, a remainder
    smaller than a slice stays waiting for the next batches (see WRITE_ROWS)."""
    if not pending.tables:
        return
    table = pa.concat_tables(pending.tables)
    answers = pa.concat_tables(pending.answers) if pending.answers else None
    origins = pa.concat_arrays(pending.origins)
    pending.tables.clear()
    pending.answers.clear()
    pending.origins.clear()
    if answers is not None:  # survey answers belong to their responses: written together
        _write_slice(store, rk, table, origins, answers, result)
        return
    whole = len(table) if last else len(table) // WRITE_ROWS * WRITE_ROWS
    for start in range(0, whole, WRITE_ROWS):
        size = min(WRITE_ROWS, whole - start)
        _write_slice(store, rk, table.slice(start, size), origins.slice(start, size), None, result)
    if whole < len(table):
        pending.tables.append(table.slice(whole))
        pending.origins.append(origins.slice(whole))


def _write_slice(
    store: Store,
    rk: RecordKind,
    table: pa.Table,
    origins: pa.Array,
    answers: pa.Table | None,
    result: ImportResult,
) -> None:
    w = write(store, rk, table, result.source, origins=origins, answers=answers)
    result.inserted += w.inserted
    result.updated += w.updated
    result.unchanged += w.unchanged
    result.stubs += w.stubs
    result.answers += len(answers) if answers is not None else 0


def origins_of(path: Path, lines: list[int]) -> pa.Array:
    """Where each record came from ("incidents.csv:42"), kept with the record."""
    numbers = pc.cast(pa.array(lines, pa.int64()), pa.string())
    return pc.binary_join_element_wise(f"{path.name}:", numbers, "")

"""Write a backup: every table trustmeter owns, read in one snapshot, and the workspace's files.

The archive is written to a temporary file beside the target and renamed when complete, so a
failed backup never leaves a half file. Every member is stored as it is (the Parquet files are
zstd-compressed inside), and the manifest is signed with the backup key (keys.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from trustmeter import __version__
from trustmeter.backup.keys import BackupKey, load_or_create_key
from trustmeter.backup.model import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SECRET_FILES,
    SIGNATURE,
    BackupError,
    BackupResult,
    FileEntry,
    Progress,
    TableEntry,
)
from trustmeter.backup.tables import (
    applied_migrations,
    arrow_type,
    check_engine,
    known_tables,
    known_versions,
    left_out,
    schema_at,
)
from trustmeter.errors import TrustmeterError
from trustmeter.store.database import Store, q
from trustmeter.store.migrations import catalogue


def _read_batches(store: Store, table: str, schema: Any, scratch: Path) -> Iterator[Any]:
    """The table's rows as Arrow record batches of `schema`, inside the open transaction."""
    cols = ", ".join(q(n) for n in schema.names)
    sql = f"SELECT {cols} FROM {q(table)}"
    raw: Any = store.con.con
    if store.engine == "duckdb":
        reader = raw.sql(sql).to_arrow_reader(BATCH)
        for batch in reader:
            yield from pa.Table.from_batches([batch]).cast(schema).to_batches()
        return
    # PostgreSQL: COPY to a CSV file, parsed by Arrow with the exact types (ten times faster
    # than rows through Python). In COPY's CSV a NULL is an unquoted empty field and an empty
    # string a quoted one; Arrow tells them apart the same way. The session settings that
    # shape the text (dates, float digits, encoding) are pinned by _snapshot.
    csv = scratch / f"{table}.csv"
    try:
        copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(copy_sql) as copy, csv.open("wb") as out:
            for data in copy:
                out.write(data)
        if not csv.stat().st_size:
            return  # no rows (Arrow refuses an empty CSV)
        reader = pacsv.open_csv(
            csv,
            read_options=pacsv.ReadOptions(column_names=schema.names, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=schema,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
        for batch in reader:
            yield from pa.Table.from_batches([batch]).cast(schema).to_batches()
    finally:
        with contextlib.suppress(FileNotFoundError):
            csv.unlink()


def _snapshot(store: Store) -> None:
    """Inside a fresh transaction: one snapshot for every read, and a fixed text format."""
    if store.engine == "postgres":
        store.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        store.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        store.execute("SET LOCAL extra_float_digits = 1")  # shortest exact text (PG 12+)
        store.execute("SET LOCAL client_encoding = 'UTF8'")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _workspace_files(
    root: Path, config: str, framework_file: str | None
) -> tuple[list[Path], list[str]]:
    """trustmeter.toml and the framework file it names (when inside the workspace)."""
    files = [root / config]
    notes = []
    if framework_file:
        path = (root / framework_file).resolve()
        try:
            path.relative_to(root.resolve())
            inside = True
        except ValueError:
            inside = False
        if inside and path.is_file():
            files.append(path)
        else:
            notes.append(
                f"the framework file {framework_file} is outside the workspace (or missing) "
                "and is not in the backup: copy it yourself"
            )
    return files, notes


def _secret_notes(root: Path, with_accounts: bool) -> list[str]:
    present = [s for s in SECRET_FILES if (root / s).exists()]
    if present:
        notes = [
            f"secrets are never in a backup: {', '.join(present)} stayed behind; copy "
            f"{'it' if len(present) == 1 else 'them'} to the new machine yourself"
        ]
    else:
        notes = [f"secrets are never in a backup ({SECRET_FILES[0]} is not included)"]
    if with_accounts:
        notes.append(
            "--with-accounts: the backup holds the web app's accounts and their password "
            "hashes; keep it as you keep the database"
        )
    else:
        notes.append(
            "the web app's accounts (password hashes) are not in the backup: a restore keeps "
            "the target's accounts; pass --with-accounts to include them"
        )
    return notes


def backup(
    store: Store,
    dest: Path,
    root: Path,
    *,
    config: str,
    framework_file: str | None = None,
    workspace: dict[str, Any] | None = None,
    with_accounts: bool = False,
    key_file: Path | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Write every trustmeter table of `store` and the workspace's files at `root` to `dest`.

    `config` is the name of the workspace's configuration file in `root`; it must exist.
    Account tables go in only `with_accounts`; session tables never. The manifest is signed
    with the key at `key_file` (default: keys.default_key_path()), made on the first backup.
    """
    check_engine(store)
    dest = Path(dest)
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder: give the backup's file name, e.g. nightly.tmbackup")
    parent = dest.resolve().parent
    if not parent.is_dir():
        raise BackupError(f"cannot write {dest}: the folder {parent} does not exist")
    files, notes = _workspace_files(root, config, framework_file)
    if not files[0].is_file():
        raise BackupError(f"{root} has no {config}: it is not a workspace")
    notes += _secret_notes(root, with_accounts)
    key = load_or_create_key(key_file)
    if key.created:
        notes.append(
            f"made the backup key {key.path} (mode 0600): keep it, apart from the backups; a "
            "restore on another machine needs a copy of it (--key FILE)"
        )
    try:
        with tempfile.TemporaryDirectory(prefix=".tmbackup-", dir=parent) as tmp:
            work = Path(tmp)
            dumped = _dump_tables(store, work, with_accounts, progress)
            tables = [
                TableEntry(
                    t["name"],
                    t["rows"],
                    _sha256(work / f"{t['name']}.parquet"),
                    (work / f"{t['name']}.parquet").stat().st_size,
                    t["columns"],
                )
                for t in dumped.tables
            ]
            file_entries = [
                FileEntry(
                    p.resolve().relative_to(root.resolve()).as_posix(),
                    _sha256(p),
                    p.stat().st_size,
                )
                for p in files
            ]
            manifest = _manifest(store, dumped, tables, file_entries, workspace, key)
            members = [(work / f"{e.name}.parquet", e.member) for e in tables]
            members += [(p, f.member) for f, p in zip(file_entries, files, strict=True)]
            _write_archive(dest, parent, manifest, key, members)
    except OSError as exc:
        raise BackupError(f"cannot write the backup {dest}: {exc}; nothing was written") from exc
    except TrustmeterError:
        raise
    except Exception as exc:  # a database or Arrow error: one message, not a traceback
        raise BackupError(
            f"the backup failed and {dest} was not written: {type(exc).__name__}: {exc}"
        ) from exc
    return BackupResult(
        dest,
        store.engine,
        max(dumped.applied),
        tables,
        file_entries,
        dest.stat().st_size,
        with_accounts,
        key.path,
        dumped.other,
        dumped.left_out,
        notes,
    )


def _manifest(
    store: Store,
    dumped: _Dumped,
    tables: list[TableEntry],
    files: list[FileEntry],
    workspace: dict[str, Any] | None,
    key: BackupKey,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "trustmeter_version": __version__,
        "schema_version": max(dumped.applied),
        "migrations": dumped.applied,
        "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "engine": store.engine,
        "workspace": workspace or {},
        "accounts": dumped.with_accounts,
        "key_id": key.id,
        "tables": [
            {
                "name": e.name,
                "file": e.member,
                "rows": e.rows,
                "sha256": e.sha256,
                "bytes": e.bytes,
                "columns": [list(c) for c in e.columns],
            }
            for e in tables
        ],
        "files": [
            {"path": f.path, "file": f.member, "sha256": f.sha256, "bytes": f.bytes} for f in files
        ],
        "left_out": dumped.left_out,
        "not_included": list(SECRET_FILES),
    }


def _write_archive(
    dest: Path,
    parent: Path,
    manifest: dict[str, Any],
    key: BackupKey,
    members: list[tuple[Path, str]],
) -> None:
    """The zip, every member stored as is, written beside `dest` and renamed onto it."""
    body = json.dumps(manifest, indent=2).encode("utf-8")
    fd, partial = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(MANIFEST, body)
            zf.writestr(SIGNATURE, key.sign(body) + "\n")
            for path, member in members:
                zf.write(path, member)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


@dataclass
class _Dumped:
    """What _dump_tables read: the tables written, the migrations, what it left out."""

    with_accounts: bool
    tables: list[dict[str, Any]] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # not trustmeter's tables
    left_out: list[str] = field(default_factory=list)  # trustmeter's, not carried


def _dump_tables(
    store: Store, work: Path, with_accounts: bool, progress: Progress | None
) -> _Dumped:
    """Every carried table to work/<table>.parquet, all read in one snapshot."""
    out = _Dumped(with_accounts)
    with store.transaction():
        _snapshot(store)
        cat = catalogue(store)
        out.applied = applied = applied_migrations(store, cat)
        if not applied:
            raise BackupError(
                "this database has no trustmeter schema (no schema_version): nothing to back up"
            )
        newer = sorted(set(applied) - known_versions())
        if newer:
            raise BackupError(
                f"this database has migration {newer[-1]}, newer than this trustmeter "
                f"({__version__}) knows: back it up with the trustmeter that migrated it"
            )
        known = known_tables()
        owned = sorted(t for t in cat if t in known)
        out.other = sorted(t for t in cat if t not in known)
        expected = schema_at(tuple(applied))
        odd = sorted(set(expected) ^ set(owned))
        if odd:
            has = "lacks" if odd[0] in expected else "has"
            raise BackupError(
                f"this database {has} the table {odd[0]!r}, unlike any database at its "
                f"migrations ({', '.join(map(str, applied))}): it was changed by hand, and a "
                "backup of it could not be restored; nothing was written"
            )
        out.left_out = left_out(owned, with_accounts)
        carried = [t for t in owned if t not in out.left_out]
        schemas = {
            t: pa.schema([(c, arrow_type(t, c, ty)) for c, ty in cat[t]], metadata=None)
            for t in carried
        }
        counts = {t: int(store.scalar(f"SELECT count(*) FROM {q(t)}")) for t in carried}
        total, done = sum(counts.values()), 0
        for t in carried:
            schema = schemas[t]
            rows = 0
            with pq.ParquetWriter(work / f"{t}.parquet", schema, compression="zstd") as writer:
                for batch in _read_batches(store, t, schema, work):
                    writer.write_batch(batch)
                    rows += batch.num_rows
                    done += batch.num_rows
                    if progress:
                        progress(t, done, total)
            if rows != counts[t]:
                raise BackupError(f"table {t}: read {rows} rows, expected {counts[t]}")
            out.tables.append(
                {"name": t, "rows": rows, "columns": [(f.name, str(f.type)) for f in schema]}
            )
    return out

"""Back up a workspace to one file and restore it elsewhere, on either engine, losing nothing.

The file (`.tmbackup` by convention) is a zip archive:

    manifest.json               format, trustmeter version, schema version and the migrations
                                applied, created-at (UTC), source engine, and for every file
                                its SHA-256 and size (and for every table its row count and
                                columns)
    tables/<table>.parquet      one Parquet file per table trustmeter owns (zstd inside; the
                                archive stores them as they are)
    workspace/trustmeter.toml   the workspace's configuration
    workspace/<framework file>  the framework file it names, when that lies in the workspace

Which tables: every table in the database catalogue that one of the numbered migrations
creates (found by running them on a scratch in-memory DuckDB), plus `schema_version`. Other
tables in the same database are left out and named. Secrets never go in: not
`trustmeter.secrets.toml` (API credentials) and not `.trustmeter-secret` (the web app's
session key).

A backup reads one consistent snapshot (one transaction; REPEATABLE READ on PostgreSQL) and
is written to a temporary file beside the target, then renamed, so a failed backup never
leaves a half file. A restore verifies the whole archive (manifest, sizes, checksums, Parquet
row counts, columns against this trustmeter's schema) before it writes anything, then creates
the schema at the backup's migrations and loads every table in one transaction, then applies
any newer migrations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import tomli_w

from trustmeter import __version__
from trustmeter.errors import TrustmeterError
from trustmeter.store.database import Store, connect, duckdb_path, q
from trustmeter.store.migrations import (
    MIGRATIONS,
    Catalogue,
    add_new_fields,
    catalogue,
    current_version,
    migrate,
)
from trustmeter.workspace import CONFIG, DEFAULT_DB, Workspace

FORMAT = "trustmeter-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Never in a backup: connectors/sync.py's SECRETS_FILE and web/settings.py's SECRET_FILE.
SECRET_FILES = ("trustmeter.secrets.toml", ".trustmeter-secret")
BATCH = 50_000

# progress(table, rows done over all tables, rows in all tables)
Progress = Callable[[str, int, int], None]


class BackupError(TrustmeterError):
    """A backup could not be written, or a file is not a backup this trustmeter can restore."""


@dataclass(frozen=True)
class TableEntry:
    name: str
    rows: int
    sha256: str
    bytes: int
    columns: list[tuple[str, str]]  # (name, Arrow type)

    @property
    def member(self) -> str:
        return f"tables/{self.name}.parquet"


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the workspace folder, POSIX separators
    sha256: str
    bytes: int

    @property
    def member(self) -> str:
        return f"workspace/{self.path}"


@dataclass
class BackupResult:
    path: Path
    engine: str
    schema_version: int
    tables: list[TableEntry]
    files: list[FileEntry]
    size: int
    other_tables: list[str] = field(default_factory=list)  # in the database, not trustmeter's
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass
class RestoreResult:
    root: Path
    database: str
    engine: str
    manifest: dict[str, Any]
    tables: list[TableEntry]
    files: list[FileEntry]
    migrated: list[int]  # newer migrations applied after the load
    replaced: bool  # --force replaced existing data or configuration

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


# -- the catalogue and the schema trustmeter owns ------------------------------------------------


def _create_schema(store: Store, versions: tuple[int, ...]) -> None:
    """The tables of a database migrated with exactly these migrations (schema_version empty)."""
    current_version(store)  # creates schema_version
    store.execute("DELETE FROM schema_version")
    for number, _description, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if number in versions:
            fn(store)
    add_new_fields(store)


@functools.cache
def schema_at(versions: tuple[int, ...]) -> dict[str, tuple[str, ...]]:
    """Table -> column names of a database with these migrations applied (a scratch DuckDB)."""
    scratch = connect("duckdb://")
    try:
        _create_schema(scratch, versions)
        return {t: tuple(c for c, _ in cols) for t, cols in catalogue(scratch).items()}
    finally:
        scratch.close()


@functools.cache
def known_tables() -> frozenset[str]:
    """Every table any migration of this trustmeter creates (even one a later one drops)."""
    scratch = connect("duckdb://")
    names: set[str] = set()
    try:
        current_version(scratch)
        for _number, _description, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
            fn(scratch)
            names |= set(catalogue(scratch))
        add_new_fields(scratch)
        names |= set(catalogue(scratch))
    finally:
        scratch.close()
    return frozenset(names)


def _check_engine(store: Store) -> None:
    if store.engine not in ("duckdb", "postgres"):
        raise BackupError(
            f"backup and restore work on DuckDB and PostgreSQL workspace databases, not on "
            f"{store.engine} (its data belongs to its owner, who backs it up)"
        )


def _known_versions() -> set[int]:
    return {m[0] for m in MIGRATIONS}


def _applied(store: Store, cat: Catalogue) -> list[int]:
    if "schema_version" not in cat:
        return []
    return sorted(int(r[0]) for r in store.fetch("SELECT version FROM schema_version"))


def arrow_type(table: str, column: str, data_type: str) -> Any:
    """The Arrow type a column travels as: the same for DuckDB's and PostgreSQL's names."""
    t = data_type.strip().lower()
    if t in ("timestamp with time zone", "timestamptz"):
        return pa.timestamp("us", tz="UTC")
    if t.startswith("timestamp"):
        return pa.timestamp("us")
    if t == "date":
        return pa.date32()
    if t in ("double", "double precision", "float8", "float", "real", "float4"):
        return pa.float64()
    if t in ("bigint", "int8", "integer", "int4", "int", "smallint", "int2", "tinyint"):
        return pa.int64()
    if t in ("boolean", "bool"):
        return pa.bool_()
    if t in ("varchar", "text", "character varying", "string") or t.startswith("varchar"):
        return pa.string()
    raise BackupError(
        f"column {table}.{column} has the type {data_type}, which a backup cannot carry "
        "without loss; nothing was written"
    )


# -- backup --------------------------------------------------------------------------------------
def backup_workspace(ws: Workspace, dest: Path, progress: Progress | None = None) -> BackupResult:
    """Back up a workspace: its database (opened read-only where the engine allows) and files."""
    store = connect(ws.database, base=ws.root, read_only=True)
    try:
        return backup(store, dest, ws.root, ws.framework_file, ws.as_dict(), progress)
    finally:
        store.close()


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


def _workspace_files(root: Path, framework_file: str | None) -> tuple[list[Path], list[str]]:
    """trustmeter.toml and the framework file it names (when inside the workspace)."""
    files = [root / CONFIG]
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


def backup(
    store: Store,
    dest: Path,
    root: Path,
    framework_file: str | None = None,
    workspace: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Write every trustmeter table of `store` and the workspace's files at `root` to `dest`."""
    _check_engine(store)
    dest = Path(dest)
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder: give the backup's file name, e.g. nightly.tmbackup")
    parent = dest.resolve().parent
    if not parent.is_dir():
        raise BackupError(f"cannot write {dest}: the folder {parent} does not exist")
    files, notes = _workspace_files(root, framework_file)
    if not files[0].is_file():
        raise BackupError(f"{root} has no {CONFIG}: it is not a workspace")
    present = [s for s in SECRET_FILES if (root / s).exists()]
    if present:
        notes.append(
            f"secrets are never in a backup: {', '.join(present)} stayed behind; copy "
            f"{'it' if len(present) == 1 else 'them'} to the new machine yourself"
        )
    else:
        notes.append(f"secrets are never in a backup ({SECRET_FILES[0]} is not included)")
    try:
        with tempfile.TemporaryDirectory(prefix=".tmbackup-", dir=parent) as tmp:
            work = Path(tmp)
            tables, applied, other = _dump_tables(store, work, progress)
            entries = []
            for t in tables:
                path = work / f"{t['name']}.parquet"
                entries.append(
                    TableEntry(
                        t["name"], t["rows"], _sha256(path), path.stat().st_size, t["columns"]
                    )
                )
            file_entries = [
                FileEntry(
                    p.resolve().relative_to(root.resolve()).as_posix(),
                    _sha256(p),
                    p.stat().st_size,
                )
                for p in files
            ]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "trustmeter_version": __version__,
                "schema_version": max(applied),
                "migrations": applied,
                "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                "engine": store.engine,
                "workspace": workspace or {},
                "tables": [
                    {
                        "name": e.name,
                        "file": e.member,
                        "rows": e.rows,
                        "sha256": e.sha256,
                        "bytes": e.bytes,
                        "columns": [list(c) for c in e.columns],
                    }
                    for e in entries
                ],
                "files": [
                    {"path": f.path, "file": f.member, "sha256": f.sha256, "bytes": f.bytes}
                    for f in file_entries
                ],
                "not_included": list(SECRET_FILES),
            }
            fd, partial = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=parent)
            os.close(fd)
            try:
                with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
                    zf.writestr(
                        MANIFEST, json.dumps(manifest, indent=2), compress_type=zipfile.ZIP_DEFLATED
                    )
                    for f, p in zip(file_entries, files, strict=True):
                        zf.write(p, f.member, compress_type=zipfile.ZIP_DEFLATED)
                    for e in entries:
                        zf.write(work / f"{e.name}.parquet", e.member, zipfile.ZIP_STORED)
                with open(partial, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(partial, dest)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial)
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
        max(applied),
        entries,
        file_entries,
        dest.stat().st_size,
        other,
        notes,
    )


def _dump_tables(
    store: Store, work: Path, progress: Progress | None
) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """Every owned table to work/<table>.parquet, all read in one snapshot."""
    out: list[dict[str, Any]] = []
    with store.transaction():
        _snapshot(store)
        cat = catalogue(store)
        applied = _applied(store, cat)
        if not applied:
            raise BackupError(
                "this database has no trustmeter schema (no schema_version): nothing to back up"
            )
        newer = sorted(set(applied) - _known_versions())
        if newer:
            raise BackupError(
                f"this database has migration {newer[-1]}, newer than this trustmeter "
                f"({__version__}) knows: back it up with the trustmeter that migrated it"
            )
        known = known_tables()
        owned = sorted(t for t in cat if t in known)
        other = sorted(t for t in cat if t not in known)
        expected = schema_at(tuple(applied))
        odd = sorted(set(expected) ^ set(owned))
        if odd:
            has = "lacks" if odd[0] in expected else "has"
            raise BackupError(
                f"this database {has} the table {odd[0]!r}, unlike any database at its "
                f"migrations ({', '.join(map(str, applied))}): it was changed by hand, and a "
                "backup of it could not be restored; nothing was written"
            )
        schemas = {
            t: pa.schema([(c, arrow_type(t, c, ty)) for c, ty in cat[t]], metadata=None)
            for t in owned
        }
        counts = {t: int(store.scalar(f"SELECT count(*) FROM {q(t)}")) for t in owned}
        total, done = sum(counts.values()), 0
        for t in owned:
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
            out.append(
                {"name": t, "rows": rows, "columns": [(f.name, str(f.type)) for f in schema]}
            )
    return out, applied, other


# -- reading a backup ----------------------------------------------------------------------------
@dataclass
class OpenedBackup:
    """A verified backup, extracted to a temporary folder."""

    path: Path
    manifest: dict[str, Any]
    tables: list[TableEntry]
    files: list[FileEntry]
    folder: Path

    @property
    def migrations(self) -> tuple[int, ...]:
        return tuple(self.manifest["migrations"])

    def table_file(self, t: TableEntry) -> Path:
        return self.folder / t.member

    def file_bytes(self, f: FileEntry) -> bytes:
        return (self.folder / f.member).read_bytes()


_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _bad(path: Path, problem: str) -> BackupError:
    return BackupError(f"{path}: {problem}; nothing was restored")


def _safe_relative(path: Path, text: Any) -> str:
    p = PurePosixPath(str(text))
    if not str(text) or p.is_absolute() or ".." in p.parts or "\\" in str(text):
        raise _bad(path, f"the manifest names an unsafe file path {text!r}")
    return p.as_posix()


def _parse_manifest(
    path: Path, raw: bytes
) -> tuple[dict[str, Any], list[TableEntry], list[FileEntry]]:
    try:
        m = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(path, f"manifest.json is not valid JSON ({exc})") from exc
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise _bad(path, f"not a trustmeter backup (manifest.json does not say {FORMAT!r})")
    version = m.get("format_version")
    if not isinstance(version, int):
        raise _bad(path, "manifest.json has no format_version")
    if version > FORMAT_VERSION:
        raise _bad(
            path,
            f"the backup format is version {version}, newer than this trustmeter "
            f"({__version__}) reads ({FORMAT_VERSION}): upgrade trustmeter to restore it",
        )
    try:
        migrations = [int(v) for v in m["migrations"]]
        tables = [
            TableEntry(
                str(t["name"]),
                int(t["rows"]),
                str(t["sha256"]),
                int(t["bytes"]),
                [(str(c), str(ty)) for c, ty in t["columns"]],
            )
            for t in m["tables"]
        ]
        files = [
            FileEntry(_safe_relative(path, f["path"]), str(f["sha256"]), int(f["bytes"]))
            for f in m["files"]
        ]
        m["schema_version"] = int(m["schema_version"])
        str(m["created_at"]), str(m["engine"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"manifest.json is incomplete or malformed ({exc!r})") from exc
    m["migrations"] = sorted(migrations)
    if not migrations or max(migrations) != m["schema_version"]:
        raise _bad(path, "manifest.json's schema_version does not match its migrations")
    newer = sorted(set(migrations) - _known_versions())
    if newer:
        raise _bad(
            path,
            f"the backup's schema (migration {newer[-1]}) is newer than this trustmeter "
            f"({__version__}) knows (up to {max(_known_versions())}): upgrade trustmeter to "
            "restore it",
        )
    for t in tables:
        if not _NAME.match(t.name):
            raise _bad(path, f"the manifest names an unexpected table {t.name!r}")
    if len({t.name for t in tables}) != len(tables) or len({f.path for f in files}) != len(files):
        raise _bad(path, "the manifest names a table or file twice")
    if CONFIG not in {f.path for f in files}:
        raise _bad(path, f"the backup holds no {CONFIG}")
    return m, tables, files


def _check_schema(path: Path, m: dict[str, Any], tables: list[TableEntry]) -> None:
    """The backup's tables and columns are those its migrations make in this trustmeter."""
    expected = schema_at(tuple(m["migrations"]))
    have = {t.name for t in tables}
    unknown = sorted(have - set(expected))
    if unknown:
        raise _bad(
            path, f"the backup holds table {unknown[0]!r}, which this trustmeter does not know"
        )
    missing = sorted(set(expected) - have)
    if missing:
        raise _bad(path, f"the backup lacks the table {missing[0]!r} its schema version has")
    for t in tables:
        extra = [c for c, _ in t.columns if c not in expected[t.name]]
        if extra:
            raise _bad(
                path,
                f"the backup's table {t.name} has the column {extra[0]!r}, which this "
                f"trustmeter ({__version__}) does not know: upgrade trustmeter to restore it",
            )


def _extract(zf: zipfile.ZipFile, member: str, target: Path, sha256: str, size: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    n = 0
    with zf.open(member) as src, target.open("wb") as out:
        while chunk := src.read(1 << 20):
            h.update(chunk)
            n += len(chunk)
            out.write(chunk)
    if n != size or h.hexdigest() != sha256:
        raise BackupError(f"checksum mismatch for {member}")


@contextlib.contextmanager
def open_backup(path: Path) -> Iterator[OpenedBackup]:
    """Verify a backup completely (manifest, checksums, Parquet files, schema) and extract it."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a backup file")
    with tempfile.TemporaryDirectory(prefix="tmrestore-") as tmp:
        folder = Path(tmp)
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if MANIFEST not in names:
                    raise _bad(path, "not a trustmeter backup (no manifest.json)")
                m, tables, files = _parse_manifest(path, zf.read(MANIFEST))
                members = {t.member for t in tables} | {f.member for f in files}
                missing = sorted(members - names)
                if missing:
                    raise _bad(path, f"the backup is incomplete: {missing[0]} is missing")
                extra = sorted(names - members - {MANIFEST})
                if extra:
                    raise _bad(
                        path, f"the backup holds {extra[0]}, which its manifest does not name"
                    )
                _check_schema(path, m, tables)
                entries: list[TableEntry | FileEntry] = [*tables, *files]
                for e in entries:
                    try:
                        _extract(zf, e.member, folder / e.member, e.sha256, e.bytes)
                    except BackupError as exc:
                        raise _bad(
                            path, f"{exc}: the file is damaged or was changed after it was made"
                        ) from exc
        except zipfile.BadZipFile as exc:
            raise _bad(path, f"not a readable backup: truncated or corrupt ({exc})") from exc
        except (EOFError, OSError, ValueError) as exc:  # zlib.error is not one; caught below
            raise _bad(path, f"cannot read the backup ({exc})") from exc
        except Exception as exc:
            if isinstance(exc, TrustmeterError):
                raise
            raise _bad(path, f"cannot read the backup ({exc!r})") from exc
        for t in tables:
            _check_parquet(path, t, folder / t.member)
        try:
            tomllib.loads((folder / f"workspace/{CONFIG}").read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise _bad(path, f"its {CONFIG} is not valid TOML ({exc})") from exc
        yield OpenedBackup(path, m, tables, files, folder)


def _check_parquet(path: Path, t: TableEntry, file: Path) -> None:
    try:
        pf = pq.ParquetFile(file)
        rows, names = pf.metadata.num_rows, list(pf.schema_arrow.names)
        types = [str(f.type) for f in pf.schema_arrow]
    except Exception as exc:
        raise _bad(path, f"{t.member} is not a readable Parquet file ({exc})") from exc
    if rows != t.rows:
        raise _bad(path, f"{t.member} holds {rows} rows, the manifest says {t.rows}")
    if list(zip(names, types, strict=True)) != t.columns:
        raise _bad(path, f"{t.member}'s columns differ from the manifest's")


# -- restore -------------------------------------------------------------------------------------
def target_state(store: Store) -> tuple[list[int], dict[str, int]]:
    """The target's applied migrations and rows per trustmeter table holding any."""
    cat = catalogue(store)
    applied = _applied(store, cat)
    rows = {}
    for t in sorted(set(cat) & known_tables() - {"schema_version"}):
        n = int(store.scalar(f"SELECT count(*) FROM {q(t)}"))
        if n:
            rows[t] = n
    return applied, rows


def restore_into(
    store: Store, bk: OpenedBackup, force: bool = False, progress: Progress | None = None
) -> tuple[list[int], bool]:
    """Replace the trustmeter tables of `store` by the backup's, in one transaction.

    Returns the newer migrations applied afterwards and whether existing data was replaced.
    """
    _check_engine(store)
    applied, rows = target_state(store)
    newer = sorted(set(applied) - _known_versions())
    if newer:
        raise BackupError(
            f"the target database has migration {newer[-1]}, newer than this trustmeter "
            f"({__version__}) knows: restore with that trustmeter; nothing was restored"
        )
    if rows and not force:
        held = ", ".join(f"{n:,} in {t}" for t, n in list(rows.items())[:3])
        raise BackupError(
            f"the target database is not empty (rows: {held}{', …' if len(rows) > 3 else ''}): "
            "pass --force to replace its data with the backup's; nothing was restored"
        )
    total, done = sum(t.rows for t in bk.tables), 0
    try:
        with store.transaction():
            cat = catalogue(store)
            for name in sorted(set(cat) & known_tables()):
                store.execute(f"DROP TABLE {q(name)}")
            _create_schema(store, bk.migrations)
            for t in bk.tables:
                for batch in pq.ParquetFile(bk.table_file(t)).iter_batches(batch_size=BATCH):
                    if batch.num_rows:
                        store.load_arrow(t.name, pa.Table.from_batches([batch]))
                        done += batch.num_rows
                        if progress:
                            progress(t.name, done, total)
                n = int(store.scalar(f"SELECT count(*) FROM {q(t.name)}"))
                if n != t.rows:
                    raise BackupError(f"table {t.name}: loaded {n} rows, the backup holds {t.rows}")
    except TrustmeterError as exc:
        raise BackupError(f"restore failed and nothing was written: {exc}") from exc
    except Exception as exc:
        raise BackupError(
            f"restore failed and nothing was written: {type(exc).__name__}: {exc}"
        ) from exc
    return migrate(store), bool(rows)


def with_database(text: str, url: str) -> str:
    """trustmeter.toml's text with workspace.database set to `url`, its comments kept."""
    line = tomli_w.dumps({"database": url})
    lines = text.splitlines(keepends=True)
    section, header = None, None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("["):
            section = s.split("]", 1)[0].lstrip("[").strip()
            if section == "workspace" and header is None:
                header = i
        elif section == "workspace" and re.match(r"database\s*=", s):
            lines[i] = line
            break
    else:
        if header is not None:
            lines.insert(header + 1, line)
        else:
            if lines and not lines[-1].endswith("\n"):
                lines.append("\n")
            lines += ["\n[workspace]\n", line]
    new = "".join(lines)
    with contextlib.suppress(tomllib.TOMLDecodeError):
        if tomllib.loads(new).get("workspace", {}).get("database") == url:
            return new
    data = tomllib.loads(text)  # an unusual layout: rewrite it plainly, without comments
    data.setdefault("workspace", {})["database"] = url
    return tomli_w.dumps(data)


def restore(
    path: Path,
    root: Path,
    db: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Make a workspace at `root` from a backup: its files, and its tables in `db`.

    `db` defaults to an embedded DuckDB file in `root`. Nothing is written until the whole
    backup is verified; a failure leaves the target database and folder as they were.
    """
    try:
        return _restore(Path(path), Path(root), db or DEFAULT_DB, force, progress)
    except OSError as exc:  # a folder that cannot be written, a full disk
        raise BackupError(f"cannot restore into {root}: {exc}; nothing was restored") from exc


def _restore(
    path: Path, root: Path, url: str, force: bool, progress: Progress | None
) -> RestoreResult:
    with open_backup(path) as bk:
        if root.exists() and not root.is_dir():
            raise BackupError(f"{root} is a file, not a folder")
        if (root / CONFIG).exists() and not force:
            raise BackupError(
                f"{root} is a workspace already ({CONFIG} exists): restore into a new folder, "
                "or pass --force to replace it; nothing was restored"
            )
        for f in bk.files:
            if f.path != CONFIG and (root / f.path).exists() and not force:
                raise BackupError(
                    f"{root / f.path} exists: pass --force to replace it; nothing was restored"
                )
        made_root = not root.exists()
        root.mkdir(parents=True, exist_ok=True)
        db_file = duckdb_path(url, root)
        made_db = db_file is not None and not db_file.exists()
        staged: list[tuple[Path, Path]] = []
        ok = False
        try:
            for f in bk.files:
                data = bk.file_bytes(f)
                if f.path == CONFIG:
                    data = with_database(data.decode("utf-8"), url).encode("utf-8")
                final = root / f.path
                final.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(
                    prefix=f".{final.name}.", suffix=".partial", dir=final.parent
                )
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                staged.append((Path(tmp), final))
            store = connect(url, base=root)
            engine = store.engine
            try:
                migrated, replaced = restore_into(store, bk, force, progress)
            finally:
                store.close()
            replaced = replaced or (root / CONFIG).exists()
            for tmp_path, final in staged:
                os.replace(tmp_path, final)
            ok = True
        finally:
            for tmp_path, _final in staged:
                with contextlib.suppress(FileNotFoundError):
                    tmp_path.unlink()
            if not ok:
                if made_db and db_file is not None:
                    for p in (db_file, Path(str(db_file) + ".wal")):
                        with contextlib.suppress(FileNotFoundError):
                            p.unlink()
                if made_root:
                    shutil.rmtree(root, ignore_errors=True)
        return RestoreResult(
            root.resolve(),
            url,
            engine,
            bk.manifest,
            bk.tables,
            bk.files,
            migrated,
            replaced,
        )

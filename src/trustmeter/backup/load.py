"""Load a backup into a workspace: verify it whole, then load every table in one transaction, then migrate up.

Accounts: a backup made without `--with-accounts` holds none, so the target's accounts are kept
(read before the old tables are dropped and put back in the same transaction); a backup made
with them replaces the target's. Sessions are never restored and the target's end: everyone
signs in again.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from trustmeter import __version__
from trustmeter.backup.keys import BackupKey, load_key
from trustmeter.backup.model import BATCH, BackupError, Progress, RestoreResult
from trustmeter.backup.read import OpenedBackup, open_backup
from trustmeter.backup.tables import (
    ACCOUNT_TABLES,
    applied_migrations,
    check_engine,
    create_schema,
    is_session_table,
    known_tables,
    known_versions,
)
from trustmeter.errors import TrustmeterError
from trustmeter.store.database import Store, connect, duckdb_path, q
from trustmeter.store.migrations import catalogue, migrate


def target_state(store: Store) -> tuple[list[int], dict[str, int]]:
    """The target's applied migrations and rows per trustmeter table holding any."""
    cat = catalogue(store)
    applied = applied_migrations(store, cat)
    rows = {}
    for t in sorted(set(cat) & known_tables() - {"schema_version"}):
        n = int(store.scalar(f"SELECT count(*) FROM {q(t)}"))
        if n:
            rows[t] = n
    return applied, rows


@dataclass(frozen=True)
class Loaded:
    migrated: list[int]  # newer migrations applied after the load
    replaced: bool  # the target held trustmeter data that the backup's replaced
    accounts: str  # "restored", "kept" or "none"


def restore_into(
    store: Store, bk: OpenedBackup, force: bool = False, progress: Progress | None = None
) -> Loaded:
    """Replace the trustmeter tables of `store` by the backup's, in one transaction.

    The target's accounts stay when the backup holds none; they do not count as data that
    --force must replace, and neither do sessions, which end.
    """
    check_engine(store)
    applied, rows = target_state(store)
    newer = sorted(set(applied) - known_versions())
    if newer:
        raise BackupError(
            f"the target database has migration {newer[-1]}, newer than this trustmeter "
            f"({__version__}) knows: restore with that trustmeter; nothing was restored"
        )
    keep = set() if bk.with_accounts else set(ACCOUNT_TABLES)
    held = {t: n for t, n in rows.items() if t not in keep and not is_session_table(t)}
    if held and not force:
        listed = ", ".join(f"{n:,} in {t}" for t, n in list(held.items())[:3])
        raise BackupError(
            f"the target database is not empty (rows: {listed}{', …' if len(held) > 3 else ''}): "
            "pass --force to replace its data with the backup's; nothing was restored"
        )
    total, done = sum(t.rows for t in bk.tables), 0
    try:
        with store.transaction():
            cat = catalogue(store)
            kept = {t: _rows_of(store, t, [c for c, _ in cat[t]]) for t in sorted(keep & set(cat))}
            for name in sorted(set(cat) & known_tables()):
                store.execute(f"DROP TABLE {q(name)}")
            create_schema(store, bk.migrations)
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
            put_back = _put_back(store, kept)
    except TrustmeterError as exc:
        raise BackupError(f"restore failed and nothing was written: {exc}") from exc
    except Exception as exc:
        raise BackupError(
            f"restore failed and nothing was written: {type(exc).__name__}: {exc}"
        ) from exc
    accounts = "restored" if bk.with_accounts else "kept" if put_back else "none"
    return Loaded(migrate(store), bool(held), accounts)


def _rows_of(store: Store, table: str, columns: list[str]) -> tuple[list[str], list[Any]]:
    names = ", ".join(q(c) for c in columns)
    return columns, store.fetch(f"SELECT {names} FROM {q(table)}")


def _put_back(store: Store, kept: dict[str, tuple[list[str], list[Any]]]) -> int:
    """The target's kept rows, in the columns the restored table has too; how many."""
    cat = catalogue(store)
    n = 0
    for table, (columns, rows) in kept.items():
        have = {c for c, _ in cat.get(table, [])}
        idx = [i for i, c in enumerate(columns) if c in have]
        names = ", ".join(q(columns[i]) for i in idx)
        marks = ", ".join("?" for _ in idx)
        for row in rows:
            store.execute(
                f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", [row[i] for i in idx]
            )
            n += 1
    return n


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
    *,
    db: str,
    config: str,
    key_file: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Make a workspace at `root` from a backup: its files, and its tables in `db`.

    `config` names the workspace's configuration file, whose database setting becomes `db`.
    The backup must verify with the key at `key_file` (default: keys.default_key_path()).
    Nothing is written until the whole backup is verified; a failure leaves the target
    database and folder as they were.
    """
    key = load_key(key_file)
    try:
        return _restore(Path(path), Path(root), db, config, key, force, progress)
    except OSError as exc:  # a folder that cannot be written, a full disk
        raise BackupError(f"cannot restore into {root}: {exc}; nothing was restored") from exc


def _restore(
    path: Path,
    root: Path,
    url: str,
    config: str,
    key: BackupKey,
    force: bool,
    progress: Progress | None,
) -> RestoreResult:
    with open_backup(path, key, config) as bk:
        if root.exists() and not root.is_dir():
            raise BackupError(f"{root} is a file, not a folder")
        if (root / config).exists() and not force:
            raise BackupError(
                f"{root} is a workspace already ({config} exists): restore into a new folder, "
                "or pass --force to replace it; nothing was restored"
            )
        for f in bk.files:
            if f.path != config and (root / f.path).exists() and not force:
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
                if f.path == config:
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
                loaded = restore_into(store, bk, force, progress)
            finally:
                store.close()
            replaced = loaded.replaced or (root / config).exists()
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
            loaded.migrated,
            replaced,
            loaded.accounts,
        )

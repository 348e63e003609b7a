"""Open a backup: verify its signature, then its members, before anything is inflated or loaded.

The order is what keeps a crafted file harmless. Only two members are read before the
signature is checked, each with a hard read limit (MAX_MANIFEST, MAX_SIGNATURE). Once the
signed manifest verifies, its sizes are trusted: every member must be stored uncompressed with
exactly the size the manifest gives, which is checked in the zip's directory before a byte of
it is read, and each is copied out with its SHA-256 and a cap at that size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow.parquet as pq

from trustmeter import __version__
from trustmeter.backup.keys import BackupKey
from trustmeter.backup.model import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_MANIFEST,
    MAX_SIGNATURE,
    SIGNATURE,
    BackupError,
    FileEntry,
    TableEntry,
)
from trustmeter.backup.tables import known_versions, left_out, schema_at
from trustmeter.errors import TrustmeterError

CHUNK = 1 << 20


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

    @property
    def with_accounts(self) -> bool:
        return bool(self.manifest["accounts"])

    def table_file(self, t: TableEntry) -> Path:
        return self.folder / t.member

    def file_bytes(self, f: FileEntry) -> bytes:
        return (self.folder / f.member).read_bytes()


_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def refusal(path: Path, problem: str) -> BackupError:
    return BackupError(f"{path}: {problem}; nothing was restored")


def _safe_relative(path: Path, text: Any) -> str:
    p = PurePosixPath(str(text))
    if not str(text) or p.is_absolute() or ".." in p.parts or "\\" in str(text):
        raise refusal(path, f"the manifest names an unsafe file path {text!r}")
    return p.as_posix()


def _read_capped(zf: zipfile.ZipFile, path: Path, member: str, limit: int) -> bytes:
    """A member's bytes, refused as soon as more than `limit` come out (whatever it declares)."""
    data = bytearray()
    with zf.open(member) as src:
        while chunk := src.read(min(CHUNK, limit + 1 - len(data))):
            data += chunk
            if len(data) > limit:
                raise refusal(path, f"{member} is larger than {limit:,} bytes: not a backup")
    return bytes(data)


def _header(path: Path, raw: bytes) -> dict[str, Any]:
    """The manifest as JSON, of a format this trustmeter reads (checked before the signature)."""
    try:
        m = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise refusal(path, f"manifest.json is not valid JSON ({exc})") from exc
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise refusal(path, f"not a trustmeter backup (manifest.json does not say {FORMAT!r})")
    version = m.get("format_version")
    if not isinstance(version, int):
        raise refusal(path, "manifest.json has no format_version")
    if version > FORMAT_VERSION:
        raise refusal(
            path,
            f"the backup format is version {version}, newer than this trustmeter "
            f"({__version__}) reads ({FORMAT_VERSION}): upgrade trustmeter to restore it",
        )
    if version < FORMAT_VERSION:
        raise refusal(
            path,
            f"the backup format is version {version}, made before backups were signed, so it "
            "cannot be told from a tampered copy: restore it with the trustmeter that made it, "
            "then back up again with this one",
        )
    return m


def _verify(path: Path, raw: bytes, signature: bytes, m: dict[str, Any], key: BackupKey) -> None:
    """The manifest's HMAC verifies with `key`: it is as the backup wrote it."""
    if key.verifies(raw, signature.decode("ascii", "replace").strip()):
        return
    if m.get("key_id") != key.id:
        raise refusal(
            path,
            f"it was signed with another backup key (id {str(m.get('key_id'))[:16]!r}) than "
            f"{key.path} (id {key.id!r}): to restore a backup made on another machine, pass "
            "that machine's key file with --key FILE",
        )
    raise refusal(
        path,
        f"its signature does not verify with the backup key {key.path}: the manifest was "
        "changed after the backup was made",
    )


def _parse(path: Path, m: dict[str, Any]) -> tuple[list[TableEntry], list[FileEntry]]:
    """The signed manifest's tables and files, with its fields normalised in `m`."""
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
        m["accounts"] = bool(m["accounts"])
        str(m["created_at"]), str(m["engine"])
    except (KeyError, TypeError, ValueError) as exc:
        raise refusal(path, f"manifest.json is incomplete or malformed ({exc!r})") from exc
    m["migrations"] = sorted(migrations)
    if not migrations or max(migrations) != m["schema_version"]:
        raise refusal(path, "manifest.json's schema_version does not match its migrations")
    newer = sorted(set(migrations) - known_versions())
    if newer:
        raise refusal(
            path,
            f"the backup's schema (migration {newer[-1]}) is newer than this trustmeter "
            f"({__version__}) knows (up to {max(known_versions())}): upgrade trustmeter to "
            "restore it",
        )
    for t in tables:
        if not _NAME.match(t.name):
            raise refusal(path, f"the manifest names an unexpected table {t.name!r}")
    if len({t.name for t in tables}) != len(tables) or len({f.path for f in files}) != len(files):
        raise refusal(path, "the manifest names a table or file twice")
    return tables, files


def _check_schema(path: Path, m: dict[str, Any], tables: list[TableEntry]) -> None:
    """The backup's tables and columns are those its migrations make in this trustmeter."""
    expected = schema_at(tuple(m["migrations"]))
    carried = set(expected) - set(left_out(expected, m["accounts"]))
    have = {t.name for t in tables}
    unknown = sorted(have - carried)
    if unknown:
        raise refusal(
            path, f"the backup holds table {unknown[0]!r}, which this trustmeter does not expect"
        )
    missing = sorted(carried - have)
    if missing:
        raise refusal(path, f"the backup lacks the table {missing[0]!r} its schema version has")
    for t in tables:
        extra = [c for c, _ in t.columns if c not in expected[t.name]]
        if extra:
            raise refusal(
                path,
                f"the backup's table {t.name} has the column {extra[0]!r}, which this "
                f"trustmeter ({__version__}) does not know: upgrade trustmeter to restore it",
            )


def _check_members(
    path: Path, zf: zipfile.ZipFile, entries: list[TableEntry | FileEntry], extra_ok: set[str]
) -> None:
    """Every member is present, named in the manifest, stored, and of the manifest's size."""
    infos = {i.filename: i for i in zf.infolist()}
    for e in entries:
        info = infos.get(e.member)
        if info is None:
            raise refusal(path, f"the backup is incomplete: {e.member} is missing")
        if info.compress_type != zipfile.ZIP_STORED or not (
            info.file_size == info.compress_size == e.bytes
        ):
            raise refusal(
                path,
                f"{e.member} does not match the manifest ({info.file_size:,} bytes, "
                f"{info.compress_size:,} in the archive; the manifest says {e.bytes:,}, stored): "
                "the file was changed after it was made",
            )
    extra = sorted(set(infos) - {e.member for e in entries} - extra_ok)
    if extra:
        raise refusal(path, f"the backup holds {extra[0]}, which its manifest does not name")


def _extract(zf: zipfile.ZipFile, member: str, target: Path, sha256: str, size: int) -> None:
    """Copy a member out, never more than `size` bytes, and check its SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    n = 0
    with zf.open(member) as src, target.open("wb") as out:
        while chunk := src.read(min(CHUNK, size + 1 - n)):
            n += len(chunk)
            if n > size:
                break
            h.update(chunk)
            out.write(chunk)
    if n != size or h.hexdigest() != sha256:
        raise BackupError(f"checksum mismatch for {member}")


def _check_parquet(path: Path, t: TableEntry, file: Path) -> None:
    try:
        pf = pq.ParquetFile(file)
        rows, names = pf.metadata.num_rows, list(pf.schema_arrow.names)
        types = [str(f.type) for f in pf.schema_arrow]
    except Exception as exc:
        raise refusal(path, f"{t.member} is not a readable Parquet file ({exc})") from exc
    if rows != t.rows:
        raise refusal(path, f"{t.member} holds {rows} rows, the manifest says {t.rows}")
    if list(zip(names, types, strict=True)) != t.columns:
        raise refusal(path, f"{t.member}'s columns differ from the manifest's")


def _verified(
    path: Path, zf: zipfile.ZipFile, key: BackupKey, config: str, folder: Path
) -> OpenedBackup:
    names = set(zf.namelist())
    if MANIFEST not in names:
        raise refusal(path, "not a trustmeter backup (no manifest.json)")
    raw = _read_capped(zf, path, MANIFEST, MAX_MANIFEST)
    m = _header(path, raw)
    if SIGNATURE not in names:
        raise refusal(path, f"the backup is not signed (no {SIGNATURE}): it cannot be trusted")
    _verify(path, raw, _read_capped(zf, path, SIGNATURE, MAX_SIGNATURE), m, key)
    tables, files = _parse(path, m)
    if config not in {f.path for f in files}:
        raise refusal(path, f"the backup holds no {config}")
    _check_schema(path, m, tables)
    entries: list[TableEntry | FileEntry] = [*tables, *files]
    _check_members(path, zf, entries, {MANIFEST, SIGNATURE})
    for e in entries:
        try:
            _extract(zf, e.member, folder / e.member, e.sha256, e.bytes)
        except BackupError as exc:
            raise refusal(
                path, f"{exc}: the file is damaged or was changed after it was made"
            ) from exc
    return OpenedBackup(path, m, tables, files, folder)


@contextlib.contextmanager
def open_backup(path: Path, key: BackupKey, config: str) -> Iterator[OpenedBackup]:
    """Verify a backup completely (signature, members, Parquet files, schema) and extract it.

    `config` is the workspace configuration's file name, which every backup must hold.
    """
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a backup file")
    with tempfile.TemporaryDirectory(prefix="tmrestore-") as tmp:
        folder = Path(tmp)
        try:
            with zipfile.ZipFile(path) as zf:
                bk = _verified(path, zf, key, config, folder)
        except zipfile.BadZipFile as exc:
            raise refusal(path, f"not a readable backup: truncated or corrupt ({exc})") from exc
        except (EOFError, OSError, ValueError) as exc:  # zlib.error is not one; caught below
            raise refusal(path, f"cannot read the backup ({exc})") from exc
        except Exception as exc:
            if isinstance(exc, TrustmeterError):
                raise
            raise refusal(path, f"cannot read the backup ({exc!r})") from exc
        for t in bk.tables:
            _check_parquet(path, t, folder / t.member)
        try:
            tomllib.loads((folder / f"workspace/{config}").read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise refusal(path, f"its {config} is not valid TOML ({exc})") from exc
        yield bk

"""The backup format's fixed names and the results a backup or a restore reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmeter.errors import TrustmeterError

FORMAT = "trustmeter-backup"
# 2: the manifest is signed (manifest.hmac), every member is stored uncompressed, accounts are
# in only when asked for. Version 1 backups carry no signature and are refused.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
SIGNATURE = "manifest.hmac"
# Read limits for the two members read before the signature is checked: a crafted archive
# can declare any size, so these stop the read, not the declared sizes.
MAX_MANIFEST = 8 << 20
MAX_SIGNATURE = 256
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
    with_accounts: bool
    key_path: Path
    other_tables: list[str] = field(default_factory=list)  # in the database, not trustmeter's
    left_out: list[str] = field(default_factory=list)  # trustmeter's, kept out (accounts)
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
    accounts: str  # "restored" (the backup's), "kept" (the target's) or "none"

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

"""Back up a workspace to one file and restore it elsewhere, on either engine, losing nothing.

The file (`.tmbackup` by convention) is a zip archive whose members are all stored as they are:

    manifest.json               format, trustmeter version, schema version and the migrations
                                applied, created-at (UTC), source engine, whether accounts
                                are in, the id of the key that signed it, and for every file
                                its SHA-256 and size (and for every table its row count and
                                columns)
    manifest.hmac               HMAC-SHA256 of manifest.json's bytes with the backup key,
                                which is never in a backup (keys.py)
    tables/<table>.parquet      one Parquet file per table carried (zstd inside)
    workspace/trustmeter.toml   the workspace's configuration
    workspace/<framework file>  the framework file it names, when that lies in the workspace

Which tables: every table in the database catalogue that one of the numbered migrations
creates (found by running them on a scratch in-memory DuckDB), plus `schema_version`, except
the accounts (unless asked for) and sessions (never) (tables.py). Other tables in the same
database are left out and named. Secrets never go in: not `trustmeter.secrets.toml` (API
credentials), not `.trustmeter-secret` (the web app's session key), not the backup key.

Modules, in the order a backup travels: model (names, results), tables (what is carried),
keys (the signing key), create (writing a backup), read (verifying one), load (restoring).
This package sits beside store/ and imports nothing above it: the shell passes in the
workspace's folder, configuration file name and database.
"""

from trustmeter.backup.create import backup
from trustmeter.backup.keys import KEY_ENV, default_key_path
from trustmeter.backup.load import restore, with_database
from trustmeter.backup.model import (
    SECRET_FILES,
    BackupError,
    BackupResult,
    RestoreResult,
)
from trustmeter.backup.read import open_backup

__all__ = [
    "KEY_ENV",
    "SECRET_FILES",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup",
    "default_key_path",
    "open_backup",
    "restore",
    "with_database",
]

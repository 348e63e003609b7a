"""The backup key: an HMAC-SHA256 key kept outside every backup, so a tamperer cannot re-sign.

Checksums in a manifest only show accidental damage: whoever edits a backup can recompute them.
The manifest is therefore signed with a key that never goes into a backup. It lives in one
file per machine (user), so that every workspace of that user can be backed up and restored
without passing anything:

1. the path in `--key FILE`, else
2. the path in the TRUSTMETER_BACKUP_KEY environment variable, else
3. `$XDG_CONFIG_HOME/trustmeter/backup.key` (`~/.config/trustmeter/backup.key`).

The first backup creates the file (32 random bytes as hex, mode 0600, its folder 0700). To
restore on another machine, copy the key file there and pass it with `--key`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from trustmeter.backup.model import BackupError

KEY_ENV = "TRUSTMETER_BACKUP_KEY"
_HEX = re.compile(r"^[0-9a-f]{64}$")


def default_key_path() -> Path:
    """Where the key is looked for when no `--key` is given."""
    if env := os.environ.get(KEY_ENV):
        return Path(env).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "trustmeter" / "backup.key"


@dataclass(frozen=True)
class BackupKey:
    path: Path
    secret: bytes
    created: bool = False  # this call made the file

    @property
    def id(self) -> str:
        """A name for the key that reveals nothing of it: which key signed a backup."""
        return hmac.new(self.secret, b"trustmeter backup key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    def verifies(self, data: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(data), signature)


def _read(path: Path) -> BackupKey:
    try:
        text = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"cannot read the backup key {path}: {exc}") from exc
    if not _HEX.match(text):
        raise BackupError(
            f"{path} is not a backup key (expected 64 lowercase hex characters, "
            f"as `trustmeter backup` writes)"
        )
    return BackupKey(path, bytes.fromhex(text))


def load_key(path: Path | None) -> BackupKey:
    """The key to verify a backup with; a missing key is an error that says what to do."""
    where = path or default_key_path()
    if not where.exists():
        given = "the key file given" if path else "this machine's backup key"
        raise BackupError(
            f"{given} ({where}) does not exist, so no backup can be verified: to restore a "
            "backup made on another machine, copy that machine's backup key here and pass it "
            "with --key FILE; nothing was restored"
        )
    return _read(where)


def load_or_create_key(path: Path | None) -> BackupKey:
    """The key to sign a backup with, created (mode 0600) when this is the first backup."""
    where = path or default_key_path()
    if where.exists():
        return _read(where)
    try:
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another backup made it a moment ago
        return _read(where)
    except OSError as exc:
        raise BackupError(f"cannot create the backup key {where}: {exc}") from exc
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret.hex() + "\n")
    return BackupKey(where, secret, created=True)

"""What a backup gives away and what a tampered one can do: issue 12, findings 8 and 10.

- No password hashes in a backup unless asked for (`--with-accounts`); a restore of a backup
  without accounts keeps the target's.
- The manifest is signed with a key kept outside the backup: a backup with an extra admin
  account and recomputed checksums is refused; another machine's backup needs its key.
- A small crafted file cannot make a restore inflate or write more than a few bytes before it
  is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from backup_data import manifest_of, refused, rewrite, run

from trustmeter.backup import tables as bt
from trustmeter.backup.keys import KEY_ENV, load_key, load_or_create_key
from trustmeter.backup.model import MAX_MANIFEST, BackupError
from trustmeter.store import connect
from trustmeter.store.accounts import add_user, list_users
from trustmeter.store.migrations import catalogue

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$QUxJQ0VTLUhBU0gtU0VDUkVU"
WHEN = datetime(2024, 3, 1, 9, 30)


def workspace_with_user(root: Path, user: str, password_hash: str = HASH) -> Path:
    assert run("init", str(root)).exit_code == 0
    store = connect("duckdb:///trustmeter.duckdb", base=root)
    try:
        add_user(store, user, password_hash, "admin", WHEN)
        store.execute(
            "INSERT INTO incident (id, source, source_id, row_hash, title) "
            "VALUES ('I1', 'src', 'I1', 'h', 'kept')"
        )
    finally:
        store.close()
    return root


def users_in(root: Path) -> list[str]:
    store = connect("duckdb:///trustmeter.duckdb", base=root)
    try:
        return [u.username for u in list_users(store)]
    finally:
        store.close()


def every_value(file: Path) -> set[Any]:
    """Every value of every table in a backup."""
    values: set[Any] = set()
    with zipfile.ZipFile(file) as zf:
        for name in zf.namelist():
            if name.endswith(".parquet"):
                for column in pq.read_table(io.BytesIO(zf.read(name))).to_pydict().values():
                    values |= set(column)
    return values


@pytest.fixture
def alice(tmp_path: Path) -> Path:
    """A workspace whose web app has one admin, alice."""
    return workspace_with_user(tmp_path / "alice-ws", "alice")


# -- accounts --------------------------------------------------------------------------------


def test_a_backup_holds_no_password_hashes_unless_asked(alice: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.tmbackup"
    r = run("-w", str(alice), "backup", str(plain))
    assert r.exit_code == 0, r.output
    assert "left out (accounts and sessions): app_user, web_session" in r.output
    assert "pass --with-accounts" in " ".join(r.output.split())
    m = manifest_of(plain)
    assert m["accounts"] is False and m["left_out"] == ["app_user", "web_session"]
    assert "app_user" not in {t["name"] for t in m["tables"]}
    values = every_value(plain)
    assert "kept" in values  # the data is there...
    assert HASH not in values and "alice" not in values  # ...the account is not

    full = tmp_path / "full.tmbackup"
    assert run("-w", str(alice), "backup", str(full), "--with-accounts").exit_code == 0
    assert manifest_of(full)["accounts"] is True
    assert HASH in every_value(full)


def test_restore_without_accounts_keeps_the_targets(alice: Path, tmp_path: Path) -> None:
    file = tmp_path / "plain.tmbackup"
    assert run("-w", str(alice), "backup", str(file)).exit_code == 0

    # A target whose only rows are its accounts: not "not empty", and bob stays.
    bob = workspace_with_user(tmp_path / "bob-ws", "bob", "$argon2id$bob")
    fresh = tmp_path / "fresh-folder"
    fresh.mkdir()
    store = connect("duckdb:///trustmeter.duckdb", base=bob)
    store.execute("DELETE FROM incident")
    store.close()
    (fresh / "trustmeter.duckdb").write_bytes((bob / "trustmeter.duckdb").read_bytes())
    r = run("restore", str(file), str(fresh))
    assert r.exit_code == 0, r.output
    assert "accounts: the target's, kept" in r.output
    assert users_in(fresh) == ["bob"]
    store = connect("duckdb:///trustmeter.duckdb", base=fresh)
    try:
        assert store.fetch("SELECT title FROM incident") == [("kept",)]
        assert store.fetch("SELECT password_hash, role FROM app_user") == [
            ("$argon2id$bob", "admin")
        ]
    finally:
        store.close()

    # --force over a workspace with data and accounts: the data is replaced, bob stays.
    carol = workspace_with_user(tmp_path / "carol-ws", "carol")
    r = run("restore", str(file), str(carol), "--force")
    assert r.exit_code == 0, r.output
    assert users_in(carol) == ["carol"]

    # Into a new folder: no accounts at all, and the command says how to make one.
    r = run("restore", str(file), str(tmp_path / "new"))
    assert r.exit_code == 0, r.output
    assert "accounts: none" in r.output and "trustmeter user add" in r.output
    assert users_in(tmp_path / "new") == []


def test_restore_with_accounts_replaces_the_targets(alice: Path, tmp_path: Path) -> None:
    file = tmp_path / "full.tmbackup"
    assert run("-w", str(alice), "backup", str(file), "--with-accounts").exit_code == 0
    bob = workspace_with_user(tmp_path / "bob-ws", "bob")
    r = run("restore", str(file), str(bob), "--force")
    assert r.exit_code == 0, r.output
    assert "accounts: the backup's" in r.output
    assert users_in(bob) == ["alice"]


def test_sessions_never_travel_and_accounts_only_when_asked() -> None:
    assert bt.left_out(["app_user", "web_session", "incident"], with_accounts=False) == [
        "app_user",
        "web_session",
    ]
    assert bt.left_out(["app_user", "web_session", "incident"], with_accounts=True) == [
        "web_session"
    ]


def test_every_table_holding_credentials_is_kept_out_by_default() -> None:
    """A new table with passwords or sessions must be classified before it can leak."""
    scratch = connect("duckdb://")
    try:
        bt.create_schema(scratch, tuple(sorted(bt.known_versions())))
        cat = catalogue(scratch)
    finally:
        scratch.close()
    private = {
        t
        for t, cols in cat.items()
        if any(w in c for c, _ in cols for w in ("password", "session", "secret"))
    }
    assert "app_user" in private
    assert private <= set(bt.left_out(cat, with_accounts=False))


# -- the signature ---------------------------------------------------------------------------


def _add_admin(parquet: bytes) -> bytes:
    table = pq.read_table(io.BytesIO(parquet))
    row = {
        "username": ["mallory"],
        "password_hash": ["$argon2id$mallory"],
        "role": ["admin"],
        "created_at": [WHEN],
        "password_changed_at": [WHEN],
    }
    extra = pa.table({c: row[c] for c in table.column_names}, schema=table.schema)
    sink = io.BytesIO()
    pq.write_table(pa.concat_tables([table, extra]), sink)
    return sink.getvalue()


def test_an_extra_admin_with_recomputed_checksums_is_refused(alice: Path, tmp_path: Path) -> None:
    file = tmp_path / "full.tmbackup"
    assert run("-w", str(alice), "backup", str(file), "--with-accounts").exit_code == 0
    with zipfile.ZipFile(file) as zf:
        users = _add_admin(zf.read("tables/app_user.parquet"))
    m = manifest_of(file)
    for t in m["tables"]:
        if t["name"] == "app_user":
            t.update(rows=2, bytes=len(users), sha256=hashlib.sha256(users).hexdigest())
    body = json.dumps(m, indent=2).encode()
    dest = tmp_path / "never"
    forged = tmp_path / "forged.tmbackup"
    rewrite(file, forged, {"manifest.json": body, "tables/app_user.parquet": users})
    refused(forged, dest, "signature does not verify", "changed after the backup was made")
    # Nor does a signature member recomputed as a plain checksum of the new manifest.
    plain_sum = hashlib.sha256(body).hexdigest().encode()
    rewrite(forged, forged.with_suffix(".2"), {"manifest.hmac": plain_sum})
    refused(forged.with_suffix(".2"), dest, "signature does not verify")
    # Nor one without a signature.
    with zipfile.ZipFile(forged) as zin, zipfile.ZipFile(tmp_path / "bare.zip", "w") as zout:
        for name in zin.namelist():
            if name != "manifest.hmac":
                zout.writestr(name, zin.read(name))
    refused(tmp_path / "bare.zip", dest, "not signed")
    assert not dest.exists()


def test_a_backup_from_another_machine_needs_its_key(
    alice: Path, tmp_path: Path, backup_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "b.tmbackup"
    assert not backup_key.exists()
    r = run("-w", str(alice), "backup", str(file))
    assert r.exit_code == 0, r.output
    assert "made the backup key" in r.output and backup_key.is_file()
    assert backup_key.stat().st_mode & 0o777 == 0o600
    assert backup_key.parent.stat().st_mode & 0o777 == 0o700
    assert load_key(backup_key).id == manifest_of(file)["key_id"]
    r = run("-w", str(alice), "backup", str(file))
    assert "made the backup key" not in r.output  # the same key, not a new one

    # The other machine: a key of its own, or none yet.
    other = tmp_path / "other-machine" / "backup.key"
    monkeypatch.setenv(KEY_ENV, str(other))
    refused(file, tmp_path / "never", "backup key", "does not exist", "--key FILE")
    load_or_create_key(None)
    refused(file, tmp_path / "never", "signed with another backup key", "--key FILE")
    r = run("restore", str(file), str(tmp_path / "copy"), "--key", str(backup_key))
    assert r.exit_code == 0, r.output
    assert users_in(tmp_path / "copy") == []


def test_a_key_file_that_is_not_a_key_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "backup.key"
    bad.write_text("hunter2\n")
    with pytest.raises(BackupError, match=r"backup.key is not a backup key \(expected 64"):
        load_key(bad)


# -- decompression ---------------------------------------------------------------------------


@pytest.fixture
def inflated(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts every byte a restore inflates or copies out of the archive."""
    total = [0]
    real = zipfile.ZipExtFile.read

    def counting(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = real(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    yield total


BOMB = 256 << 20  # bytes once inflated; about 250 KB in the archive


def _write_bomb(src: Path, dest: Path, member: str, body: bytes, sig: bytes | None) -> None:
    """A copy of `src` with `member` replaced by BOMB deflated zero bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name == member:
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(info, "w", force_zip64=True) as out:
                    zeros = bytes(1 << 20)
                    for _ in range(BOMB >> 20):
                        out.write(zeros)
            elif name == "manifest.json":
                zout.writestr(name, body)
            elif name == "manifest.hmac" and sig is not None:
                zout.writestr(name, sig)
            else:
                zout.writestr(name, zin.read(name))


def test_a_crafted_small_file_is_refused_before_it_is_inflated(
    small_backup: Path, tmp_path: Path, backup_key: Path, inflated: list[int]
) -> None:
    member = "tables/incident.parquet"
    zero_sum = hashlib.sha256()
    for _ in range(BOMB >> 20):
        zero_sum.update(bytes(1 << 20))
    m = manifest_of(small_backup)
    for t in m["tables"]:
        if t["file"] == member:
            t.update(bytes=BOMB, sha256=zero_sum.hexdigest())
    body = json.dumps(m).encode()
    dest = tmp_path / "never"

    # Checksums recomputed, no key: refused on the signature, nothing but it and the
    # manifest read.
    bomb = tmp_path / "bomb.tmbackup"
    _write_bomb(small_backup, bomb, member, body, None)
    assert bomb.stat().st_size < 2 << 20
    inflated[0] = 0
    refused(bomb, dest, "signature does not verify")
    assert inflated[0] < 64 << 10, inflated[0]

    # Even signed with the key (what only its holder could make), a member the archive
    # compresses is refused from the zip's directory, before a byte of it is read.
    _write_bomb(small_backup, bomb, member, body, load_key(backup_key).sign(body).encode())
    inflated[0] = 0
    refused(bomb, dest, f"{member} does not match the manifest")
    assert inflated[0] < 64 << 10, inflated[0]

    # A manifest that inflates without end stops at its read limit.
    _write_bomb(small_backup, bomb, "manifest.json", b"", None)
    inflated[0] = 0
    refused(bomb, dest, f"manifest.json is larger than {MAX_MANIFEST:,} bytes")
    assert inflated[0] <= MAX_MANIFEST + 1
    assert not dest.exists()


def test_accounts_are_kept_in_a_postgresql_target(
    alice: Path, tmp_path: Path, fresh_pg: str
) -> None:
    """The same rule on PostgreSQL: an initialised database with only accounts needs no --force."""
    file = tmp_path / "plain.tmbackup"
    assert run("-w", str(alice), "backup", str(file)).exit_code == 0
    assert run("init", str(tmp_path / "scratch"), "--db", fresh_pg).exit_code == 0
    store = connect(fresh_pg)
    try:
        add_user(store, "bob", "$argon2id$bob", "viewer", WHEN)
    finally:
        store.close()
    r = run("restore", str(file), str(tmp_path / "team"), "--db", fresh_pg)
    assert r.exit_code == 0, r.output
    assert "accounts: the target's, kept" in r.output
    store = connect(fresh_pg)
    try:
        assert store.fetch("SELECT username, password_hash, role FROM app_user") == [
            ("bob", "$argon2id$bob", "viewer")
        ]
        assert store.fetch("SELECT title FROM incident") == [("kept",)]
    finally:
        store.close()


def test_the_backup_package_imports_nothing_above_store() -> None:
    """backup/ sits beside store/: the shell passes the workspace in (issue 11)."""
    code = (
        "import sys, trustmeter.backup; "
        "print(' '.join(m for m in sys.modules if m.startswith('trustmeter')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    allowed = ("trustmeter.backup", "trustmeter.store", "trustmeter.errors", "trustmeter.records")
    above = [m for m in out if m != "trustmeter" and not m.startswith(allowed)]
    assert "trustmeter.backup.load" in out and above == []

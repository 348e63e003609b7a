"""`trustmeter backup` and `trustmeter restore`: a workspace moves, on either engine, whole.

The source workspace runs on each engine (the `db_url` fixture); each round trip restores it
into a fresh embedded DuckDB and into a fresh PostgreSQL database, so DuckDB→PostgreSQL and
PostgreSQL→DuckDB are both covered. Every trustmeter table is filled with awkward values
(quotes, newlines, unicode, NULL beside '', JSON text, extreme numbers and times) and compared
row by row, value by value, type by type.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from backup_data import dump, fill_every_table, refused, restore_args, rewrite, run, score
from click.testing import CliRunner

from trustmeter.backup import create, load
from trustmeter.backup import tables as bt
from trustmeter.backup.model import BackupError
from trustmeter.cli import cli
from trustmeter.store import Store, connect
from trustmeter.store.migrations import LATEST, MIGRATIONS, catalogue
from trustmeter.workspace import CONFIG


def test_round_trip_keeps_every_row_of_every_table(
    source: Path, db_url: str, target: str | None, tmp_path: Path
) -> None:
    file = tmp_path / "nightly.tmbackup"
    r = run("-w", str(source), "backup", str(file), "--with-accounts")
    assert r.exit_code == 0, r.output
    assert "left out (not trustmeter's tables): their_notes" in r.output
    # Sessions (web_session, migration 8) never travel; the accounts do, when asked.
    assert "left out (accounts and sessions): web_session" in r.output
    assert "trustmeter.secrets.toml stayed behind" in r.output

    with zipfile.ZipFile(file) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert not any("secret" in n for n in names)
    assert "workspace/trustmeter.toml" in names
    assert manifest["format"] == "trustmeter-backup" and manifest["schema_version"] == LATEST
    assert manifest["migrations"] == [m[0] for m in MIGRATIONS]
    assert manifest["engine"] == ("duckdb" if db_url.startswith("duckdb") else "postgres")
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["accounts"] is True and manifest["left_out"] == ["web_session"]
    assert file.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    with zipfile.ZipFile(file) as zf:  # nothing is inflated on restore
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}

    src = connect(db_url)
    try:
        before = dump(src)
        owned = set(catalogue(src))
    finally:
        src.close()
    # every table trustmeter owns is in the backup: the record tables, the import log, the
    # forecast ledger, the web tables, sync cursors and runs, the migrations table
    tables = {t["name"]: t for t in manifest["tables"]}
    assert set(tables) == owned - {"their_notes", "web_session"}
    for must in ("incident", "import_log", "forecast", "app_user", "survey_campaign",
                 "survey_invitation", "survey_draft", "sync_cursor", "sync_log", "schema_version"):  # fmt: skip
        assert must in tables
    for t in manifest["tables"]:
        assert t["rows"] == len(before[t["name"]]["rows"])
        assert f"tables/{t['name']}.parquet" in names and len(t["sha256"]) == 64
    members = {t["file"] for t in manifest["tables"]} | {f["file"] for f in manifest["files"]}
    assert names == {"manifest.json", "manifest.hmac"} | members
    assert all(before[t]["rows"] for t in tables)  # nothing was trivially empty

    dest = tmp_path / "restored"
    r = run("restore", str(file), str(dest), *restore_args(target))
    assert r.exit_code == 0, r.output
    assert f"restored {len(tables)} tables" in r.output
    assert "accounts: the backup's" in r.output
    assert not (dest / "trustmeter.secrets.toml").exists()
    config = (dest / "trustmeter.toml").read_text("utf-8")
    assert "# override any part of it in a [framework] table" in config  # comments kept
    assert 'name = "source"' in config and 'timezone = "Europe/Berlin"' in config
    url = target or "duckdb:///trustmeter.duckdb"
    assert f'database = "{url}"' in config

    dst = connect(url, base=dest)
    try:
        after = dump(dst)
    finally:
        dst.close()
    assert set(after) == set(before)
    for table in before:
        assert after[table]["columns"] == before[table]["columns"], table
        if table == "web_session":  # left behind: everyone signs in again
            assert after[table]["rows"] == [], table
            continue
        assert after[table]["rows"] == before[table]["rows"], table
    assert score(dest) == score(source)


# PostgreSQL only: while a DuckDB backup runs, DuckDB's file lock lets no other process write.
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_backup_reads_one_snapshot(store: Store, tmp_path: Path) -> None:
    """Rows written while a backup runs are not in it, even in a table it reads later."""
    fill_every_table(store)
    (tmp_path / "trustmeter.toml").write_text('[workspace]\nname = "snap"\n', "utf-8")
    written: list[int] = []

    def meanwhile(table: str, done: int, total: int) -> None:
        if not written:  # while the first table (app_user) is read, before incident is
            other = connect(store.url)
            try:
                other.execute(
                    "INSERT INTO incident (id, source, source_id, row_hash) "
                    "VALUES ('LATE', 'late', 'LATE', 'h')"
                )
            finally:
                other.close()
            written.append(1)

    result = create.backup(
        store,
        tmp_path / "b.tmbackup",
        tmp_path,
        config=CONFIG,
        with_accounts=True,
        progress=meanwhile,
    )
    assert written and result.tables[0].name == "app_user"
    assert {t.name: t.rows for t in result.tables}["incident"] == 9
    assert store.scalar("SELECT count(*) FROM incident") == 10


def test_restore_applies_newer_migrations_after_loading(tmp_path: Path) -> None:
    """A backup from schema version 4 loads at version 4, then migrations 5 and 6 run."""
    old = tmp_path / "old"
    r = run("init", str(old))
    assert r.exit_code == 0
    url = "duckdb:///" + str(old / "old.duckdb")
    store = connect(url)
    try:
        with store.transaction():
            bt.create_schema(store, (1, 2, 3, 4))
            for number, description, _fn in MIGRATIONS[:4]:
                store.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    (number, description, datetime(2023, 5, 1, 8, number)),
                )
        store.execute(
            "INSERT INTO incident (id, source, source_id, row_hash, title) "
            "VALUES ('I1', 'old', 'I1', 'h', 'kept')"
        )
        file = tmp_path / "old.tmbackup"
        result = create.backup(store, file, old, config=CONFIG)
    finally:
        store.close()
    assert result.schema_version == 4
    assert {t.name for t in result.tables} >= {"incident", "survey_campaign"}
    assert "app_user" not in {t.name for t in result.tables}
    assert "sync_cursor" not in {t.name for t in result.tables}

    r = run("restore", str(file), str(tmp_path / "new"))
    assert r.exit_code == 0, r.output
    every = sorted(number for number, _, _ in MIGRATIONS)
    newer = ", ".join(str(n) for n in every if n > 4)
    assert f"then applied the newer migrations {newer}" in r.output
    new = connect("duckdb:///trustmeter.duckdb", base=tmp_path / "new")
    try:
        versions = new.fetch("SELECT version, applied_at FROM schema_version ORDER BY version")
        assert [v for v, _ in versions] == every
        assert versions[0][1] == datetime(2023, 5, 1, 8, 1)  # the backup's own history
        assert new.fetch("SELECT title FROM incident") == [("kept",)]
        assert new.scalar("SELECT count(*) FROM sync_cursor") == 0
    finally:
        new.close()


# -- refusals: nothing is written ----------------------------------------------------------------
def test_truncated_or_corrupt_file_is_a_clear_error_and_writes_nothing(
    small_backup: Path, tmp_path: Path
) -> None:
    data = small_backup.read_bytes()
    dest = tmp_path / "never"
    truncated = tmp_path / "truncated.tmbackup"
    truncated.write_bytes(data[: len(data) // 2])
    refused(truncated, dest, "truncated or corrupt", "nothing was restored")
    garbage = tmp_path / "garbage.tmbackup"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    refused(garbage, dest, "truncated or corrupt")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF  # inside a stored Parquet member: its CRC-32 fails
    bad = tmp_path / "flipped.tmbackup"
    bad.write_bytes(bytes(flipped))
    refused(bad, dest, "nothing was restored")
    refused(tmp_path / "missing.tmbackup", dest, "no such file")
    text = tmp_path / "notes.tmbackup"
    text.write_text("just some text\n", "utf-8")
    refused(text, dest, "truncated or corrupt")
    assert not dest.exists()


def test_unknown_format_and_newer_schema_are_refused(
    small_backup: Path, tmp_path: Path, backup_key: Path
) -> None:
    dest = tmp_path / "never"
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    refused(other, dest, "not a trustmeter backup (no manifest.json)")
    with zipfile.ZipFile(small_backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    for change, words in (
        ({"format": "something-else"}, "not a trustmeter backup"),
        ({"format_version": 99}, "the backup format is version 99"),
        ({"format_version": 1}, "made before backups were signed"),
        (
            {"migrations": [*manifest["migrations"], 99], "schema_version": 99},
            "newer than this trustmeter",
        ),
    ):
        altered = tmp_path / "altered.tmbackup"
        body = json.dumps({**manifest, **change}).encode()
        rewrite(small_backup, altered, {"manifest.json": body}, key=backup_key)
        refused(altered, dest, *([words] if isinstance(words, str) else words))
    bad_json = tmp_path / "badjson.tmbackup"
    rewrite(small_backup, bad_json, {"manifest.json": b"{not json"})
    refused(bad_json, dest, "not valid JSON")
    assert not dest.exists()


def test_checksum_mismatch_is_refused(small_backup: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(small_backup) as zf:
        original = zf.read("tables/incident.parquet")
    table = pq.read_table(pa.BufferReader(original))
    changed = table.set_column(
        table.column_names.index("title"), "title", pa.array(["tampered"] * table.num_rows)
    )
    sink = pa.BufferOutputStream()
    pq.write_table(changed, sink)
    forged = tmp_path / "forged.tmbackup"
    rewrite(small_backup, forged, {"tables/incident.parquet": sink.getvalue().to_pybytes()})
    dest = tmp_path / "never"
    refused(forged, dest, "tables/incident.parquet does not match the manifest", "changed after")
    same_size = bytearray(original)
    same_size[len(original) // 2] ^= 0x01
    rewrite(small_backup, forged, {"tables/incident.parquet": bytes(same_size)})
    refused(forged, dest, "checksum mismatch for tables/incident.parquet")
    assert not dest.exists()


def test_non_empty_target_is_refused_without_force_and_replaced_with_it(
    small_backup: Path, tmp_path: Path, target: str | None
) -> None:
    # The target: a workspace with data of its own, in the target database.
    dest = tmp_path / "busy"
    r = run("init", str(dest), *(["--db", target] if target else []))
    assert r.exit_code == 0, r.output
    url = target or "duckdb:///trustmeter.duckdb"
    store = connect(url, base=dest)
    try:
        store.execute(
            "INSERT INTO incident (id, source, source_id, row_hash, title) "
            "VALUES ('MINE', 'mine', 'MINE', 'h', 'precious')"
        )
        before = dump(store)
    finally:
        store.close()
    config = (dest / "trustmeter.toml").read_text("utf-8")

    # An existing trustmeter.toml is refused first...
    refused(
        small_backup, dest, "is a workspace already", "--force", extra=tuple(restore_args(target))
    )
    # ... and a non-empty database in a fresh folder too.
    other = tmp_path / "other-folder"
    if not target:
        other.mkdir()
        shutil.copy(dest / "trustmeter.duckdb", other / "trustmeter.duckdb")
    refused(small_backup, other, "not empty", "1 in incident", "--force",
             extra=tuple(restore_args(target)))  # fmt: skip
    assert not (other / "trustmeter.toml").exists()
    if target:
        assert not other.exists()
    else:
        assert sorted(p.name for p in other.iterdir()) == ["trustmeter.duckdb"]
        store = connect("duckdb:///trustmeter.duckdb", base=other)
        try:
            assert dump(store) == before
        finally:
            store.close()
    store = connect(url, base=dest)
    try:
        assert dump(store) == before
    finally:
        store.close()
    assert (dest / "trustmeter.toml").read_text("utf-8") == config

    r = run("restore", str(small_backup), str(dest), *restore_args(target), "--force")
    assert r.exit_code == 0, r.output
    assert "the target held were replaced" in r.output
    store = connect(url, base=dest)
    try:
        assert store.fetch("SELECT count(*) FROM incident WHERE id = 'MINE'") == [(0,)]
        assert store.scalar("SELECT count(*) FROM incident") == 9
    finally:
        store.close()


def test_restore_into_an_empty_initialised_database_needs_no_force(
    small_backup: Path, tmp_path: Path, fresh_pg: str
) -> None:
    """`trustmeter init --db` made the schema but no records: that is an empty target."""
    assert run("init", str(tmp_path / "scratch"), "--db", fresh_pg).exit_code == 0
    r = run("restore", str(small_backup), str(tmp_path / "team"), "--db", fresh_pg)
    assert r.exit_code == 0, r.output
    store = connect(fresh_pg)
    try:
        assert store.scalar("SELECT count(*) FROM incident") == 9
    finally:
        store.close()


class Boom(Exception):
    pass


def test_failure_midway_leaves_the_target_untouched(
    small_backup: Path, tmp_path: Path, target: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Store.load_arrow
    calls: list[str] = []

    def failing(self: Store, name: str, data: Any) -> None:
        calls.append(name)
        if len(calls) == 5:
            raise Boom("disk on fire")
        real(self, name, data)

    monkeypatch.setattr(Store, "load_arrow", failing)
    # A fresh target: no folder, no database file, no tables are left behind.
    dest = tmp_path / "fresh"
    refused(small_backup, dest, "restore failed and nothing was written", "disk on fire",
             extra=tuple(restore_args(target)))  # fmt: skip
    assert len(calls) == 5
    assert not dest.exists()
    if target:
        store = connect(target)
        try:
            assert catalogue(store) == {}
        finally:
            store.close()

    # A target with data, replaced with --force: still all of its rows, none of the backup's.
    monkeypatch.setattr(Store, "load_arrow", real)
    busy = tmp_path / "busy"
    assert run("init", str(busy), *(["--db", target] if target else [])).exit_code == 0
    url = target or "duckdb:///trustmeter.duckdb"
    store = connect(url, base=busy)
    try:
        fill_every_table(store)
        before = dump(store)
    finally:
        store.close()
    config = (busy / "trustmeter.toml").read_bytes()
    calls.clear()
    monkeypatch.setattr(Store, "load_arrow", failing)
    refused(small_backup, busy, "nothing was written", extra=(*restore_args(target), "--force"))
    store = connect(url, base=busy)
    try:
        assert dump(store) == before
    finally:
        store.close()
    assert (busy / "trustmeter.toml").read_bytes() == config
    assert sorted(p.name for p in busy.iterdir() if p.name.endswith(".partial")) == []


def test_a_failed_backup_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_backup: Path
) -> None:
    ws = tmp_path / "small"  # made by the small_backup fixture
    file = tmp_path / "nightly.tmbackup"
    file.write_bytes(b"yesterday's backup")
    real = create._read_batches

    def failing(store: Store, table: str, schema: Any, scratch: Path) -> Iterator[Any]:
        if table == "incident":
            raise BackupError("the database went away")
        yield from real(store, table, schema, scratch)

    monkeypatch.setattr(create, "_read_batches", failing)
    r = CliRunner().invoke(cli, ["-w", str(ws), "backup", str(file)])
    assert r.exit_code == 1 and "the database went away" in r.output
    assert file.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["nightly.tmbackup", "small", "small.tmbackup"]
    )


def test_backup_refuses_a_schema_newer_than_it_knows(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).exit_code == 0
    store = connect("duckdb:///trustmeter.duckdb", base=ws)
    try:
        store.execute("INSERT INTO schema_version VALUES (99, 'from the future', NULL)")
    finally:
        store.close()
    r = CliRunner().invoke(cli, ["-w", str(ws), "backup", str(tmp_path / "b.tmbackup")])
    assert r.exit_code == 1 and "migration 99, newer than this trustmeter" in r.output
    assert not (tmp_path / "b.tmbackup").exists()


def test_backup_refuses_a_database_changed_by_hand(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).exit_code == 0
    store = connect("duckdb:///trustmeter.duckdb", base=ws)
    try:
        store.execute("DROP TABLE sync_log")
    finally:
        store.close()
    r = CliRunner().invoke(cli, ["-w", str(ws), "backup", str(tmp_path / "b.tmbackup")])
    assert r.exit_code == 1 and "lacks the table 'sync_log'" in " ".join(r.output.split())
    assert not (tmp_path / "b.tmbackup").exists()


def test_framework_file_in_the_workspace_travels(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).exit_code == 0
    (ws / "frameworks").mkdir()
    (ws / "frameworks" / "ours.toml").write_text("# our framework\n", "utf-8")
    cfg = ws / "trustmeter.toml"
    cfg.write_text(
        cfg.read_text("utf-8").replace(
            "[workspace]\n", '[workspace]\nframework = "frameworks/ours.toml"\n'
        ),
        "utf-8",
    )
    file = tmp_path / "b.tmbackup"
    r = run("-w", str(ws), "backup", str(file))
    assert r.exit_code == 0, r.output
    assert "2 workspace file(s)" in r.output
    r = run("restore", str(file), str(tmp_path / "copy"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "copy" / "frameworks" / "ours.toml").read_text() == "# our framework\n"


def test_with_database_keeps_comments_and_adds_a_missing_key() -> None:
    text = '# note\n[workspace]\nname = "a"  # the name\ndatabase = "postgresql://x/y"\n'
    new = load.with_database(text, "duckdb:///trustmeter.duckdb")
    assert (
        new
        == '# note\n[workspace]\nname = "a"  # the name\ndatabase = "duckdb:///trustmeter.duckdb"\n'
    )
    new = load.with_database('[workspace]\nname = "a"\n[framework]\n', 'postgresql://u@h/d"b')
    assert new.startswith('[workspace]\ndatabase = "postgresql://u@h/d\\"b"\nname = "a"')
    assert load.with_database("", "duckdb:///x.duckdb").strip() == (
        '[workspace]\ndatabase = "duckdb:///x.duckdb"'
    )

"""`trustmeter backup` and `trustmeter restore`: a workspace moves, on either engine, whole.

The source workspace runs on each engine (the `db_url` fixture); each round trip restores it
into a fresh embedded DuckDB and into a fresh PostgreSQL database, so DuckDB→PostgreSQL and
PostgreSQL→DuckDB are both covered. Every trustmeter table is filled with awkward values
(quotes, newlines, unicode, NULL beside '', JSON text, extreme numbers and times) and compared
row by row, value by value, type by type.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from trustmeter import records
from trustmeter.cli import cli
from trustmeter.store import Store, connect
from trustmeter.store import backup as bk
from trustmeter.store.accounts import add_user
from trustmeter.store.campaigns import CampaignRow, Invitee, add_invitations, create_campaign
from trustmeter.store.database import q
from trustmeter.store.migrations import LATEST, MIGRATIONS

PG_URL = os.environ.get("TRUSTMETER_TEST_PG")
RECORD_TABLES = {k.table for k in records.KINDS} | {records.TEAM_TABLE, "survey_answer"}

INCIDENTS = """number,opened,priority,service,resolved,title
INC1,2024-02-01 10:00,critical,ERP,2024-02-01 12:00,"ERP ""down"", again; a,b"
INC2,2024-02-03 10:00,critical,ERP,2024-02-03 11:00,"two
lines ü 😀 中文"
INC3,2024-02-05 10:00,high,CRM,2024-02-05 14:00,
INC4,2024-02-07 10:00,high,ERP,2024-02-07 13:00,"{""json"": [1, 2.5, null]}"
INC5,2024-03-09 10:00,critical,ERP,2024-03-09 15:00,NULL
"""

# Nine rows a table; each column takes each value once (shifted per column), so unique keys
# stay unique. None becomes a marker in NOT NULL columns.
TEXT = [
    "",
    None,
    "say \"hi\", it's ok; a,b 'single'",
    "line1\nline2\r\nline3\n\\.\n",
    "ünïcødé ✓ 😀 中文 \u00a0nbsp",
    '{"json": [1, 2.5, null, "a\\"b"], "nested": {"ok": true}, "emoji": "😀"}',
    "\\N",
    "NULL",
    "  padded\ttab  ",
]
STAMPS = [
    datetime(2020, 2, 29, 23, 59, 59, 999999),
    None,
    datetime(1970, 1, 1),
    datetime(1999, 12, 31, 23, 59, 59, 1),
    datetime(2038, 1, 19, 3, 14, 7, 500000),
    datetime(1900, 3, 1, 12),
    datetime(2100, 12, 31),
    datetime(2023, 3, 26, 2, 30),
    datetime(2262, 4, 11),
]
DAYS = [
    date(2020, 2, 29),
    None,
    date(1970, 1, 1),
    date(1999, 12, 31),
    date(2038, 1, 19),
    date(1900, 3, 1),
    date(2100, 12, 31),
    date(2000, 1, 1),
    date(2262, 4, 11),
]
FLOATS = [
    0.1 + 0.2,
    None,
    -0.0,
    1e-300,
    5e-324,
    1.7976931348623157e308,
    123456789.123456789,
    -2.5,
    7.0,
]
INTS = [0, None, -1, 2**63 - 1, -(2**63), 4242, 10**15, -7, 99991]
BOOLS = [True, None, False, True, False, True, False, None, True]
# Tables no metric reads also get the ends of the ranges and NaN (metrics go through pandas,
# whose timestamps stop at 1677 and 2262).
EXTREME = {
    "timestamp": [datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)],
    "date": [date(1, 1, 1), date(9999, 12, 31)],
    "double": [math.nan, math.inf, -math.inf],
}


def _kind(data_type: str) -> str:
    t = data_type.lower()
    for word, kind in (
        ("timestamp", "timestamp"),
        ("date", "date"),
        ("double", "double"),
        ("bigint", "bigint"),
        ("boolean", "boolean"),
    ):
        if t.startswith(word):
            return kind
    return "text"


def fill_every_table(store: Store) -> None:
    """Nine awkward rows in every trustmeter table but schema_version."""
    nullable = {
        (t, c): n == "YES"
        for t, c, n in store.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    }
    for table, cols in bk.catalogue(store).items():
        if table == "schema_version" or table not in bk.known_tables():
            continue
        for i in range(9):
            row = []
            for j, (col, data_type) in enumerate(cols):
                kind = _kind(data_type)
                values: list[Any] = {
                    "timestamp": STAMPS,
                    "date": DAYS,
                    "double": FLOATS,
                    "bigint": INTS,
                    "boolean": BOOLS,
                    "text": TEXT,
                }[kind]
                if table not in RECORD_TABLES and kind in EXTREME:
                    values = [*values[: 9 - len(EXTREME[kind])], *EXTREME[kind]]
                v = values[(i + j) % 9]
                if v is None and not nullable[(table, col)]:
                    v = {"timestamp": datetime(2001, 1, 1), "date": date(2001, 1, 1)}.get(
                        kind, f"not-null-{i}" if kind == "text" else 3_000_000 + i
                    )
                    if kind == "boolean":
                        v = True
                row.append(v)
            names = ", ".join(q(c) for c, _ in cols)
            marks = ", ".join("?" for _ in cols)
            store.execute(f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", row)


def _value(v: Any) -> tuple[str, str]:
    """A value as (type, exact text): -0.0 and 0.0 differ, a date is not a timestamp."""
    if isinstance(v, float) and math.isnan(v):
        return ("float", "nan")
    return (type(v).__name__, repr(v))


def dump(store: Store) -> dict[str, Any]:
    """Every trustmeter table: its columns (name and portable type) and its sorted rows."""
    out: dict[str, Any] = {}
    for table, cols in sorted(bk.catalogue(store).items()):
        if table not in bk.known_tables():
            continue
        names = ", ".join(q(c) for c, _ in cols)
        rows = store.fetch(f"SELECT {names} FROM {q(table)}")
        out[table] = {
            "columns": [(c, str(bk.arrow_type(table, c, t))) for c, t in cols],
            "rows": sorted(tuple(_value(v) for v in r) for r in rows),
        }
    return out


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def score(ws: Path) -> str:
    r = run("-w", str(ws), "score", "--as-of", "2024-04-01", "--json")
    assert r.exit_code == 0, r.output
    card = json.loads(r.output)
    card.pop("generated_at", None)
    return json.dumps(card, sort_keys=True)


def _fresh_pg_database() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("TRUSTMETER_REQUIRE_PG"):
            pytest.fail("TRUSTMETER_TEST_PG is not set but TRUSTMETER_REQUIRE_PG is")
        pytest.skip("PostgreSQL not configured (set TRUSTMETER_TEST_PG)")
    name = "tm_restore_" + uuid.uuid4().hex[:10]
    admin = connect(PG_URL)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    admin = connect(PG_URL)
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """An empty PostgreSQL database of its own (not the source's)."""
    yield from _fresh_pg_database()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest) -> str | None:
    """Where a restore goes: None for the embedded DuckDB default, else a fresh PG URL."""
    if request.param == "duckdb":
        return None
    return str(request.getfixturevalue("fresh_pg"))


@pytest.fixture
def source(tmp_path: Path, db_url: str) -> Path:
    """A workspace with imports, a recorded forecast, a user, a campaign and awkward rows."""
    root = tmp_path / "source"
    r = run("init", str(root), "--profile", "small", "--db", db_url, "--timezone", "Europe/Berlin")
    assert r.exit_code == 0, r.output
    f = tmp_path / "incidents.csv"
    f.write_text(INCIDENTS, "utf-8")
    r = run(
        "-w", str(root), "import", "incidents", str(f), "--map", "id=number",
        "--map", "opened_at=opened", "--map", "resolved_at=resolved",
        "--map", "severity=priority", "--value", "severity:critical=P1",
        "--value", "severity:high=P2",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = ["id,created_at,done_at,team,title"]
    first = date(2024, 1, 1)
    for i in range(100):
        day = first + timedelta(days=i)
        for k in range((i * 7) % 5):
            lines.append(f"W{i}-{k},{day} 08:00,{day} {10 + k}:00,Desk,item {i}/{k}")
    items = tmp_path / "items.csv"
    items.write_text("\n".join(lines) + "\n", "utf-8")
    assert run("-w", str(root), "import", "work-items", str(items)).exit_code == 0
    r = run(
        "-w", str(root), "forecast", "how-many", "--by", "2024-04-14",
        "--history-from", "2024-01-02", "--history-to", "2024-03-31", "--seed", "3", "--record",
    )  # fmt: skip
    assert "recorded in the forecast ledger" in r.output, r.output
    store = connect(db_url)
    try:
        now = datetime(2024, 3, 1, 9, 30, 15, 123456)
        add_user(
            store, "ålice o'hara", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "admin", now
        )
        create_campaign(
            store,
            CampaignRow(
                "pulse-1", 'Pulse "Q1"', "stakeholder", now, now + timedelta(days=14),
                json.dumps([["ERP", "Enterprise \"ERP\""], ["CRM", None]]), "ålice o'hara",
                now, None,
            ),
        )  # fmt: skip
        add_invitations(
            store, "pulse-1", [("inv1", Invitee("S1", "Zoë", "zoe@example.com", "Sales"))], now
        )
        fill_every_table(store)
        store.execute("CREATE TABLE their_notes (note TEXT)")  # not trustmeter's
    finally:
        store.close()
    (root / "trustmeter.secrets.toml").write_text('[jira]\ntoken = "s3cret"\n', "utf-8")
    return root


def _restore_args(target: str | None) -> list[str]:
    return ["--db", target] if target else []


def test_round_trip_keeps_every_row_of_every_table(
    source: Path, db_url: str, target: str | None, tmp_path: Path
) -> None:
    file = tmp_path / "nightly.tmbackup"
    r = run("-w", str(source), "backup", str(file))
    assert r.exit_code == 0, r.output
    assert "left out (not trustmeter's tables): their_notes" in r.output
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
    assert file.stat().st_mode & 0o777 == 0o600  # it holds password hashes

    src = connect(db_url)
    try:
        before = dump(src)
        catalogue = set(bk.catalogue(src))
    finally:
        src.close()
    # every table trustmeter owns is in the backup: the record tables, the import log, the
    # forecast ledger, the web tables, sync cursors and runs, the migrations table
    tables = {t["name"]: t for t in manifest["tables"]}
    assert set(tables) == catalogue - {"their_notes"}
    for must in ("incident", "import_log", "forecast", "app_user", "survey_campaign",
                 "survey_invitation", "survey_draft", "sync_cursor", "sync_log", "schema_version"):  # fmt: skip
        assert must in tables
    for t in manifest["tables"]:
        assert t["rows"] == len(before[t["name"]]["rows"])
        assert f"tables/{t['name']}.parquet" in names and len(t["sha256"]) == 64
    assert all(before[t]["rows"] for t in tables)  # nothing was trivially empty

    dest = tmp_path / "restored"
    r = run("restore", str(file), str(dest), *_restore_args(target))
    assert r.exit_code == 0, r.output
    assert f"restored {len(tables)} tables" in r.output
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

    result = bk.backup(store, tmp_path / "b.tmbackup", tmp_path, progress=meanwhile)
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
            bk._create_schema(store, (1, 2, 3, 4))
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
        result = bk.backup(store, file, old)
    finally:
        store.close()
    assert result.schema_version == 4
    assert {t.name for t in result.tables} >= {"incident", "app_user"}
    assert "sync_cursor" not in {t.name for t in result.tables}

    r = run("restore", str(file), str(tmp_path / "new"))
    assert r.exit_code == 0, r.output
    numbers = sorted(n for n, _, _ in MIGRATIONS)  # every migration this trustmeter has
    newer = ", ".join(str(n) for n in numbers if n > 4)
    assert f"then applied the newer migrations {newer}" in r.output
    new = connect("duckdb:///trustmeter.duckdb", base=tmp_path / "new")
    try:
        versions = new.fetch("SELECT version, applied_at FROM schema_version ORDER BY version")
        assert [v for v, _ in versions] == numbers
        assert versions[0][1] == datetime(2023, 5, 1, 8, 1)  # the backup's own history
        assert new.fetch("SELECT title FROM incident") == [("kept",)]
        assert new.scalar("SELECT count(*) FROM sync_cursor") == 0
    finally:
        new.close()


# -- refusals: nothing is written ----------------------------------------------------------------
@pytest.fixture
def small_backup(tmp_path: Path) -> Path:
    ws = tmp_path / "small"
    assert run("init", str(ws)).exit_code == 0
    store = connect("duckdb:///trustmeter.duckdb", base=ws)
    try:
        fill_every_table(store)
    finally:
        store.close()
    file = tmp_path / "small.tmbackup"
    r = run("-w", str(ws), "backup", str(file))
    assert r.exit_code == 0, r.output
    return file


def _rewrite(src: Path, dest: Path, change: dict[str, bytes]) -> None:
    """A copy of a backup with some members' bytes replaced (a valid zip all the same)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change.get(name, zin.read(name)))


def _refused(file: Path, dest: Path, *words: str, extra: tuple[str, ...] = ()) -> None:
    r = CliRunner().invoke(cli, ["restore", str(file), str(dest), *extra])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output and "error:" in r.output
    flat = " ".join(r.output.split())
    for w in words:
        assert w in flat, flat


def test_truncated_or_corrupt_file_is_a_clear_error_and_writes_nothing(
    small_backup: Path, tmp_path: Path
) -> None:
    data = small_backup.read_bytes()
    dest = tmp_path / "never"
    truncated = tmp_path / "truncated.tmbackup"
    truncated.write_bytes(data[: len(data) // 2])
    _refused(truncated, dest, "truncated or corrupt", "nothing was restored")
    garbage = tmp_path / "garbage.tmbackup"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    _refused(garbage, dest, "truncated or corrupt")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF  # inside a stored Parquet member: its CRC-32 fails
    bad = tmp_path / "flipped.tmbackup"
    bad.write_bytes(bytes(flipped))
    _refused(bad, dest, "nothing was restored")
    _refused(tmp_path / "missing.tmbackup", dest, "no such file")
    text = tmp_path / "notes.tmbackup"
    text.write_text("just some text\n", "utf-8")
    _refused(text, dest, "truncated or corrupt")
    assert not dest.exists()


def test_unknown_format_and_newer_schema_are_refused(small_backup: Path, tmp_path: Path) -> None:
    dest = tmp_path / "never"
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(other, dest, "not a trustmeter backup (no manifest.json)")
    with zipfile.ZipFile(small_backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    for change, words in (
        ({"format": "something-else"}, "not a trustmeter backup"),
        ({"format_version": 99}, "the backup format is version 99"),
        (
            {"migrations": [*manifest["migrations"], 99], "schema_version": 99},
            "newer than this trustmeter",
        ),
    ):
        altered = tmp_path / "altered.tmbackup"
        body = json.dumps({**manifest, **change}).encode()
        _rewrite(small_backup, altered, {"manifest.json": body})
        _refused(altered, dest, *([words] if isinstance(words, str) else words))
    bad_json = tmp_path / "badjson.tmbackup"
    _rewrite(small_backup, bad_json, {"manifest.json": b"{not json"})
    _refused(bad_json, dest, "not valid JSON")
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
    _rewrite(small_backup, forged, {"tables/incident.parquet": sink.getvalue().to_pybytes()})
    dest = tmp_path / "never"
    _refused(forged, dest, "checksum mismatch for tables/incident.parquet")
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
    _refused(
        small_backup, dest, "is a workspace already", "--force", extra=tuple(_restore_args(target))
    )
    # ... and a non-empty database in a fresh folder too.
    other = tmp_path / "other-folder"
    if not target:
        other.mkdir()
        shutil.copy(dest / "trustmeter.duckdb", other / "trustmeter.duckdb")
    _refused(small_backup, other, "not empty", "1 in incident", "--force",
             extra=tuple(_restore_args(target)))  # fmt: skip
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

    r = run("restore", str(small_backup), str(dest), *_restore_args(target), "--force")
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
    _refused(small_backup, dest, "restore failed and nothing was written", "disk on fire",
             extra=tuple(_restore_args(target)))  # fmt: skip
    assert len(calls) == 5
    assert not dest.exists()
    if target:
        store = connect(target)
        try:
            assert bk.catalogue(store) == {}
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
    _refused(small_backup, busy, "nothing was written", extra=(*_restore_args(target), "--force"))
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
    real = bk._read_batches

    def failing(store: Store, table: str, schema: Any, scratch: Path) -> Iterator[Any]:
        if table == "incident":
            raise bk.BackupError("the database went away")
        yield from real(store, table, schema, scratch)

    monkeypatch.setattr(bk, "_read_batches", failing)
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
    new = bk.with_database(text, "duckdb:///trustmeter.duckdb")
    assert (
        new
        == '# note\n[workspace]\nname = "a"  # the name\ndatabase = "duckdb:///trustmeter.duckdb"\n'
    )
    new = bk.with_database('[workspace]\nname = "a"\n[framework]\n', 'postgresql://u@h/d"b')
    assert new.startswith('[workspace]\ndatabase = "postgresql://u@h/d\\"b"\nname = "a"')
    assert bk.with_database("", "duckdb:///x.duckdb").strip() == (
        '[workspace]\ndatabase = "duckdb:///x.duckdb"'
    )

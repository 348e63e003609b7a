"""Shared data and helpers of the backup tests: awkward rows in every table, dumps, the CLI."""

from __future__ import annotations

import json
import math
import os
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from trustmeter import records
from trustmeter.backup import tables as bt
from trustmeter.backup.keys import load_key
from trustmeter.backup.model import MANIFEST, SIGNATURE
from trustmeter.cli import cli
from trustmeter.store import Store
from trustmeter.store.database import q
from trustmeter.store.migrations import catalogue

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
    for table, cols in catalogue(store).items():
        if table == "schema_version" or table not in bt.known_tables():
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
    for table, cols in sorted(catalogue(store).items()):
        if table not in bt.known_tables():
            continue
        names = ", ".join(q(c) for c, _ in cols)
        rows = store.fetch(f"SELECT {names} FROM {q(table)}")
        out[table] = {
            "columns": [(c, str(bt.arrow_type(table, c, t))) for c, t in cols],
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


def restore_args(target: str | None) -> list[str]:
    return ["--db", target] if target else []


def rewrite(src: Path, dest: Path, change: dict[str, bytes], key: Path | None = None) -> None:
    """A copy of a backup with some members' bytes replaced (a valid zip all the same).

    With `key`, a changed manifest is signed again with it: what someone holding the key
    could make, to show that the checks after the signature hold on their own.
    """
    if key is not None and MANIFEST in change:
        change = {**change, SIGNATURE: load_key(key).sign(change[MANIFEST]).encode()}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change.get(name, zin.read(name)))


def manifest_of(file: Path) -> dict[str, Any]:
    with zipfile.ZipFile(file) as zf:
        m: dict[str, Any] = json.loads(zf.read(MANIFEST))
    return m


def refused(file: Path, dest: Path, *words: str, extra: tuple[str, ...] = ()) -> None:
    r = CliRunner().invoke(cli, ["restore", str(file), str(dest), *extra])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output and "error:" in r.output
    flat = " ".join(r.output.split())
    for w in words:
        assert w in flat, flat

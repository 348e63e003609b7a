"""Reading one batch ahead in a thread, and writing whole row groups (ingest/_ahead.py,
ingest/_pending.py): the same rows, the same errors, nothing half-written, no thread left."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import counts, run

from trustmeter.errors import InputError
from trustmeter.ingest import _pending
from trustmeter.ingest._ahead import ReadAhead
from trustmeter.ingest._pending import WRITE_ROWS
from trustmeter.store import Store


def _readers_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "trustmeter-read-ahead"]


def test_every_item_arrives_in_order() -> None:
    assert list(ReadAhead(iter(range(1000)), depth=1)) == list(range(1000))
    assert list(ReadAhead(iter([]))) == []
    assert not _readers_alive()


def test_an_error_in_the_reader_is_raised_where_its_item_would_arrive() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3 is bad")

    got: list[int] = []
    with pytest.raises(ValueError, match="line 3 is bad"):
        for x in ReadAhead(source()):
            got.append(x)
    assert got == [1, 2]
    assert not _readers_alive()


def test_closing_early_stops_the_reader_and_closes_its_source() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def source() -> Iterator[int]:
        try:
            for i in range(10**9):
                produced.append(i)
                yield i
        finally:
            closed.set()

    ahead = ReadAhead(source(), depth=1)
    for x in ahead:
        if x == 3:
            break
    ahead.close()
    assert closed.is_set()
    assert not _readers_alive()
    assert len(produced) <= 3 + 1 + 2  # the one taken, the one queued, the one waiting


def _incidents(path: Path, rows: int, bad_line: int | None = None) -> Path:
    lines = ["id,opened_at,severity,service,title"]
    for i in range(rows):
        opened = "not a time" if bad_line == i + 2 else f"2025-{1 + i % 12:02d}-03 10:00:00"
        lines.append(f"INC{i:07d},{opened},P{1 + i % 5},svc-{i % 7},Incident {i}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_big_import_writes_one_row_group_at_a_time(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2.5 row groups' worth of rows: written as two whole row groups and the rest, never more
    than one row group in one write (a bigger insert costs DuckDB a rewrite at the checkpoint),
    and every row stored."""
    sizes: list[int] = []
    real = _pending.write

    def counted(s: Store, rk: object, table: object, *args: object, **kw: object) -> object:
        sizes.append(len(table))  # type: ignore[arg-type]
        return real(s, rk, table, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(_pending, "write", counted)
    rows = WRITE_ROWS * 5 // 2
    result = run(store, "incidents", _incidents(tmp_path / "big.csv", rows))
    assert sizes == [WRITE_ROWS, WRITE_ROWS, rows - 2 * WRITE_ROWS]
    assert result.inserted == rows
    assert store.scalar("SELECT count(DISTINCT id) FROM incident") == rows


def test_a_write_that_fails_midway_leaves_nothing_and_no_thread(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(store)
    calls = 0
    real = _pending.write

    def failing(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_pending, "write", failing)
    with pytest.raises(OSError, match="disk full"):
        run(store, "incidents", _incidents(tmp_path / "big.csv", WRITE_ROWS * 3))
    assert calls == 2
    assert counts(store) == before
    assert not _readers_alive()


def test_a_bad_value_read_ahead_is_the_same_clear_error(store: Store, tmp_path: Path) -> None:
    """The bad row is read in the thread, past rows already written: the error names its
    line, and nothing is stored."""
    before = counts(store)
    bad = WRITE_ROWS + 500
    with pytest.raises(InputError) as err:
        run(store, "incidents", _incidents(tmp_path / "bad.csv", WRITE_ROWS * 2, bad_line=bad))
    assert err.value.line == bad and err.value.value == "not a time"
    assert err.value.column == "opened_at"
    assert counts(store) == before
    assert not _readers_alive()

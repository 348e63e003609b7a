"""The Arrow CSV reader must give exactly what the line-by-line reader gives, or step aside.

Each plain file is imported twice, once through each reader, and the records (with the line
each came from) must be identical. Irregular files must go to the exact reader, so that their
errors and line numbers stay exact.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import run

from trustmeter.errors import InputError
from trustmeter.ingest import Mapping, _fastcsv, _importer
from trustmeter.ingest._fastcsv import irregular_quoting
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]
MAPPING = Mapping(columns={"id": "Number", "opened_at": "Opened", "title": "Title"})


_REAL = _importer._fast_reader


class Spy:
    """Counts how often the Arrow reader is used, and can refuse it (forcing the exact one)."""

    def __init__(self, refuse: bool = False) -> None:
        self.used = 0
        self.refuse = refuse

    def __call__(self, *args: Any) -> _fastcsv.FastDelimitedReader | None:
        if self.refuse:
            return None
        reader = _REAL(*args)
        self.used += reader is not None
        return reader


def rows(store: Store, source: str) -> list[tuple[Any, ...]]:
    return store.fetch(
        "SELECT id, opened_at, title, severity, origin FROM incident WHERE source = ? "
        "ORDER BY origin",
        (source,),
    )


def both_ways(store: Store, monkeypatch: pytest.MonkeyPatch, path: Path) -> Spy:
    fast = Spy()
    monkeypatch.setattr(_importer, "_fast_reader", fast)
    run(store, "incidents", path, mapping=MAPPING, source="fast")
    monkeypatch.setattr(_importer, "_fast_reader", Spy(refuse=True))
    run(store, "incidents", path, mapping=MAPPING, source="exact")
    exact = rows(store, "exact")
    assert exact, "nothing was imported"
    assert rows(store, "fast") == exact
    return fast


PLAIN = {
    "simple": "Number,Opened,Title\nI1,2024-01-05 10:00,disk full\nI2,2024-01-06,vpn\n",
    "crlf and bom": "\ufeffNumber,Opened,Title\r\nI1,2024-01-05,a\r\nI2,2024-01-06,b\r\n",
    "quoted everything": '"Number","Opened","Title"\n"I1","2024-01-05","Smith, Jane"\n'
    '"I2","2024-01-06","say ""hi"""\n"I3","2024-01-07",""\n',
    "blank and delimiter-only lines": "Number,Opened,Title\nI1,2024-01-05,a\n,,\nI2,2024-01-06,b\n"
    ",,\n,,\nI3,2024-01-07,c\n",
    "unicode": "Number,Opened,Title\nI1,2024-01-05,Größe überschritten ✓\nI2,2024-01-06,東京\n",
    "no final line break": "Number,Opened,Title\nI1,2024-01-05,a\nI2,2024-01-06,b",
}


@pytest.mark.parametrize("name", list(PLAIN))
def test_plain_files_read_the_same_both_ways(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = write("plain.csv", PLAIN[name])
    assert both_ways(store, monkeypatch, path).used == 1


def test_lines_stay_right_across_blocks(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_fastcsv, "BLOCK_BYTES", 4096)
    body = "".join(
        f'I{i},2024-01-{1 + i % 28:02d},"item {i}, part {i % 7}"\n'
        + (",,\n" if i % 97 == 0 else "")
        for i in range(3000)
    )
    path = write("blocks.csv", "Number,Opened,Title\n" + body)
    assert both_ways(store, monkeypatch, path).used == 1
    # I500 is on line 2 + 500 + the six delimiter-only lines after I0, I97, …, I485.
    assert store.scalar("SELECT origin FROM incident WHERE source = 'fast' AND id = 'I500'") == (
        "blocks.csv:508"
    )


IRREGULAR = {
    "value over two lines": 'Number,Opened,Title\nI1,2024-01-05,"two\nlines"\nI2,2024-01-06,b\n',
    "quote inside a bare value": 'Number,Opened,Title\nI1,2024-01-05,27" screen\nI2,2024-01-06,b\n',
}


@pytest.mark.parametrize("name", list(IRREGULAR))
def test_irregular_files_go_to_the_exact_reader(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = write("odd.csv", IRREGULAR[name])
    assert both_ways(store, monkeypatch, path).used == 0


def test_a_value_spanning_lines_keeps_later_lines_exact(store: Store, write: Write) -> None:
    path = write("span.csv", IRREGULAR["value over two lines"])
    run(store, "incidents", path, mapping=MAPPING)
    assert store.scalar("SELECT origin FROM incident WHERE id = 'I2'") == "span.csv:4"


def test_a_bad_value_deep_in_a_plain_file_names_its_line(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_fastcsv, "BLOCK_BYTES", 4096)
    body = [f"I{i},2024-01-05,t{i}" for i in range(2000)]
    body[1500] = "I1500,5 January,t1500"
    path = write("deep.csv", "Number,Opened,Title\n" + "\n".join(body) + "\n")
    spy = Spy()
    monkeypatch.setattr(_importer, "_fast_reader", spy)
    with pytest.raises(InputError) as info:
        run(store, "incidents", path, mapping=MAPPING)
    assert spy.used == 1
    assert info.value.line == 1502 and info.value.value == "5 January"
    assert info.value.column == "Opened"
    assert store.scalar("SELECT count(*) FROM incident") == 0


def test_a_ragged_row_found_by_arrow_is_reported_by_the_exact_reader(
    store: Store, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow refuses the short row mid-file; the import starts again with the exact reader,
    # which names the line and column, and nothing from the first attempt remains.
    monkeypatch.setattr(_fastcsv, "BLOCK_BYTES", 4096)
    body = [f"I{i},2024-01-05,t{i}" for i in range(2000)]
    body[1800] = "I1800,2024-01-05"
    path = write("ragged.csv", "Number,Opened,Title\n" + "\n".join(body) + "\n")
    with pytest.raises(InputError) as info:
        run(store, "incidents", path, mapping=MAPPING)
    assert info.value.line == 1802 and info.value.column == "Title"
    assert store.scalar("SELECT count(*) FROM incident") == 0


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'x,y\n1,"abc"def\n', "text after a closing quote"),
        (b'x,y\n1,"abc" \n', "text after a closing quote"),
        (b'x,y\n1,ab"c\n', "does not start its value"),
        (b'x,y\n1,"a\nb"\n', "spans lines"),
        (b'x,y\n1,"open', "never closes"),
        (b'x,y\n1,"a""b"\n', None),
        (b'"x","y"\r\n"1","2"\r\n', None),
        (b'\xef\xbb\xbf"x","y"\n"1",""\n', None),
        (b'x,y\n"a,b",c\n', None),
        (b'x\ty\n"a\tb"\tc\n', None),
    ],
)
def test_irregular_quoting(tmp_path: Path, data: bytes, why: str | None) -> None:
    p = tmp_path / "q.csv"
    p.write_bytes(data)
    delimiter = "\t" if b"\t" in data else ","
    got = irregular_quoting(p, delimiter)
    assert (got is None) if why is None else (got is not None and why in got), got
    for block in (3, 4, 7):  # quotes and line breaks on every kind of block edge
        # (the reason given may differ with the blocks; irregular or not may not)
        assert (irregular_quoting(p, delimiter, block=block) is None) == (why is None), block

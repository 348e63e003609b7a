"""Hostile files (issue 12): binary junk named .csv, JSON numbers and nesting that Python's own
parser refuses with a ValueError or RecursionError, and XLSX zip bombs. Each is a clean
InputError naming the file (and the line where it is known), never another exception, and
nothing is written.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from ingest_helpers import counts, run

from trustmeter.errors import InputError
from trustmeter.ingest import _xlsx
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]


@pytest.fixture
def seeded(store: Store, write: Write) -> Iterator[Store]:
    run(store, "services", write("good.csv", "id,name\nSVC-1,ERP\n"))
    before = counts(store)
    yield store
    assert counts(store) == before


def refused(store: Store, path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        run(store, "services", path)
    assert str(info.value).startswith(path.name) or path.name in str(info.value)
    return info.value


def _zip_of(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


_rng = random.Random(12)
JUNK = {
    "random bytes": bytes(_rng.getrandbits(8) for _ in range(20_000)),
    # Undecodable after a lone carriage return on the bad line: the column finder's csv
    # parse of that line raised _csv.Error (a traceback) before.
    "every byte value": bytes(range(256)) * 50,
    "a PNG": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    "a zip": _zip_of(**{"a.xml": b"x" * 1000}),
    "NUL bytes in a row": b"id,name\nA,B\x00C\n" + b"\x00" * 100,
    "carriage returns and NULs": b"id,name\rA\r\x00\r",
}


@pytest.mark.parametrize("content", list(JUNK.values()), ids=list(JUNK))
def test_binary_junk_named_csv_is_a_clean_error(
    seeded: Store, write: Write, content: bytes
) -> None:
    refused(seeded, write("junk.csv", content))


def test_the_undecodable_byte_is_still_located(seeded: Store, write: Write) -> None:
    err = refused(seeded, write("junk.csv", bytes(range(256)) * 50))
    assert err.line == 2 and "not valid UTF-8" in err.problem and "byte 0x80" in err.problem


HUGE = b"1" * 5001
NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("name", "content", "line", "problem"),
    [
        ("big.json", b'[{"id": "A", "name": "B", "tier": ' + HUGE + b"}]", 1, "5,001 digits"),
        ("big.ndjson", b'{"id": "A", "name": "B"}\n{"id": "C", "tier": ' + HUGE + b"}\n", 2,
         "5,001 digits"),
        ("float.json", b'[{"id": "A", "tier": 1.' + HUGE + b"}]", 1, "too large"),
        ("nan.json", b'[{"id": "A", "name": "B", "tier": NaN}]', 1, "NaN"),
        ("deep.json", b'[{"id": "A", "name": "ok"},\n{"id": "B", "name": ' + NESTED + b"}]", 2,
         "nested too deeply"),
        ("deep.ndjson", b'{"id": "A", "name": ' + NESTED + b"}\n", 1, "nested too deeply"),
        ("wrapped.json", b'{"result": [\n{"id": "A", "name": ' + NESTED + b"}]}", 2,
         "nested too deeply"),
    ],
)  # fmt: skip
def test_json_numbers_and_nesting_python_refuses_are_clean_errors(
    seeded: Store, write: Write, name: str, content: bytes, line: int, problem: str
) -> None:
    err = refused(seeded, write(name, content))
    assert err.line == line and problem in err.problem, str(err)


def test_ordinary_json_numbers_still_read(store: Store, write: Write) -> None:
    run(store, "services", write("s.json", b'[{"id": "A", "name": "B", "tier": 2.0}]'))
    assert store.scalar("SELECT tier FROM service WHERE id = 'A'") == 2


def _workbook(tmp_path: Path, padding: int) -> Path:
    """A one-row workbook whose sheet part carries `padding` spaces: it deflates to almost
    nothing, so the file is small and declares a large inflated size."""
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "name"])
    ws.append(["SVC-9", "Payroll"])
    wb.save(plain)
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * padding)
            zout.writestr(info.filename, data)
    return out


def test_xlsx_bomb_is_refused_before_anything_is_inflated(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = _workbook(tmp_path, 40 << 20)
    assert bomb.stat().st_size < 200_000  # 40 MB of XML in well under 1 MB of file

    def never(*a: object, **k: object) -> None:
        raise AssertionError("the workbook was opened (and inflated)")

    monkeypatch.setattr(_xlsx, "MAX_INFLATED", 8 << 20)
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    err = refused(seeded, bomb)
    assert "would inflate to" in err.problem and "8,388,608" in err.problem


def test_xlsx_whose_directory_lies_about_sizes_is_a_clean_error(
    seeded: Store, tmp_path: Path
) -> None:
    """Declared small, inflates big: zipfile stops at the declared size and the checksum
    fails, which is reported as a broken workbook (an error, not a traceback)."""
    raw = bytearray(_workbook(tmp_path, 20 << 20).read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # The uncompressed size, in the central directory and in the local header.
    for sig, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):  # fmt: skip
        i = raw.find(sig)
        while i != -1:
            n = struct.unpack_from("<H", raw, i + name_len_at)[0]
            if raw[i + name_at : i + name_at + n] == name:
                struct.pack_into("<I", raw, i + size_at, 2000)
            i = raw.find(sig, i + 4)
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(raw)
    with zipfile.ZipFile(liar) as zf:
        assert zf.getinfo(name.decode()).file_size == 2000
    err = refused(seeded, liar)
    assert "cannot be read as an Excel workbook" in err.problem


def test_a_normal_workbook_still_imports(store: Store, tmp_path: Path) -> None:
    run(store, "services", _workbook(tmp_path, 1000))
    assert store.scalar("SELECT name FROM service WHERE id = 'SVC-9'") == "Payroll"

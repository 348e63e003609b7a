"""Opening an input file: its format, compression, text encoding, and what a reader yields.

Every reader turns a file into a header (when the format has one) and batches of rows whose
values are all text (or None), each row with the physical line it starts on, so that a bad
value can be reported where the user will find it in an editor.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast

from trustmeter.errors import InputError

# A longer value is refused: no real export field is this long, and an unclosed quote that
# swallows the rest of the file usually is.
FIELD_LIMIT = 1_000_000

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
}
_COMPRESSED = (".gz", ".xz", ".bz2")


def _decompressed(compression: str, raw: IO[bytes]) -> IO[bytes]:
    opened: object
    if compression == ".gz":
        opened = gzip.GzipFile(fileobj=raw)
    elif compression == ".xz":
        opened = lzma.LZMAFile(raw)  # noqa: SIM115 - the reader closes it
    else:
        opened = bz2.BZ2File(raw)
    return cast(IO[bytes], opened)


@dataclass
class Batch:
    """Rows of one file: per column, the values as text (None where the format has no value)."""

    lines: list[int]
    columns: dict[str, Sequence[str | None]]
    # JSON arrays: the record's position in the array (1-based), shown beside the line.
    records: list[int] | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def where(self, i: int) -> str:
        return f" (record {self.records[i]})" if self.records is not None else ""


class Reader(Protocol):
    def header(self) -> list[str] | None: ...
    def batches(self) -> Iterator[Batch]: ...
    def bytes_read(self) -> int: ...
    def close(self) -> None: ...


def file_format(path: Path) -> tuple[str, str | None]:
    """The format by extension, and the compression if the name ends in .gz/.xz/.bz2."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in _COMPRESSED else None
    ext = suffixes[-1] if suffixes else ""
    if ext in FORMATS:
        if compression and FORMATS[ext] == "xlsx":
            raise InputError(str(path), "a compressed .xlsx cannot be read", hint="unpack it first")
        return FORMATS[ext], compression
    if ext == ".xls":
        raise InputError(
            str(path),
            "the old Excel format (.xls) is not supported",
            expected="a .xlsx, .csv, .tsv, .json or .ndjson file",
            hint="open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8)",
        )
    known = ", ".join(sorted(FORMATS))
    raise InputError(
        str(path),
        f"cannot tell the file's format from its extension {ext or '(none)'!r}",
        expected=f"one of {known} (optionally compressed: .gz, .xz, .bz2)",
        hint="rename the file to the extension that matches its content",
    )


def check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(str(path), "the file does not exist")
    if path.is_dir():
        raise InputError(str(path), "this is a folder, not a file", hint="name the files in it")


class Source:
    """A file opened as bytes (decompressed), remembering how far the raw file has been read."""

    def __init__(self, path: Path, compression: str | None) -> None:
        self.path = path
        self.raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.binary = _decompressed(compression, self.raw) if compression else self.raw
        self.compression = compression

    def bytes_read(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def text(self, encoding: str | None) -> tuple[IO[str], str]:
        """The content as text; a BOM picks UTF-8-with-BOM or UTF-16 whatever was asked."""
        head = self.binary.peek(4)[:4]  # type: ignore[attr-defined]
        enc = encoding or "utf-8"
        if head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _is_utf8(enc):
            enc = "utf-16"
        try:
            codecs.lookup(enc)
        except LookupError:
            raise InputError(
                str(self.path),
                f"unknown text encoding {enc!r}",
                expected="an encoding name such as utf-8, cp1252, latin-1 or utf-16",
            ) from None
        return io.TextIOWrapper(self.binary, encoding=enc, errors="strict", newline=""), enc

    def close(self) -> None:
        self.binary.close()
        self.raw.close()


def _is_utf8(enc: str) -> bool:
    return codecs.lookup(enc).name in ("utf-8", "utf-8-sig")


def _column(
    column_at: Callable[[str, str], str | None] | None, first: str, prefix: str
) -> str | None:
    """The column of a bad byte when the line before it reads as CSV. Binary junk (a lone
    carriage return, a NUL byte) does not, and then the error names the line and byte only."""
    if column_at is None:
        return None
    try:
        return column_at(first, prefix)
    except csv.Error:
        return None


def decode_error(
    path: Path,
    compression: str | None,
    encoding: str,
    column_at: Callable[[str, str], str | None] | None = None,
) -> InputError:
    """Find the first undecodable byte by re-reading the file: its line, offset and column."""
    src = Source(path, compression)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    first = ""
    try:
        for number, line in enumerate(src.binary, start=1):
            if number == 1:
                first = line.decode(encoding, errors="replace")
            try:
                decoder.decode(line)
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start : exc.end]
                prefix = line[: max(exc.start, 0)].decode(encoding, errors="replace")
                return InputError(
                    str(path),
                    f"the file is not valid {encoding.upper()}: byte 0x{bad[:1].hex()} "
                    f"at byte offset {offset + exc.start}",
                    line=number,
                    column=_column(column_at, first, prefix) if number > 1 else None,
                    value=line.decode(encoding, errors="replace").rstrip("\r\n"),
                    expected=f"text encoded as {encoding.upper()}",
                    hint="re-save the file as UTF-8 (in Excel: 'CSV UTF-8'), or pass its "
                    'encoding, e.g. --encoding cp1252 (encoding = "cp1252" in the mapping file)',
                )
            offset += len(line)
    finally:
        src.close()
    return InputError(str(path), f"the file is not valid {encoding}", expected=f"{encoding} text")


class RepeatedLabels:
    """A header whose labels may repeat (real exports do this), for the CSV and XLSX readers
    alike: each label is one column, a row's value is the first non-empty one among the
    label's fields, and the summary says so."""

    def __init__(self) -> None:
        self.fields: list[str] = []  # the labels as written, one per field
        # A label written more than once → its fields' positions (0-based).
        self.repeats: dict[str, list[int]] = {}
        self.conflicts: dict[str, int] = {}  # label → rows whose repeated fields disagreed

    def once(self, fields: list[str]) -> list[str]:
        """Each label once (compared without case), first spelling kept; remembers `fields`."""
        self.fields = fields
        first: dict[str, int] = {}
        names: list[str] = []
        for i, name in enumerate(fields):
            key = name.casefold()
            if key in first:
                self.repeats.setdefault(fields[first[key]], [first[key]]).append(i)
            else:
                first[key] = i
                names.append(name)
        return names

    def columns(self, rows: Sequence[Sequence[str | None]]) -> dict[str, Sequence[str | None]]:
        """The rows as columns by label, each repeated label merged into one."""
        by_field = list(zip(*rows, strict=True))
        if not self.repeats:
            return dict(zip(self.fields, by_field, strict=True))
        later = {j for where in self.repeats.values() for j in where[1:]}
        out: dict[str, Sequence[str | None]] = {}
        for i, name in enumerate(self.fields):
            if i in later:
                continue
            where = self.repeats.get(name)
            if where is None:
                out[name] = by_field[i]
                continue
            merged: list[str | None] = []
            for values in zip(*(by_field[j] for j in where), strict=True):
                filled = [v for v in values if v is not None and v.strip()]
                merged.append(filled[0] if filled else values[0])
                if len({v.strip() for v in filled}) > 1:
                    self.conflicts[name] = self.conflicts.get(name, 0) + 1
            out[name] = tuple(merged)
        return out

    def notes(self) -> list[str]:
        """What the summary should say about the header: labels written twice."""
        out = []
        for name, where in self.repeats.items():
            cols = " and ".join(str(i + 1) for i in where)
            text = (
                f"the header has {name!r} {len(where)} times (columns {cols}): each row's "
                "first non-empty value of them is read"
            )
            if self.conflicts.get(name):
                text += f"; {self.conflicts[name]:,} rows had different values there"
            out.append(text)
        return out

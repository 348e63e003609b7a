"""Readers that turn a vendor's own shape into the importer's text batches.

The importer reads batches of text columns, each row with the line it starts on. A flat export
(a ServiceNow CSV) needs nothing more than the importer's own readers; a vendor's nested JSON,
an export that lacks a field the vendor's API has (PagerDuty's acknowledgement time is written
as seconds since creation), an .ics calendar or a git repository need one of these. Every row
keeps its line, so an error still points at the place in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustmeter.errors import InputError
from trustmeter.ingest.readers import (
    BATCH_ROWS,
    Batch,
    DelimitedReader,
    JsonReader,
    Reader,
    XlsxReader,
    delimiter_char,
    file_format,
)

Row = dict[str, str | None]
ToRow = Callable[[Mapping[str, Any]], Row]


@dataclass(frozen=True)
class ReadOptions:
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def standard(path: Path, opts: ReadOptions) -> Reader:
    """The importer's own reader for the file's extension."""
    fmt, compression = file_format(path)
    if fmt in ("csv", "tsv"):
        d = delimiter_char(opts.delimiter) if opts.delimiter else ("\t" if fmt == "tsv" else ",")
        return DelimitedReader(path, compression, d, opts.encoding, BATCH_ROWS)
    if fmt in ("json", "ndjson"):
        return JsonReader(path, compression, opts.encoding, BATCH_ROWS, ndjson=fmt == "ndjson")
    return XlsxReader(path, opts.sheet, BATCH_ROWS)


def text(v: object) -> str | None:
    """A JSON value as the importer's text: None stays None, objects become JSON."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return json.dumps(v, ensure_ascii=False)


def dig(obj: Mapping[str, Any] | None, *path: str) -> Any:
    """obj["a"]["b"]..., or None where any step is missing."""
    cur: Any = obj
    for p in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(p)
    return cur


def batch_of(lines: list[int], rows: list[Row], records: list[int] | None = None) -> Batch:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return Batch(lines, {k: [r.get(k) for r in rows] for k in keys}, records=records)


class DerivedReader:
    """Another reader's rows, plus columns computed from each row (named in `names`).

    `needs` gives, per derived column, the columns it is computed from: a file with a header
    that has none of them gets no such column, so a preset's alternatives can still pick a
    column the file does have.
    """

    def __init__(
        self,
        inner: Reader,
        names: Sequence[str],
        derive: Callable[[Row], Row],
        needs: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.inner = inner
        self.derive = derive
        h = inner.header()
        needs = needs or {}
        self.names = [
            n for n in names if h is None or n not in needs or any(c in h for c in needs[n])
        ]

    def header(self) -> list[str] | None:
        h = self.inner.header()
        return None if h is None else [*h, *(n for n in self.names if n not in h)]

    def batches(self) -> Iterator[Batch]:
        for b in self.inner.batches():
            cols = list(b.columns)
            derived: dict[str, list[str | None]] = {n: [] for n in self.names}
            for i in range(len(b)):
                row = {c: b.columns[c][i] for c in cols}
                extra = self.derive(row)
                for n in self.names:
                    derived[n].append(extra.get(n))
            columns = dict(b.columns)
            for n in self.names:
                if n not in columns:
                    columns[n] = derived[n]
            yield Batch(b.lines, columns, records=b.records)

    def bytes_read(self) -> int:
        return self.inner.bytes_read()

    def close(self) -> None:
        self.inner.close()


class RecordsReader(JsonReader):
    """A vendor's JSON (an array, an API page such as {"incidents": [...]}, or NDJSON), each
    record turned into a flat row by the vendor module's `to_row`."""

    def __init__(self, path: Path, to_row: ToRow, encoding: str | None = None) -> None:
        fmt, compression = file_format(path)
        if fmt not in ("json", "ndjson"):
            raise InputError(
                str(path),
                "this format reads JSON as the vendor's API returns it",
                expected="a .json or .ndjson file",
                hint="for a CSV export, use the CSV preset of the same tool (trustmeter presets)",
            )
        super().__init__(path, compression, encoding, BATCH_ROWS, ndjson=fmt == "ndjson")
        self.to_row = to_row

    def batches(self) -> Iterator[Batch]:
        lines: list[int] = []
        numbers: list[int] = []
        rows: list[Row] = []
        array = False
        for line, number, obj in self._records():
            array = number > 0
            if not isinstance(obj, dict):
                raise self.error(
                    f"record {number or line} is not an object but {type(obj).__name__}",
                    line,
                    value=json.dumps(obj, ensure_ascii=False)[:200],
                    expected="an object per record, as the vendor's API returns them",
                )
            rows.append(self.to_row(obj))
            lines.append(line)
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield batch_of(lines, rows, numbers if array else None)
                lines, numbers, rows = [], [], []
        if rows:
            yield batch_of(lines, rows, numbers if array else None)


class RowsReader:
    """Rows from any source that is not a table (a calendar, a git repository): (line, row)."""

    def __init__(self, rows: Iterable[tuple[int, Row]], size: int = 0) -> None:
        self.rows = iter(rows)
        self.size = size
        self.done = 0

    def header(self) -> None:
        return None

    def batches(self) -> Iterator[Batch]:
        lines: list[int] = []
        rows: list[Row] = []
        for line, row in self.rows:
            lines.append(line)
            rows.append(row)
            if len(rows) >= BATCH_ROWS:
                yield batch_of(lines, rows)
                lines, rows = [], []
        if rows:
            yield batch_of(lines, rows)
        self.done = self.size

    def bytes_read(self) -> int:
        return self.done

    def close(self) -> None:
        pass

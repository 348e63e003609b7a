"""XLSX, read row by row (openpyxl's read-only mode): the first sheet unless one is named.

The header is the first non-empty row. Cells that Excel stores as dates become ISO 8601 text
without a zone (Excel has none), so they are read in the import's time zone like any other
zoneless value, whatever `date_format` says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trustmeter.errors import InputError
from trustmeter.ingest._files import FIELD_LIMIT, Batch


def cell_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


class XlsxReader:
    def __init__(self, path: Path, sheet: str | None, batch_rows: int) -> None:
        import openpyxl  # imported here: only XLSX imports pay for it

        self.path = path
        self.batch_rows = batch_rows
        self.size = path.stat().st_size
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
            raise InputError(
                str(path),
                f"the file cannot be read as an Excel workbook: {exc}",
                expected="an .xlsx workbook",
                hint="open it in Excel and save it again as .xlsx, or export CSV (UTF-8)",
            ) from None
        names = self.book.sheetnames
        if sheet is not None and sheet not in names:
            self.book.close()
            raise InputError(
                str(path),
                f"the workbook has no sheet named {sheet!r}",
                value=sheet,
                expected="one of " + ", ".join(repr(n) for n in names),
                hint="pass --sheet with one of those names",
            )
        self.sheet = self.book[sheet] if sheet is not None else self.book.worksheets[0]
        self.total_rows = self.sheet.max_row or 0
        self.rows = enumerate(self.sheet.iter_rows(values_only=True), start=1)
        self.done = 0
        self._header: list[str] | None = None

    def header(self) -> list[str]:
        if self._header is None:
            for number, row in self.rows:
                self.done = number
                names = [cell_text(v) for v in row]
                while names and not (names[-1] or "").strip():
                    names.pop()
                if names:
                    self._header = _unique(self.path, number, names)
                    break
            else:
                raise InputError(
                    str(self.path),
                    "the sheet is empty: it has no header row",
                    line=1,
                    expected="a first row naming the columns",
                )
        return self._header

    def batches(self) -> Iterator[Batch]:
        header = self.header()
        width = len(header)
        lines: list[int] = []
        rows: list[list[str | None]] = []
        for number, raw in self.rows:
            self.done = number
            row = [cell_text(v) for v in raw]
            if not any(v is not None and v.strip() for v in row):
                continue
            if len(row) > width:
                extra = next((i for i in range(width, len(row)) if row[i] not in (None, "")), None)
                if extra is not None:
                    raise InputError(
                        str(self.path),
                        f"row {number} has a value in column {extra + 1}, which has no header",
                        line=number,
                        column=f"(column {extra + 1})",
                        value=row[extra],
                        expected=f"values only in the {width} columns that the header names",
                        hint="give the column a name in the header row, or delete the value",
                    )
                row = row[:width]
            row += [None] * (width - len(row))
            for i, v in enumerate(row):
                if v is not None and len(v) > FIELD_LIMIT:
                    raise InputError(
                        str(self.path),
                        f"a value is too long ({len(v):,} characters)",
                        line=number,
                        column=header[i],
                        expected=f"at most {FIELD_LIMIT:,} characters per value",
                    )
            rows.append(row)
            lines.append(number)
            if len(rows) >= self.batch_rows:
                yield Batch(lines, dict(zip(header, zip(*rows, strict=True), strict=True)))
                lines, rows = [], []
        if rows:
            yield Batch(lines, dict(zip(header, zip(*rows, strict=True), strict=True)))

    def bytes_read(self) -> int:
        if not self.total_rows:
            return 0
        return min(self.size, self.size * self.done // self.total_rows)

    def close(self) -> None:
        self.book.close()


def _unique(path: Path, line: int, names: list[str | None]) -> list[str]:
    out = [(n or "").strip() or f"(column {i + 1})" for i, n in enumerate(names)]
    seen: dict[str, int] = {}
    for i, name in enumerate(out):
        key = name.casefold()
        if key in seen:
            raise InputError(
                str(path),
                f"the header names the same column twice (columns {seen[key] + 1} and {i + 1})",
                line=line,
                column=name,
                value=name,
                expected="each column name once",
                hint="rename or remove one of the two columns",
            )
        seen[key] = i
    return out

"""XLSX, read row by row (openpyxl's read-only mode): the first sheet unless one is named.

The header is the first non-empty row. Cells that Excel stores as dates become ISO 8601 text
without a zone (Excel has none), so they are read in the import's time zone like any other
zoneless value, whatever `date_format` says.

An XLSX file is a zip archive. Before anything is inflated, the sizes its directory declares
are added up, and a workbook that would inflate to more than MAX_INFLATED is refused (a zip
bomb of a few MB can declare gigabytes). Python's zipfile, which openpyxl reads through,
never inflates a member past its declared size, and a member whose content does not match
its declared size and checksum fails as a broken workbook, so a directory that lies about
the sizes gains nothing.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trustmeter.errors import InputError
from trustmeter.ingest._files import FIELD_LIMIT, Batch, RepeatedLabels

# The most a workbook's parts may inflate to, together. Worksheets compress about ten to one,
# so this admits workbooks of about 100 MB; a bigger export is better sent as CSV.
MAX_INFLATED = 1 << 30
_EXPECTED = "an .xlsx workbook"
_RESAVE = "open it in Excel and save it again as .xlsx, or export CSV (UTF-8)"


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
        check_inflated_size(path)
        # Opened here, so that it is closed whatever openpyxl leaves open when it fails.
        self._file = path.open("rb")
        try:
            self.book = openpyxl.load_workbook(self._file, read_only=True, data_only=True)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
            self._file.close()
            raise self._broken(exc) from None
        names = self.book.sheetnames
        if sheet is not None and sheet not in names:
            self.close()
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
        # The header's labels as written, one per column; `_header` names each label once.
        self._repeated = RepeatedLabels()

    def _broken(self, exc: BaseException) -> InputError:
        return InputError(
            str(self.path),
            f"the file cannot be read as an Excel workbook: {exc}",
            expected=_EXPECTED,
            hint=_RESAVE,
        )

    def _next_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The sheet's rows; a part that is broken (a checksum or size that does not match,
        XML that does not parse) is reported as the workbook's error, not raised as is."""
        try:
            yield from self.rows
        except InputError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, the XML parser's errors, ...
            raise self._broken(exc) from None

    def header(self) -> list[str]:
        if self._header is None:
            for number, row in self._next_rows():
                self.done = number
                names = [cell_text(v) for v in row]
                while names and not (names[-1] or "").strip():
                    names.pop()
                if names:
                    self._header = self._repeated.once(_labels(names))
                    break
            else:
                raise InputError(
                    str(self.path),
                    "the sheet is empty: it has no header row",
                    line=1,
                    expected="a first row naming the columns",
                )
        return self._header

    def notes(self) -> list[str]:
        """What the summary should say about the header: labels written twice."""
        return self._repeated.notes()

    def batches(self) -> Iterator[Batch]:
        self.header()
        header = self._repeated.fields
        width = len(header)
        lines: list[int] = []
        rows: list[list[str | None]] = []
        for number, raw in self._next_rows():
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
                yield Batch(lines, self._repeated.columns(rows))
                lines, rows = [], []
        if rows:
            yield Batch(lines, self._repeated.columns(rows))

    def bytes_read(self) -> int:
        if not self.total_rows:
            return 0
        return min(self.size, self.size * self.done // self.total_rows)

    def close(self) -> None:
        self.book.close()
        self._file.close()


def check_inflated_size(path: Path, limit: int | None = None) -> None:
    """Refuse a workbook whose parts declare more than `limit` bytes inflated, before any
    part is inflated (the sizes are read from the zip's directory)."""
    limit = MAX_INFLATED if limit is None else limit
    try:
        with zipfile.ZipFile(path) as zf:
            declared = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            str(path),
            f"the file cannot be read as an Excel workbook: {exc}",
            expected=_EXPECTED,
            hint=_RESAVE,
        ) from None
    if declared > limit:
        raise InputError(
            str(path),
            f"the workbook would inflate to {declared:,} bytes, more than the "
            f"{limit:,} allowed (an .xlsx file is compressed)",
            value=f"{path.stat().st_size:,} bytes compressed",
            expected=f"a workbook of at most {limit:,} bytes uncompressed",
            hint="export the sheet as CSV (UTF-8) instead, or split it",
        )


def _labels(names: list[str | None]) -> list[str]:
    """The header's labels, trimmed; an empty one is named by its position."""
    return [(n or "").strip() or f"(column {i + 1})" for i, n in enumerate(names)]

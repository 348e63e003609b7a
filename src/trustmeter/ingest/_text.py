"""CSV and TSV, streamed with the `csv` module so that every row keeps its physical line.

The csv module reads a few hundred thousand rows a second, which keeps a 2-million-row export
within seconds, and its `line_num` gives the exact line a record starts on (quoted values may
span lines) without a second pass.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from trustmeter.errors import InputError
from trustmeter.ingest._files import FIELD_LIMIT, Batch, Source, decode_error


def shown(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


class DelimitedReader:
    def __init__(
        self,
        path: Path,
        compression: str | None,
        delimiter: str,
        encoding: str | None,
        batch_rows: int,
    ) -> None:
        self.path = path
        self.compression = compression
        self.delimiter = delimiter
        self.batch_rows = batch_rows
        self.source = Source(path, compression)
        self.text: IO[str]
        self.text, self.encoding = self.source.text(encoding)
        self._old_limit = csv.field_size_limit(FIELD_LIMIT)
        # strict: an unclosed quote is an error, not a value that swallows the rest of the file
        self.reader = csv.reader(self.text, delimiter=delimiter, strict=True)
        self._header: list[str] | None = None
        self.header_line = 1

    # -- the header ----------------------------------------------------------------------------
    def header(self) -> list[str]:
        if self._header is None:
            self._header = self._read_header()
        return self._header

    def _read_header(self) -> list[str]:
        row: list[str] = []
        while not any(row):
            try:
                row = self._next()
            except StopIteration:
                raise InputError(
                    str(self.path),
                    "the file is empty: it has no header line",
                    line=1,
                    expected="a first line naming the columns, e.g. id,opened_at,severity",
                ) from None
        self.header_line = self.reader.line_num
        names = [c.strip() or f"(column {i + 1})" for i, c in enumerate(row)]
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            key = name.casefold()
            if key in seen:
                raise InputError(
                    str(self.path),
                    f"the header names the same column twice (columns {seen[key] + 1} and {i + 1})",
                    line=self.header_line,
                    column=name,
                    value=name,
                    expected="each column name once",
                    hint="rename or remove one of the two columns",
                )
            seen[key] = i
        return names

    # -- the rows ------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        header = self.header()
        width = len(header)
        lines: list[int] = []
        rows: list[list[str]] = []
        prev = self.reader.line_num
        while True:
            try:
                row = self._next()
            except StopIteration:
                break
            start, prev = prev + 1, self.reader.line_num
            if not any(row):
                continue  # a blank line, or one of only delimiters, as spreadsheets append
            if len(row) != width:
                raise self._ragged(header, row, start)
            rows.append(row)
            lines.append(start)
            if len(rows) >= self.batch_rows:
                yield self._batch(header, lines, rows)
                lines, rows = [], []
        if rows:
            yield self._batch(header, lines, rows)

    @staticmethod
    def _batch(header: list[str], lines: list[int], rows: list[list[str]]) -> Batch:
        return Batch(lines, dict(zip(header, zip(*rows, strict=True), strict=True)))

    def _next(self) -> list[str]:
        start = self.reader.line_num + 1
        try:
            return next(self.reader)
        except UnicodeDecodeError:
            raise decode_error(
                self.path, self.compression, self.encoding, self._column_at
            ) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise self._huge(start) from None
            if "end of data" in str(exc):
                hint = f'a quote (") that opens a value on line {start} or after may never close'
            else:
                hint = 'a quote inside a quoted value must be doubled: "27"" screen"'
            raise InputError(
                str(self.path),
                f"the file cannot be read as {'TSV' if self.delimiter == chr(9) else 'CSV'}: {exc}",
                line=self.reader.line_num if "end of data" not in str(exc) else start,
                expected='values separated by delimiters, quoted with " where they contain one',
                hint=hint,
            ) from None

    def _ragged(self, header: list[str], row: list[str], line: int) -> InputError:
        width = len(header)
        if len(row) > width:
            column = f"(field {width + 1}, after the last column {header[-1]!r})"
            value = row[width]
            hint = 'a value that contains the delimiter must be quoted, e.g. "Smith, Jane"'
        else:
            column = header[len(row)]
            value = shown(self.delimiter).join(row)
            hint = "a row must have a field for every column, even an empty one"
        return InputError(
            str(self.path),
            f"the row has {len(row)} fields but the header has {width}",
            line=line,
            column=column,
            value=value,
            expected=f"{width} fields, like the header",
            hint=hint,
        )

    def _huge(self, line: int) -> InputError:
        """Re-read the record without the limit to say which column holds the long value."""
        column = None
        length = None
        src = Source(self.path, self.compression)
        csv.field_size_limit(2**31 - 1)
        try:
            text, _ = src.text(self.encoding)
            reader = csv.reader(text, delimiter=self.delimiter)
            prev = 0
            for row in reader:
                start, prev = prev + 1, reader.line_num
                if start == line:
                    header = self._header or []
                    for i, v in enumerate(row):
                        if len(v) > FIELD_LIMIT:
                            column = header[i] if i < len(header) else f"(field {i + 1})"
                            length = len(v)
                            break
                    break
        finally:
            csv.field_size_limit(FIELD_LIMIT)
            src.close()
        size = f"{length:,} characters" if length else f"more than {FIELD_LIMIT:,} characters"
        return InputError(
            str(self.path),
            f"a value is too long ({size})",
            line=line,
            column=column,
            expected=f"at most {FIELD_LIMIT:,} characters per value",
            hint='an unclosed quote (") makes the rest of the file one value; check the line',
        )

    def _column_at(self, first_line: str, prefix: str) -> str | None:
        """The column of a bad byte: fields before it on its line, named by the header."""
        names = self._header or next(csv.reader([first_line.lstrip("\ufeff")], delimiter=self.delimiter), [])
        fields = next(csv.reader([prefix], delimiter=self.delimiter), []) or [""]
        i = len(fields) - 1
        return names[i].strip() if 0 <= i < len(names) else None

    def bytes_read(self) -> int:
        return self.source.bytes_read()

    def close(self) -> None:
        csv.field_size_limit(self._old_limit)
        self.source.close()

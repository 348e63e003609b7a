"""CSV and TSV, streamed with the `csv` module so that every row keeps its physical line.

The csv module reads a few hundred thousand rows a second, which keeps a 2-million-row export
within seconds, and its `line_num` gives the exact line a record starts on (quoted values may
span lines) without a second pass.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from trustmeter.errors import InputError
from trustmeter.ingest._files import FIELD_LIMIT, Batch, RepeatedLabels, Source, decode_error


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
        try:
            self.text, self.encoding = self.source.text(encoding)
        except BaseException:
            self.source.close()
            raise
        self._old_limit = csv.field_size_limit(FIELD_LIMIT)
        # strict: an unclosed quote is an error, not a value that swallows the rest of the file
        self.reader = csv.reader(self.text, delimiter=delimiter, strict=True)
        self._header: list[str] | None = None
        # The header's labels as written, one per field; `_header` names each label once.
        self._labels = RepeatedLabels()
        self.header_line = 1

    # -- the header ----------------------------------------------------------------------------
    def header(self) -> list[str]:
        if self._header is None:
            self._header = self._labels.once(self._read_header())
        return self._header

    def notes(self) -> list[str]:
        """What the summary should say about the header: labels written twice."""
        return self._labels.notes()

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
        return [c.strip() or f"(column {i + 1})" for i, c in enumerate(row)]

    # -- the rows ------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        self.header()
        header = self._labels.fields
        width = len(header)
        while True:
            prev = self.reader.line_num
            rows = self._take()
            if not rows:
                return
            if self.reader.line_num - prev == len(rows):
                lines = list(range(prev + 1, prev + 1 + len(rows)))
            else:  # some quoted values span lines
                lines = _starts(rows, prev + 1)
            if set(map(len, rows)) != {width} or not all(map(any, rows)):
                # Blank lines, or lines of only delimiters as spreadsheets append, are skipped.
                keep = [i for i, row in enumerate(rows) if any(row)]
                for i in keep:
                    if len(rows[i]) != width:
                        raise self._ragged(header, rows[i], lines[i])
                rows = [rows[i] for i in keep]
                lines = [lines[i] for i in keep]
                if not rows:
                    continue
            yield Batch(lines, self._labels.columns(rows))

    def _take(self) -> list[list[str]]:
        """The next batch of records, parsed by the csv module without a Python loop."""
        try:
            return list(itertools.islice(self.reader, self.batch_rows))
        except UnicodeDecodeError:
            raise decode_error(
                self.path, self.compression, self.encoding, self._column_at
            ) from None
        except csv.Error as exc:
            raise self._csv_error(exc, self._failed_record()) from None

    def _next(self) -> list[str]:
        start = self.reader.line_num + 1
        try:
            return next(self.reader)
        except UnicodeDecodeError:
            raise decode_error(
                self.path, self.compression, self.encoding, self._column_at
            ) from None
        except csv.Error as exc:
            raise self._csv_error(exc, start) from None

    def _failed_record(self) -> int:
        """The line where the record that the csv module refused starts: read again to it."""
        src = Source(self.path, self.compression)
        try:
            text, _ = src.text(self.encoding)
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            prev = 0
            while True:
                try:
                    next(reader)
                except (StopIteration, csv.Error):
                    return prev + 1
                prev = reader.line_num
        finally:
            src.close()

    def _csv_error(self, exc: csv.Error, start: int) -> InputError:
        if "field larger than field limit" in str(exc):
            return self._huge(start)
        if "end of data" in str(exc):
            hint = f'a quote (") that opens a value on line {start} may never close'
        else:
            hint = 'a quote inside a quoted value must be doubled: "27"" screen"'
        return InputError(
            str(self.path),
            f"the file cannot be read as {'TSV' if self.delimiter == chr(9) else 'CSV'}: {exc}",
            line=start,
            expected='values separated by delimiters, quoted with " where they contain one',
            hint=hint,
        )

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
                    header = self._labels.fields
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
        names = self._labels.fields or next(
            csv.reader([first_line.lstrip("\ufeff")], delimiter=self.delimiter), []
        )
        fields = next(csv.reader([prefix], delimiter=self.delimiter), []) or [""]
        i = len(fields) - 1
        return names[i].strip() if 0 <= i < len(names) else None

    def bytes_read(self) -> int:
        return self.source.bytes_read()

    def close(self) -> None:
        csv.field_size_limit(self._old_limit)
        self.source.close()


def _starts(rows: list[list[str]], first: int) -> list[int]:
    """The line each record starts on, counting the line breaks inside its quoted values."""
    out = []
    line = first
    for row in rows:
        out.append(line)
        line += 1 + sum(v.count("\n") + v.count("\r") - v.count("\r\n") for v in row)
    return out

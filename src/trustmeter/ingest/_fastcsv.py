"""CSV and TSV through Arrow's multi-threaded reader, for the files that need no explaining.

Most exports are plain: UTF-8, one record per line, the header on line 1, every row as wide
as the header. For those, Arrow's C++ reader is several times faster than the `csv` module,
and a row's line is simply its position. The moment a file is anything else (a quoted value
that spans lines, a ragged row, a bad byte, another encoding) this reader gives up with
`NotPlain`, and the import starts again, from nothing, with `DelimitedReader`, which reads
line by line and names the exact line, column and value of any problem.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from trustmeter.ingest._files import FIELD_LIMIT, Batch
from trustmeter.ingest._text import DelimitedReader

BLOCK_BYTES = 8 << 20  # about 40,000 rows of a typical incident export per batch


class NotPlain(Exception):
    """The file needs the line-by-line reader; the message says why (for the logs)."""


class FastDelimitedReader:
    def __init__(self, path: Path, delimiter: str, encoding: str | None) -> None:
        if encoding is not None and encoding.lower().replace("_", "-") not in (
            "utf-8",
            "utf8",
            "utf-8-sig",
        ):
            raise NotPlain(f"encoding {encoding}")  # the exact reader checks and decodes it
        self.path = path
        self.delimiter = delimiter
        # The header, with all its checks and messages, comes from the exact reader.
        exact = DelimitedReader(path, None, delimiter, encoding, batch_rows=1)
        try:
            self._header = exact.header()
            self.header_line = exact.header_line
            enc = exact.encoding
        finally:
            exact.close()
        if self.header_line != 1 or enc not in ("utf-8", "utf-8-sig") or len(self._header) < 2:
            raise NotPlain("header not on line 1, not UTF-8, or a single column")
        why = irregular_quoting(path, delimiter)
        if why:
            raise NotPlain(why)
        self._file: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._reader = pacsv.open_csv(
                self._file,
                read_options=pacsv.ReadOptions(
                    skip_rows=1, column_names=self._header, block_size=BLOCK_BYTES
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self._header, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            self._file.close()
            raise NotPlain(str(exc)) from None

    def header(self) -> list[str]:
        return self._header

    def batches(self) -> Iterator[Batch]:
        line = self.header_line + 1
        while True:
            try:
                rb = self._reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:  # a ragged row, a bad byte, an unclosed quote
                raise NotPlain(str(exc)) from None
            n = rb.num_rows
            lines = np.arange(line, line + n, dtype=np.int64)
            line += n
            if n == 0:
                continue
            blank = None
            for col in rb.columns:
                if (pc.max(pc.binary_length(col)).as_py() or 0) > FIELD_LIMIT:
                    raise NotPlain("a value longer than the field limit")
                empty = pc.equal(col, "")
                blank = empty if blank is None else pc.and_(blank, empty)
            columns: dict[str, pa.Array] = dict(zip(self._header, rb.columns, strict=True))
            if blank is not None and pc.any(blank).as_py():
                # Lines of only delimiters (spreadsheets append them) are skipped, as the
                # exact reader skips them.
                keep = pc.invert(blank)
                lines = lines[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)]
                columns = {c: pc.filter(v, keep) for c, v in columns.items()}
                if not len(lines):
                    continue
            yield Batch(lines.tolist(), columns)

    def bytes_read(self) -> int:
        try:
            return self._file.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self._file.close()


def irregular_quoting(path: Path, delimiter: str, block: int = 16 << 20) -> str | None:
    """Why the file's quoting might be read differently by Arrow and the csv module, if so.

    Taking the quotes in order, each one opens or closes a quoted value. The file is regular
    when every opening quote starts a field (after a delimiter, a line break, the start of
    the file or another quote, as in ""), every closing quote ends one (before a delimiter,
    a line break, the end or another quote), and no line break falls inside quotes. Both
    readers agree on such a file, and a row's line is its position. Anything else (27" as
    a bare value, text after a closing quote, a value over several lines) is left to the
    exact reader. Vectorised over blocks of bytes, so it costs a fraction of the read.
    """
    ends = np.frombuffer(delimiter.encode() + b'\r\n"', dtype=np.uint8)
    inside = False  # whether the previous block ended inside quotes
    prev_last = 10  # the byte before the block: as if a line break came first
    with path.open("rb") as fh:
        head = fh.read(3)
        if head != codecs.BOM_UTF8:
            fh.seek(0)
        while chunk := fh.read(block):
            raw = np.frombuffer(chunk, dtype=np.uint8)
            quotes = np.flatnonzero(raw == 34)
            if len(quotes):
                opening = (np.arange(len(quotes)) + (0 if inside else 1)) % 2 == 1
                prev = np.where(quotes > 0, raw[np.maximum(quotes - 1, 0)], prev_last)
                if not np.isin(prev[opening], ends).all():
                    return "a quote that does not start its value"
                closing = quotes[~opening]
                after = closing + 1
                in_block = after < len(raw)
                nxt = raw[after[in_block]]
                if not np.isin(nxt, ends).all():
                    return "text after a closing quote"
                if not in_block.all():
                    # the closing quote is the block's last byte: look at the next one
                    peek = fh.read(1)
                    fh.seek(-len(peek), 1)
                    if peek and peek[0] not in ends:
                        return "text after a closing quote"
            nl = np.flatnonzero((raw == 10) | (raw == 13))
            if len(nl):
                # a line break is inside quotes when an odd number of quotes precede it
                before = np.searchsorted(quotes, nl) + inside
                if (before % 2).any():
                    return "a quoted value spans lines"
            if len(quotes) % 2:
                inside = not inside
            prev_last = int(raw[-1])
    return "a quote that never closes" if inside else None

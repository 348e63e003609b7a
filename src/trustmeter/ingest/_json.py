"""JSON and NDJSON, streamed: a JSON array of a million records is never held whole.

A JSON file is either an array of objects or an object with one list of objects, such as
ServiceNow's {"result": [...]}. Nested objects become text: a ServiceNow reference or choice
({"display_value": ..., "value": ...}) gives its display value, and each of its parts is also
a column of its own ("assignment_group.value"). Other nested values become JSON text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from trustmeter.errors import InputError
from trustmeter.ingest._files import FIELD_LIMIT, Batch, Source, decode_error

_WS = re.compile(r"[ \t\r\n]*")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_READ = 1 << 20
# A single record bigger than this is a broken file, not a record: stop reading for it.
_MAX_RECORD = 8 * FIELD_LIMIT
# Longer numbers are refused: no field of a real export has them, and Python would refuse
# an integer of more than 4,300 digits anyway (after spending time on it).
MAX_DIGITS = 1000
_EXPECTED = (
    'an array of records [{...}, ...], or an object with one list, such as {"result": [...]}'
)


class Unreadable(Exception):
    """A JSON value that must not become a Python object: a huge or non-finite number."""


def _int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise Unreadable(f"a number of {len(text.lstrip('-')):,} digits")
    return int(text)


def _float(text: str) -> float:
    v = float(text) if len(text) <= MAX_DIGITS else math.inf
    if not math.isfinite(v):
        raise Unreadable(f"a number too large to read ({len(text):,} characters)")
    return v


def _constant(name: str) -> float:
    raise Unreadable(f"{name}, which is not a JSON number")


def decoder() -> json.JSONDecoder:
    """Python's JSON decoder, refusing numbers no export holds (MAX_DIGITS, inf, NaN)."""
    return json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


_DECODER = decoder()


def _text(v: object) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v) if isinstance(v, int | float) else json.dumps(v, ensure_ascii=False)


def flatten(obj: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            if "display_value" in v or "value" in v:
                shown = v.get("display_value")
                out[k] = _text(shown if shown is not None else v.get("value"))
            else:
                out[k] = json.dumps(v, ensure_ascii=False)
            for sk, sv in v.items():
                if not isinstance(sv, dict | list):
                    out[f"{k}.{sk}"] = _text(sv)
        else:
            out[k] = _text(v)
    return out


class JsonReader:
    def __init__(
        self,
        path: Path,
        compression: str | None,
        encoding: str | None,
        batch_rows: int,
        ndjson: bool,
    ) -> None:
        self.path = path
        self.compression = compression
        self.batch_rows = batch_rows
        self.ndjson = ndjson
        self.source = Source(path, compression)
        self.text: IO[str]
        try:
            self.text, self.encoding = self.source.text(encoding)
        except BaseException:
            self.source.close()
            raise
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.decoder = _DECODER

    def header(self) -> None:
        return None

    def bytes_read(self) -> int:
        return self.source.bytes_read()

    def close(self) -> None:
        self.source.close()

    def error(self, problem: str, line: int, value: str | None = None, **kw: Any) -> InputError:
        return InputError(str(self.path), problem, line=line, value=value, **kw)

    # -- batches -------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        lines: list[int] = []
        numbers: list[int] = []
        rows: list[dict[str, str | None]] = []
        array = False
        for line, number, obj in self._guarded():
            array = number > 0
            if not isinstance(obj, dict):
                what = f"record {number}" if array else f"line {line}"
                raise self.error(
                    f"{what} is not an object but {type(obj).__name__}",
                    line,
                    value=json.dumps(obj, ensure_ascii=False)[:200],
                    expected='an object per record, like {"id": "INC1", ...}',
                    column=None,
                )
            try:
                row = flatten(obj)
            except RecursionError:
                raise self._too_deep(line) from None
            for k, v in row.items():
                if v is not None and len(v) > FIELD_LIMIT:
                    raise self.error(
                        f"a value is too long ({len(v):,} characters)"
                        + (f" (record {number})" if array else ""),
                        line,
                        column=k,
                        expected=f"at most {FIELD_LIMIT:,} characters per value",
                    )
            rows.append(row)
            lines.append(line)
            numbers.append(number)
            if len(rows) >= self.batch_rows:
                yield _batch(lines, numbers if array else None, rows)
                lines, numbers, rows = [], [], []
        if rows:
            yield _batch(lines, numbers if array else None, rows)

    def _guarded(self) -> Iterator[tuple[int, int, object]]:
        """The records, with a number or nesting Python cannot hold reported where it is."""
        try:
            yield from self._records()
        except Unreadable as exc:
            raise self.error(
                f"the file holds {exc}",
                self.line,
                value=self.buf[self.pos : self.pos + 80] or None,
                expected=f"finite numbers of at most {MAX_DIGITS:,} digits (quote longer ones)",
            ) from None
        except RecursionError:
            raise self._too_deep(self.line) from None

    def _too_deep(self, line: int) -> InputError:
        return self.error(
            "a record is nested too deeply to read",
            line,
            expected="records of values, lists and objects a few levels deep",
        )

    def _records(self) -> Iterator[tuple[int, int, object]]:
        """(line, record number or 0 for NDJSON, the decoded value) for each record."""
        try:
            if self.ndjson or self._looks_like_ndjson():
                yield from self._lines()
                return
            first = self._skip()
            if first == "[":
                yield from self._array()
            elif first == "{":
                yield from self._wrapper()
            elif first is not None:
                raise self.error(
                    f"the file is not JSON: it starts with {first!r}",
                    self.line,
                    value=self.buf[self.pos : self.pos + 80],
                    expected=_EXPECTED,
                    hint="if it is CSV or TSV, give it that extension",
                )
            if self._skip() is not None:
                raise self.error(
                    "unexpected content after the end of the JSON value",
                    self.line,
                    value=self.buf[self.pos : self.pos + 80],
                    expected="nothing after the closing bracket",
                    hint="a file of one object per line is NDJSON: name it .ndjson",
                )
        except UnicodeDecodeError:
            raise decode_error(self.path, self.compression, self.encoding) from None

    def _looks_like_ndjson(self) -> bool:
        """A .json file whose first line is a whole object and whose next one starts another."""
        first = self.text.readline(2 * FIELD_LIMIT)
        self.buf = first
        if not first.lstrip().startswith("{") or not first.endswith("\n"):
            return False
        try:
            obj = _DECODER.decode(first)
        except (ValueError, Unreadable, RecursionError):
            return False
        if not isinstance(obj, dict):
            return False
        # Peek past the first line without consuming it: the parser starts from the buffer.
        rest = ""
        while not rest.strip():
            chunk = self.text.read(4096)
            if not chunk:
                self.eof = True
                break
            rest += chunk
        self.buf = first + rest
        return rest.lstrip()[:1] == "{"

    def _lines(self) -> Iterator[tuple[int, int, object]]:
        # The sniffing may have read ahead; what it read comes first.
        chunks = _LINE.findall(self.buf[self.pos :])
        number = self.line
        for text in _chain(chunks, self.text):
            line = number
            number += 1 if text.endswith(("\n", "\r")) else 0
            stripped = text.strip()
            if not stripped:
                continue
            self.line = line  # for errors the decoder raises below (_guarded)
            self.buf, self.pos = stripped, 0
            try:
                obj = _DECODER.decode(stripped)
            except json.JSONDecodeError as exc:
                raise self.error(
                    f"the line is not valid JSON: {exc.msg} at character {exc.colno}",
                    line,
                    value=stripped,
                    expected="one JSON object per line",
                ) from None
            yield line, 0, obj

    # -- a streaming parser for arrays ---------------------------------------------------------
    def _more(self) -> bool:
        chunk = self.text.read(_READ)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def _skip(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            m = _WS.match(self.buf, self.pos)
            assert m is not None
            self._advance(m.end())
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof or not self._more():
                return None

    def _value(self) -> object:
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if (self.eof or len(self.buf) - self.pos > _MAX_RECORD) or not self._more():
                    line = self.line + self.buf.count("\n", self.pos, exc.pos)
                    raise self.error(
                        f"the file is not valid JSON: {exc.msg}",
                        line,
                        value=self.buf[exc.pos : exc.pos + 80],
                        expected=_EXPECTED,
                    ) from None
                continue
            # A number at the very end of the buffer may go on in the next chunk.
            if end == len(self.buf) and not self.eof and self._more():
                continue
            self._advance(end)
            return obj

    def _punct(self, allowed: str) -> str:
        c = self._skip()
        if c is None or c not in allowed:
            raise self.error(
                "the file is not valid JSON: "
                + ("it ends too early" if c is None else f"unexpected {c!r}"),
                self.line,
                value=self.buf[self.pos : self.pos + 80],
                expected=" or ".join(repr(a) for a in allowed),
            )
        self._advance(self.pos + 1)
        return c

    def _array(self) -> Iterator[tuple[int, int, object]]:
        self._punct("[")
        if self._skip() == "]":
            self._advance(self.pos + 1)
            return
        number = 0
        while True:
            self._skip()
            line = self.line
            number += 1
            yield line, number, self._value()
            if self._punct(",]") == "]":
                return

    def _wrapper(self) -> Iterator[tuple[int, int, object]]:
        self._punct("{")
        lists: list[str] = []
        if self._skip() == "}":
            self._advance(self.pos + 1)
        else:
            while True:
                self._skip()
                key = self._value()
                self._punct(":")
                if self._skip() == "[":
                    lists.append(str(key))
                    if len(lists) > 1:
                        raise self.error(
                            f"the object holds more than one list: {lists[0]!r} and {lists[1]!r}",
                            self.line,
                            expected=_EXPECTED,
                            hint="split the file, one list per file",
                        )
                    yield from self._array()
                else:
                    self._value()
                if self._punct(",}") == "}":
                    break
        if not lists:
            raise self.error(
                "the JSON object holds no list of records",
                1,
                expected=_EXPECTED,
            )


def _chain(first: list[str], rest: IO[str]) -> Iterator[str]:
    """Lines already read, then the rest of the file; a line cut at the join is rejoined."""
    carry = ""
    for text in first:
        if text.endswith(("\n", "\r")):
            yield carry + text
            carry = ""
        else:
            carry += text
    for text in rest:
        yield carry + text
        carry = ""
    if carry:
        yield carry


def _batch(lines: list[int], numbers: list[int] | None, rows: list[dict[str, str | None]]) -> Batch:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    columns = {k: [r.get(k) for r in rows] for k in keys}
    return Batch(lines, columns, records=numbers)  # type: ignore[arg-type]

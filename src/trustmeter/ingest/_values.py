"""Text from a file → typed canonical values, one column at a time (vectorised with Arrow).

Each converter returns the typed array, or a `Bad` that points at the first value it could not
read; the caller turns the earliest of them into an InputError with the file's line number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.ingest import _times
from trustmeter.records import SEVERITIES, Field

_NULL = pa.scalar(None, pa.string())
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
# 1,234.5 and 1,234,567 cannot be read any other way; 1,234 or 1,5 can, so they are refused.
_GROUPED = r"^[+-]?\d{1,3}((,\d{3}){2,}(\.\d+)?|(,\d{3})+\.\d+)$"
_INTEGER = r"^[+-]?\d+(\.0*)?$"
TRUE = ("true", "yes", "y", "1", "t")
FALSE = ("false", "no", "n", "0", "f")


@dataclass
class Bad:
    index: int
    problem: str
    expected: str
    hint: str | None = None


@dataclass
class Context:
    timezone: str
    date_format: str | None
    # Day or month first in numeric dates (3/17/2025): the mapping's date_order, and what
    # the file showed when that is "infer" (one per import).
    order: _times.Order = field(default_factory=_times.Order)


def clean(x: pa.Array, value_map: Mapping[str, str] | None, nulls: Sequence[str] = ()) -> pa.Array:
    """Trim, read the mapping's null words as empty, apply the field's value map
    (case-insensitive), and make empty values null."""
    x = pc.utf8_trim_whitespace(x)
    if nulls:
        words = pa.array([n.strip().lower() for n in nulls], pa.string())
        x = pc.if_else(pc.is_in(pc.utf8_lower(x), value_set=words), _NULL, x)
    if value_map:
        keys = pa.array([k.strip().lower() for k in value_map], pa.string())
        idx = pc.index_in(pc.utf8_lower(x), value_set=keys)
        mapped = pc.take(pa.array(list(value_map.values()), pa.string()), idx)
        x = pc.coalesce(pc.utf8_trim_whitespace(mapped), x)
    return pc.if_else(pc.equal(x, ""), _NULL, x)


def _first(mask: pa.Array) -> int:
    return int(pc.index(pc.fill_null(mask, False), True).as_py())


def _map_hint(f: Field, x: pa.Array, bad: int, canonical: str) -> str:
    value = str(x[bad].as_py()).replace('"', '\\"')
    return (
        f'to map it, add --value {f.name}:"{value}"={canonical} or a [values.{f.name}] entry '
        f'("{value}" = "{canonical}") in the mapping file'
    )


def convert(f: Field, x: pa.Array, ctx: Context) -> tuple[pa.Array, int] | Bad:
    """`x` is cleaned text. Returns (typed values, zoneless count) or the first bad value."""
    if f.type == "text":
        return x, 0
    if f.type in ("timestamp", "date"):
        return _time(f, x, ctx)
    if f.type in ("number", "integer"):
        return _number(f, x)
    if f.type == "bool":
        low = pc.utf8_lower(x)
        is_true = pc.is_in(low, value_set=pa.array(TRUE))
        is_false = pc.is_in(low, value_set=pa.array(FALSE))
        bad = _first(pc.and_(pc.is_valid(x), pc.invert(pc.or_(is_true, is_false))))
        if bad >= 0:
            return Bad(
                bad,
                "not a yes/no value",
                "true/false, yes/no, y/n or 1/0",
                _map_hint(f, x, bad, "true"),
            )
        return pc.if_else(is_true, True, pc.if_else(is_false, False, None)), 0
    if f.type == "enum":
        norm = pc.replace_substring_regex(pc.utf8_lower(x), r"[\s\-]+", "_")
        bad = _first(
            pc.and_(pc.is_valid(x), pc.invert(pc.is_in(norm, value_set=pa.array(f.choices))))
        )
        if bad >= 0:
            return Bad(
                bad,
                f"not a known {f.name}",
                "one of " + ", ".join(f.choices),
                _map_hint(f, x, bad, f.choices[0]),
            )
        return norm, 0
    if f.type == "severity":
        # "3 - Low": ServiceNow's choice labels lead with the level.
        up = pc.replace_substring_regex(pc.utf8_upper(x), r"^(P?[1-5])\s+-\s+\S.*$", r"\1")
        ok = pc.match_substring_regex(up, r"^P?[1-5]$")
        bad = _first(pc.and_(pc.is_valid(x), pc.invert(ok)))
        if bad >= 0:
            return Bad(
                bad,
                "not a severity",
                "P1 to P5 (or 1 to 5)",
                _map_hint(f, x, bad, SEVERITIES[0]),
            )
        return pc.binary_join_element_wise("P", pc.utf8_slice_codeunits(up, -1), ""), 0
    raise AssertionError(f.type)


def _time(f: Field, x: pa.Array, ctx: Context) -> tuple[pa.Array, int] | Bad:
    if f.type == "timestamp":
        parsed = _times.timestamps(x, ctx.timezone, ctx.date_format, ctx.order)
        expected = _times.ISO_EXPECTED
    else:
        parsed = _times.dates(x, ctx.date_format, ctx.order)
        expected = _times.DATE_EXPECTED
    if parsed.bad < 0:
        return parsed.values, parsed.zoneless
    if parsed.problem:
        return Bad(parsed.bad, parsed.problem, expected, parsed.hint)
    if ctx.date_format:
        expected = (
            f"the date format {ctx.date_format!r} (e.g. {_times.example(ctx.date_format)!r}), "
            f"or {expected}"
        )
        hint = "check date_format in the mapping file (or --date-format)"
    else:
        hint = (
            "for another format, set date_format in the mapping file or pass --date-format, "
            "e.g. '%d.%m.%Y %H:%M' or '%m/%d/%Y %H:%M'"
        )
    what = "date and time" if f.type == "timestamp" else "date"
    return Bad(parsed.bad, f"not a valid {what}", expected, hint)


def _number(f: Field, x: pa.Array) -> tuple[pa.Array, int] | Bad:
    grouped = pc.fill_null(pc.match_substring_regex(x, _GROUPED), False)
    x = pc.if_else(grouped, pc.replace_substring(x, ",", ""), x)
    if f.type == "integer":
        ok = pc.match_substring_regex(x, _INTEGER)
        expected = "a whole number such as 3"
    else:
        ok = pc.match_substring_regex(x, _NUMBER)
        expected = "a number such as 1234.5 (with a '.' for decimals)"
    bad = _first(pc.and_(pc.is_valid(x), pc.invert(ok)))
    if bad >= 0:
        value = x[bad].as_py() or ""
        if "," in value:
            return Bad(
                bad,
                "a number with a ',' that could be a decimal comma or a thousands separator",
                expected,
                f"re-export with '.' as the decimal point, or map the value in [values.{f.name}]",
            )
        return Bad(bad, "not a number" if f.type == "number" else "not a whole number", expected)
    if f.type == "integer":
        x = pc.replace_substring_regex(x, r"\.0*$", "")
    target = pa.int64() if f.type == "integer" else pa.float64()
    try:
        out = pc.cast(x, target)
    except pa.ArrowInvalid:
        return Bad(_times.first_failure(x, lambda p: pc.cast(p, target)), "too large", expected)
    if f.type == "number":
        bad = _first(pc.invert(pc.is_finite(out)))
        if bad >= 0:
            return Bad(bad, "too large", expected)
    for bound, op, word in ((f.minimum, pc.less, "≥"), (f.maximum, pc.greater, "≤")):
        if bound is None:
            continue
        bad = _first(op(out, bound))
        if bad >= 0:
            b = int(bound) if float(bound).is_integer() else bound
            return Bad(bad, "out of range", f"a number {word} {b}")
    return out, 0

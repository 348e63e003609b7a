"""What a row's values must be together, beyond each value on its own: fields derived from
others (resolved = opened + a duration), ids that must be mapped to names, and the orderings
and years that no real record breaks (resolved before opened, the year 9999).

An implausible value is refused with the same clear error as an unreadable one, because
accepted it would drop out of a metric without a word: an incident resolved before it opened
has no time to restore, and a placeholder year 9999 is not a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping as AnyMapping
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.ingest._mapping import ID_PATTERNS
from trustmeter.ingest._values import Bad
from trustmeter.records import RecordKind

# Years a canonical date may have: placeholders (0001-01-01, 9999-12-31) lie outside.
FIRST_YEAR = 1900
LAST_YEAR = 2199
# Pairs that must not run backwards, per record kind: (earlier, later, what the pair is).
ORDERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "incidents": (
        ("opened_at", "resolved_at", "an incident resolved before it opened"),
        ("impact_start", "impact_end", "an impact that ends before it starts"),
    ),
}
_UNITS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}
_SPOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(day|hour|minute|second)s?\b", re.IGNORECASE)
_EPOCH = re.compile(r"^1970-01-(\d\d)[ T](\d\d):(\d\d):(\d\d)$")


def seconds(text: str) -> float | None:
    """A duration as ServiceNow and others write it: 3600, "1970-01-01 01:00:00" (the Table
    API's raw value: a time after the epoch) or "2 Days 3 Hours 4 Minutes"; None if none."""
    t = text.strip()
    try:
        return float(t)
    except ValueError:
        pass
    if m := _EPOCH.match(t):
        d, h, mi, s = (int(g) for g in m.groups())
        return (d - 1) * 86400 + h * 3600 + mi * 60 + s
    found = _SPOKEN.findall(t)
    if found and not _SPOKEN.sub("", t).strip(" ,"):
        return sum(float(n) * _UNITS[u.lower()] for n, u in found)
    return None


def durations(raw: Sequence[str | None] | pa.Array) -> tuple[pa.Array, int]:
    """Durations in seconds (float), and the index of the first unreadable one (or -1)."""
    values = raw.to_pylist() if isinstance(raw, pa.Array) else list(raw)
    out: list[float | None] = []
    for i, v in enumerate(values):
        if v is None or not str(v).strip():
            out.append(None)
            continue
        s = seconds(str(v))
        if s is None or s < 0:
            return pa.nulls(len(values), pa.float64()), i
        out.append(s)
    return pa.array(out, pa.float64()), -1


DURATION_EXPECTED = 'a duration: seconds (3600), "1970-01-01 01:00:00" or "2 Days 3 Hours"'


def derived(base: pa.Array, secs: pa.Array) -> pa.Array:
    """`base` (timestamps) plus `secs` seconds, null where either is."""
    micros = pc.cast(pc.round(pc.multiply(secs, 1e6)), pa.int64())
    return pc.add(base, pc.cast(micros, pa.duration("us")))


def unmapped_id(field: str, x: pa.Array, kind: str) -> Bad | None:
    """A value that is still an id of `kind` after the value map: refused, never a name."""
    hit = pc.fill_null(pc.match_substring_regex(x, ID_PATTERNS[kind]), False)
    i = int(pc.index(hit, True).as_py())
    if i < 0:
        return None
    value = x[i].as_py()
    how = (
        "export with display values (the Table API with sysparm_display_value=all, which "
        "`trustmeter sync` uses, or a list export), or map each id"
        if kind == "sys_id"
        else "map each id to its name (the tool's API lists them, e.g. Opsgenie's GET /v1/services)"
    )
    return Bad(
        i,
        f"{field} is a {kind}, not a name: the export references it by id",
        f"the {field}'s name",
        f'{how}: --value {field}:"{value}"=NAME, or [values.{field}] "{value}" = "NAME" '
        "in the mapping file",
    )


def implausible(rk: RecordKind, arrays: AnyMapping[str, pa.Array]) -> list[tuple[int, str, Bad]]:
    """(row, field, why) for each check some row fails: the first failing row per check."""
    found: list[tuple[int, str, Bad]] = []
    lo, hi = dt.datetime(FIRST_YEAR, 1, 1), dt.datetime(LAST_YEAR + 1, 1, 1)
    for f in rk.fields:
        if f.type not in ("timestamp", "date") or f.name not in arrays:
            continue
        x = arrays[f.name]
        low, high = (lo, hi) if f.type == "timestamp" else (lo.date(), hi.date())
        out = pc.or_(pc.less(x, pa.scalar(low)), pc.greater_equal(x, pa.scalar(high)))
        i = int(pc.index(pc.fill_null(out, False), True).as_py())
        if i >= 0:
            found.append(
                (
                    i,
                    f.name,
                    Bad(
                        i,
                        f"the year {x[i].as_py().year} is not a real {f.name}",
                        f"a year from {FIRST_YEAR} to {LAST_YEAR} (an unknown date is left empty)",
                    ),
                )
            )
    for earlier, later, what in ORDERS.get(rk.kind, ()):
        if earlier not in arrays or later not in arrays:
            continue
        a, b = arrays[earlier], arrays[later]
        i = int(pc.index(pc.fill_null(pc.less(b, a), False), True).as_py())
        if i >= 0:
            found.append(
                (
                    i,
                    later,
                    Bad(
                        i,
                        f"{what}: {later} {b[i].as_py():%Y-%m-%d %H:%M} UTC is before "
                        f"{earlier} {a[i].as_py():%Y-%m-%d %H:%M} UTC",
                        f"a {later} at or after its {earlier}",
                        "check the two columns and their time zones",
                    ),
                )
            )
    return found

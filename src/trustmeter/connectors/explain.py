"""`trustmeter import … --explain`: which columns feed which field, which are left out and why,
and what every distinct value of a mapped field becomes.

It reads the files with the same reader, column plan and value conversion as the import, so
what it shows is what the import does; a value the import would refuse is shown with the
message and the `--value` that maps it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from trustmeter import records
from trustmeter.connectors.presets import Preset
from trustmeter.ingest import Mapping
from trustmeter.ingest.readers import (
    Bad,
    Context,
    DateOrder,
    Reader,
    clean,
    convert,
    normalise,
    resolve,
)

ROW_LIMIT = 200_000  # rows read per file; enough to see every value a real export uses
VALUE_LIMIT = 25  # distinct values shown per field


@dataclass
class ValueLine:
    raw: str
    count: int
    result: str  # the canonical value, or "" for empty
    error: str | None = None


@dataclass
class FileExplanation:
    file: str
    rows: int
    truncated: bool
    used: list[tuple[str, str, str]] = field(default_factory=list)  # field, column, why
    constants: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # field, mapped column
    ignored: list[tuple[str, str]] = field(default_factory=list)  # column, why
    values: dict[str, list[ValueLine]] = field(default_factory=dict)
    more_values: dict[str, int] = field(default_factory=dict)
    zoneless: dict[str, int] = field(default_factory=dict)
    names: dict[str, tuple[int, list[tuple[str, int]]]] = field(default_factory=dict)
    skipped: int = 0
    items: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Explanation:
    kind: str
    preset: Preset | None
    mapping: Mapping
    timezone: str
    files: list[FileExplanation]

    def as_dict(self) -> dict[str, Any]:
        p = self.preset
        return {
            "kind": self.kind,
            "preset": None if p is None else {"name": p.name, "title": p.title, "docs": p.docs},
            "timezone": self.timezone,
            "files": [
                {
                    "file": f.file,
                    "rows": f.rows,
                    "truncated": f.truncated,
                    "used": [{"field": a, "column": b, "why": c} for a, b, c in f.used],
                    "constants": dict(f.constants),
                    "missing": [{"field": a, "column": b} for a, b in f.missing],
                    "ignored": [{"column": a, "why": b} for a, b in f.ignored],
                    "items": dict(f.items),
                    "values": {k: [v.__dict__ for v in lines] for k, lines in f.values.items()},
                    "zoneless": f.zoneless,
                    "skipped": f.skipped,
                }
                for f in self.files
            ],
        }


def explain(
    kind: str,
    files: Sequence[Path],
    mapping: Mapping,
    open_file: Callable[[Path], Reader],
    timezone: str,
    preset: Preset | None = None,
    user_columns: dict[str, str] | None = None,
    date_format: str | None = None,
) -> Explanation:
    """`date_format` is the command line's --date-format, which wins over the mapping's."""
    rk = records.kind(kind)
    tz = mapping.timezone or timezone
    ctx = Context(tz, date_format or mapping.date_format, DateOrder(mapping.date_order))
    out = [_file(rk, path, mapping, open_file, ctx, preset, user_columns or {}) for path in files]
    return Explanation(rk.kind, preset, mapping, tz, out)


def _why_used(name: str, mapping: Mapping, preset: Preset | None, user: dict[str, str]) -> str:
    if name in user:
        return "your --map"
    if name in mapping.columns:
        return f"preset {preset.name}" if preset is not None else "the mapping file"
    return "same name as the field"


def _file(
    rk: records.RecordKind,
    path: Path,
    mapping: Mapping,
    open_file: Callable[[Path], Reader],
    ctx: Context,
    preset: Preset | None,
    user: dict[str, str],
) -> FileExplanation:
    reader = open_file(path)
    columns: list[str] = []
    raw: dict[str, list[str | None]] = {}
    rows = 0
    truncated = False
    skipped = 0
    try:
        header = reader.header()
        if header is not None:
            columns = list(header)
        for batch in reader.batches():
            n = len(batch)
            keep = _keep_mask(batch.columns, mapping, n)
            skipped += n - sum(keep)
            for c in batch.columns:
                if c not in columns:
                    columns.append(c)
            for c in columns:
                vals = batch.columns.get(c)
                col = raw.setdefault(c, [None] * rows)
                col.extend(v for v, k in zip(vals or [None] * n, keep, strict=True) if k)
            rows += sum(keep)
            if rows >= ROW_LIMIT:
                truncated = True
                break
    finally:
        reader.close()
    plan = resolve(rk, mapping, columns, str(path), line=None, delimiter=None, strict=False)
    fx = FileExplanation(str(path), rows, truncated, skipped=skipped)
    for f in rk.fields:
        if f.name in plan.fields:
            used_col = plan.fields[f.name]
            fx.used.append((f.name, used_col, _why_used(f.name, mapping, preset, user)))
        elif f.name in plan.constants:
            fx.constants.append((f.name, plan.constants[f.name]))
        elif mapping.columns.get(f.name):  # "" maps the field to no column on purpose
            fx.missing.append((f.name, mapping.columns[f.name]))
    fx.items = sorted(plan.items.items())
    used = set(plan.fields.values()) | set(plan.items.values())
    reasons = preset.ignored if preset is not None else {}
    for c in columns:
        if c in used:
            continue
        if c in reasons:
            why = reasons[c]
        elif c in mapping.keep:
            why = "only filters rows ([keep])"
        elif normalise(c) in rk.field_names and normalise(c) in plan.fields:
            why = f"{normalise(c)} is read from column {plan.fields[normalise(c)]!r} instead"
        elif rk.kind == "survey-responses":
            why = "not a survey item the questionnaire knows, nor a response field"
        else:
            why = f"no field of {rk.kind} reads it"
        fx.ignored.append((c, why))
    for f in rk.fields:
        column = plan.fields.get(f.name)
        if column is None:
            continue
        values = raw.get(column, [])
        if f.type == "timestamp":
            cleaned = clean(
                pa.array(values, pa.string()), mapping.values.get(f.name), mapping.nulls
            )
            out = convert(f, cleaned, ctx)
            if not isinstance(out, Bad) and out[1]:
                fx.zoneless[f.name] = out[1]
        if f.refers_to and f.name not in mapping.values:
            nulls = {n.strip().lower() for n in mapping.nulls}
            counts = Counter(
                v.strip() for v in values if v and v.strip() and v.strip().lower() not in nulls
            )
            fx.names[f.name] = (len(counts), counts.most_common(5))
        if f.type in ("enum", "severity", "bool") or f.name in mapping.values:
            _values(fx, f, values, mapping, ctx)
    return fx


def _keep_mask(columns: dict[str, Any], mapping: Mapping, n: int) -> list[bool]:
    mask = [True] * n
    for col, allowed in mapping.keep.items():
        wanted = {a.strip().casefold() for a in allowed}
        vals = columns.get(col) or [None] * n
        mask = [
            m and (v or "").strip().casefold() in wanted for m, v in zip(mask, vals, strict=True)
        ]
    return mask


def _values(
    fx: FileExplanation,
    f: records.Field,
    values: list[str | None],
    mapping: Mapping,
    ctx: Context,
) -> None:
    counts = Counter((v or "").strip() for v in values)
    lines: list[ValueLine] = []
    for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:VALUE_LIMIT]:
        cleaned = clean(pa.array([value], pa.string()), mapping.values.get(f.name), mapping.nulls)
        out = convert(f, cleaned, ctx)
        if isinstance(out, Bad):
            error = f"{out.problem}; expected {out.expected}" + (
                f". {out.hint}" if out.hint else ""
            )
            lines.append(ValueLine(value, count, "", error))
        else:
            result = out[0][0].as_py()
            lines.append(ValueLine(value, count, "" if result is None else str(result)))
    fx.values[f.name] = lines
    if len(counts) > VALUE_LIMIT:
        fx.more_values[f.name] = len(counts) - VALUE_LIMIT


def render(e: Explanation) -> str:
    """The explanation as plain text for the terminal."""
    out: list[str] = []
    if e.preset is not None:
        p = e.preset
        out.append(f"preset {p.name}: {p.title}")
        for d in p.docs:
            out.append(f"  vendor docs: {d}")
    out.append(f"time zone for timestamps written without one: {e.timezone}")
    for f in e.files:
        more = " (the first rows only)" if f.truncated else ""
        out.append(f"\n{f.file}: {f.rows:,} rows{more}")
        if f.skipped:
            out.append(f"  {f.skipped:,} rows left out by the [keep] filter")
        out.append("  columns used:")
        for name, col, why in f.used:
            out.append(f"    {name:<18} ← {col!r}  ({why})")
        for name, value in f.constants:
            out.append(f"    {name:<18} = {value!r}  (constant: the file has no column for it)")
        for name, col in f.missing:
            out.append(f"    {name:<18} ✗ column {col!r} is not in the file")
        if f.items:
            out.append("  survey items:")
            for item, col in f.items:
                out.append(f"    {item:<18} ← {col!r}")
        if f.ignored:
            out.append("  columns ignored:")
            for col, why in f.ignored:
                out.append(f"    {col!r}: {why}")
        for name, n in f.zoneless.items():
            out.append(f"  {name}: {n:,} values have no time zone and are read as {e.timezone}")
        for name, (n, top) in f.names.items():
            shown = ", ".join(f"{v} ×{c}" for v, c in top)
            out.append(f"  {name}: {n:,} distinct names ({shown})")
        for name, lines in f.values.items():
            out.append(f"  values of {name}:")
            for v in lines:
                shown = repr(v.raw) if v.raw else "(empty)"
                if v.error:
                    out.append(f"    {shown} ×{v.count} → ✗ {v.error}")
                else:
                    out.append(f"    {shown} ×{v.count} → {v.result or '(empty)'}")
            if name in f.more_values:
                out.append(f"    … and {f.more_values[name]:,} more distinct values")
            out.extend(_how_to_map(e.kind, name, [v.raw for v in lines if v.error]))
    return "\n".join(out)


def _how_to_map(kind: str, name: str, unknown: list[str]) -> list[str]:
    """For values a field does not know (a workspace's own words: localised Jira issue types,
    a custom priority scheme), how to map each, on the command line and for `sync`."""
    if not unknown:
        return []
    f = records.kind(kind).field(name)
    choices = ", ".join(f.choices or (records.SEVERITIES if f.type == "severity" else ()))
    first = unknown[0].replace('"', '\\"')
    out = [f"  to map your own {name} values, name the canonical one for each"]
    if choices:
        out[0] += f" ({choices})"
    out += [
        "    import: " + " ".join(f'--value {name}:"{u}"=…' for u in unknown[:3]),
        f'    mapping file or trustmeter.toml source ([sources.NAME.values.{name}]): "{first}" = "…"',
    ]
    return out

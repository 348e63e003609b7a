"""One batch of text rows → one canonical Arrow table, or the InputError for its first bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import pyarrow as pa
import pyarrow.compute as pc

from trustmeter.errors import InputError
from trustmeter.ingest import _checks, _surveys
from trustmeter.ingest._columns import Plan
from trustmeter.ingest._files import Batch
from trustmeter.ingest._mapping import Mapping
from trustmeter.ingest._values import Bad, Context, clean, convert
from trustmeter.records import RecordKind
from trustmeter.store.writer import arrow_type


@dataclass
class Converted:
    table: pa.Table
    zoneless: int
    lines: list[int]
    answers: pa.Table | None = None
    # field → how many of its values were derived ([derive]) rather than read
    derived: dict[str, int] = field(default_factory=dict)


@dataclass
class RowError(InputError):
    """The InputError for one row of a batch; `index` is the row's place in the batch, so an
    import that skips invalid rows knows which to leave out (every earlier row is valid)."""

    index: int = -1


def _text(batch: Batch, column: str, n: int) -> pa.Array:
    raw = batch.columns.get(column)
    if isinstance(raw, pa.Array):  # the fast CSV reader's columns are Arrow already
        return raw
    return pa.array(raw, pa.string()) if raw is not None else pa.nulls(n, pa.string())


def _combined(batch: Batch, columns: list[str], n: int, nulls: tuple[str, ...]) -> pa.Array:
    """The columns' non-empty values joined with " / " (null where all are empty)."""
    parts = [clean(_text(batch, c, n), None, nulls).to_pylist() for c in columns]
    # Arrow's binary_join_element_wise(null_handling="skip") drops rows that are all null.
    joined = [" / ".join(v for v in row if v) or None for row in zip(*parts, strict=True)]
    return pa.array(joined, pa.string())


def convert_batch(
    rk: RecordKind,
    plan: Plan,
    batch: Batch,
    mapping: Mapping,
    ctx: Context,
    file: str,
    questionnaire: ModuleType | None = None,
) -> Converted:
    n = len(batch)
    arrays: dict[str, pa.Array] = {}
    problems: list[tuple[int, int, str, Bad]] = []  # (row, field order, column, what)
    zoneless = 0
    for order, f in enumerate(rk.fields):
        if f.name in plan.fields:
            column = plan.fields[f.name]
            x = _text(batch, column, n)
        elif f.name in plan.constants:
            column = f"[defaults] {f.name}"
            x = pa.repeat(pa.scalar(plan.constants[f.name], pa.string()), n)
        else:
            continue
        if f.name in plan.combined:
            x = _combined(batch, plan.combined[f.name], n, mapping.nulls)
        x = clean(x, mapping.values.get(f.name), mapping.nulls)
        for other in plan.fallbacks.get(f.name, ()):
            x = pc.coalesce(
                x, clean(_text(batch, other, n), mapping.values.get(f.name), mapping.nulls)
            )
        if f.name in mapping.must_map and (
            unmapped := _checks.unmapped_id(f.name, x, mapping.must_map[f.name])
        ):
            problems.append((unmapped.index, order, column, unmapped))
            continue
        nul = int(pc.index(pc.fill_null(pc.match_substring(x, "\x00"), False), True).as_py())
        if nul >= 0:
            problems.append(
                (
                    nul,
                    order,
                    column,
                    Bad(
                        nul,
                        "the value contains a NUL character",
                        "text without NUL characters",
                        "a file full of NULs is usually UTF-16: pass --encoding utf-16 "
                        '(encoding = "utf-16" in the mapping file), or re-save it as UTF-8',
                    ),
                )
            )
            continue
        out = convert(f, x, ctx)
        if isinstance(out, Bad):
            problems.append((out.index, order, column, out))
            continue
        values, z = out
        if f.required:
            empty = int(pc.index(pc.is_null(values), True).as_py())
            if empty >= 0:
                problems.append(
                    (
                        empty,
                        order,
                        column,
                        Bad(empty, f"{f.name} is required but empty", f"a {f.name}"),
                    )
                )
                continue
        zoneless += z
        arrays[f.name] = values
    derived: dict[str, int] = {}
    order_of = {f.name: order for order, f in enumerate(rk.fields)}
    for name, (base, column) in plan.derived.items():
        if base not in arrays:
            continue
        secs, bad_at = _checks.durations(batch.columns[column])
        if bad_at >= 0:
            problems.append(
                (
                    bad_at,
                    order_of[name],
                    column,
                    Bad(bad_at, "not a duration", _checks.DURATION_EXPECTED),
                )
            )
            continue
        made = _checks.derived(arrays[base], secs)
        had = arrays.get(name)
        arrays[name] = made if had is None else pc.coalesce(had, made)
        fresh = pc.is_valid(made) if had is None else pc.and_(pc.is_null(had), pc.is_valid(made))
        derived[name] = int(pc.sum(fresh).as_py() or 0)
    for i, name, bad in _checks.implausible(rk, arrays):
        column = plan.fields.get(name) or (plan.derived[name][1] if name in plan.derived else name)
        problems.append((i, order_of[name], column, bad))
    if problems:
        i, _, column, bad = min(problems, key=lambda p: (p[0], p[1]))
        raw_value = batch.columns[column][i] if column in batch.columns else None
        if isinstance(raw_value, pa.Scalar):
            raw_value = raw_value.as_py()
        if column.startswith("[defaults]"):
            raw_value = plan.constants[column.split()[1]]
        raise RowError(
            file,
            bad.problem + batch.where(i),
            line=batch.lines[i],
            column=column,
            value=raw_value,
            expected=bad.expected,
            hint=bad.hint,
            index=i,
        )
    answers = None
    if rk.kind == "survey-responses":
        if "id" not in arrays:
            arrays["id"] = pa.array(_surveys.response_ids(batch), pa.string())
        ids = arrays["id"].to_pylist()
        answers = _surveys.answers(questionnaire, plan.items, batch, ids, file)
    table = pa.table(
        {f.name: arrays.get(f.name, pa.nulls(n, arrow_type(f.type))) for f in rk.fields}
    )
    return Converted(table, zoneless, batch.lines, answers, derived)

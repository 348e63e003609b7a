"""Which file column feeds which canonical field: the mapping first, then matching names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from trustmeter.errors import InputError
from trustmeter.ingest._mapping import Mapping
from trustmeter.records import RecordKind

_DELIMITERS = (";", "\t", "|", ",")
# The column that carries an id made by the mapping's id_from, beside the file's own.
GENERATED_ID = "(id made by id_from)"


def normalise(name: str) -> str:
    """'Opened At', 'opened-at' and 'OPENED_AT' all name the field opened_at."""
    return "_".join(name.strip().casefold().replace("-", " ").split())


@dataclass
class Plan:
    fields: dict[str, str] = field(default_factory=dict)  # field → file column
    constants: dict[str, str] = field(default_factory=dict)  # field → [defaults] value
    items: dict[str, str] = field(default_factory=dict)  # survey item → file column
    # field → the file's columns read, in order, where the field's own column is empty
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    # field → (the field it is computed from, the file's duration column)
    derived: dict[str, tuple[str, str]] = field(default_factory=dict)
    # field → the file's columns joined into it ([combine])
    combined: dict[str, list[str]] = field(default_factory=dict)
    # id_from's column names → the file's columns
    sources: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def _find(name: str, columns: Sequence[str]) -> str | None:
    if name in columns:
        return name
    want = normalise(name)
    return next((c for c in columns if normalise(c) == want), None)


def delimiter_hint(columns: Sequence[str], delimiter: str | None) -> str | None:
    """A header that is one long name full of ';' was split on the wrong delimiter."""
    if delimiter is None:
        return None
    counts = {d: sum(c.count(d) for c in columns) for d in _DELIMITERS if d != delimiter}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return None
    shown = "\\t" if best == "\t" else best
    return (
        f"the file looks {shown!r}-delimited: pass --delimiter '{shown}' "
        f'(or delimiter = "{shown}" in the mapping file)'
    )


def resolve(
    rk: RecordKind,
    mapping: Mapping,
    columns: Sequence[str],
    file: str,
    *,
    line: int | None,
    delimiter: str | None,
    strict: bool,
    is_item: Callable[[str], str | None] | None = None,
) -> Plan:
    """`strict`: a mapped or required column missing from `columns` is an error (it is not for
    later JSON batches, whose records may simply lack a key the first ones had)."""
    plan = Plan()
    listed = ", ".join(repr(c) for c in columns) or "(none)"
    hint = delimiter_hint(columns, delimiter)

    def missing(problem: str, column: str, expected: str, fix: str) -> InputError:
        return InputError(
            file,
            problem,
            line=line,
            column=column,
            expected=expected,
            hint=(hint + "; or " + fix) if hint else fix,
        )

    if mapping.id_from:
        plan.fields["id"] = GENERATED_ID
        for wanted in mapping.id_from if mapping.id_from != ("row",) else ():
            found = _find(wanted, columns)
            if found is None:
                if strict:
                    raise missing(
                        f"id_from names column {wanted!r}, which the file lacks",
                        wanted,
                        f"one of the file's columns: {listed}",
                        'fix id_from in the mapping file (e.g. id_from = ["Service", "Week"])',
                    )
                continue
            plan.sources[wanted] = found
    for f in rk.fields:
        if f.name in plan.fields:
            continue
        if f.name in mapping.columns:
            wanted = mapping.columns[f.name]
            if not wanted:  # mapped to no column: not read, even where a column has its name
                continue
            found = _find(wanted, columns)
            if found is None:
                if strict:
                    raise missing(
                        f"the mapping takes {f.name} from column {wanted!r}, which the file lacks",
                        wanted,
                        f"one of the file's columns: {listed}",
                        f'fix the mapping: --map {f.name}=COLUMN or [columns] {f.name} = "COLUMN"',
                    )
                continue
            plan.fields[f.name] = found
        elif (found := _find(f.name, columns)) is not None:
            plan.fields[f.name] = found
        elif f.name in mapping.defaults:
            plan.constants[f.name] = mapping.defaults[f.name]
    for name, wanted_list in mapping.fallbacks.items():
        found_list = [c for w in wanted_list if (c := _find(w, columns)) is not None]
        found_list = [c for c in dict.fromkeys(found_list) if c != plan.fields.get(name)]
        if name not in plan.fields and found_list:
            plan.fields[name] = found_list.pop(0)
        if found_list:
            plan.fallbacks[name] = found_list
    for name, wanted_list in mapping.combine.items():
        found_list = [c for w in wanted_list if (c := _find(w, columns)) is not None]
        if len(found_list) < len(wanted_list) and strict:
            lacking = next(w for w in wanted_list if _find(w, columns) is None)
            raise missing(
                f"[combine] takes {name} from column {lacking!r}, which the file lacks",
                lacking,
                f"one of the file's columns: {listed}",
                f"fix [combine] {name} in the mapping file",
            )
        if found_list:
            plan.fields[name] = found_list[0]
            plan.combined[name] = found_list
    for name, spec in mapping.derive.items():
        base, _, wanted = spec.partition("+")
        if (found := _find(wanted.strip(), columns)) is not None:
            plan.derived[name] = (base.strip(), found)
    absent = [
        name
        for name in rk.required
        if name not in plan.fields
        and name not in plan.constants
        and not (rk.kind == "survey-responses" and name == "id")  # hashed from the row
    ]
    if absent and strict:
        names = ", ".join(absent)
        raise missing(
            f"the file has no column for the required field{'s' if len(absent) > 1 else ''} {names}",
            absent[0],
            f"a column named {absent[0]!r}, or a mapping to one of the file's columns: {listed}",
            f'pass --map {absent[0]}=COLUMN (or [columns] {absent[0]} = "COLUMN" in the '
            "mapping file)",
        )
    used = set(plan.fields.values())
    used.update(c for cols in plan.fallbacks.values() for c in cols)
    used.update(c for _, c in plan.derived.values())
    used.update(plan.sources.values())
    used.update(c for cols in plan.combined.values() for c in cols)
    if rk.kind == "survey-responses":
        _items(plan, mapping, columns, used, file, line, strict, is_item, rk)
        used |= set(plan.items.values())
    plan.ignored = [c for c in columns if c not in used]
    return plan


def _items(
    plan: Plan,
    mapping: Mapping,
    columns: Sequence[str],
    used: set[str],
    file: str,
    line: int | None,
    strict: bool,
    is_item: Callable[[str], str | None] | None,
    rk: RecordKind,
) -> None:
    if mapping.items:
        for item, wanted in mapping.items.items():
            found = _find(wanted, columns)
            if found is None:
                if strict:
                    raise InputError(
                        file,
                        f"the mapping takes item {item} from column {wanted!r}, which the file lacks",
                        line=line,
                        column=wanted,
                        expected="one of the file's columns: "
                        + ", ".join(repr(c) for c in columns),
                        hint="fix [items] in the mapping file",
                    )
                continue
            plan.items[item] = found
        return
    fields = set(rk.field_names)
    for c in columns:
        if c in used or normalise(c) in fields:
            continue
        found = is_item(c) if is_item is not None else normalise(c)
        if found is not None:
            plan.items[found] = c

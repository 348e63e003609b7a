"""The mapping file: how one source's export names and spells the canonical fields.

A mapping is plain data. `Mapping.load` reads and checks a TOML file, `merged` layers the
CLI's `--map`/`--value` overrides on top, and `check` compares it with the kind being imported.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from trustmeter.errors import ConfigError
from trustmeter.records import RecordKind

_SCALARS = (
    "kind",
    "source",
    "timezone",
    "date_format",
    "date_order",
    "delimiter",
    "sheet",
    "encoding",
    "pick",
)
# How numeric dates with the year last (3/17/2025) are read without a date_format.
DATE_ORDERS = ("infer", "day-first", "month-first")
_TABLES = (
    "columns",
    "values",
    "defaults",
    "items",
    "keep",
    "fallbacks",
    "must_map",
    "derive",
    "split",
    "combine",
)
_LISTS = ("nulls", "notes", "id_from")
# [must_map] kinds: an id a tool writes where a name belongs, which must be mapped to a name.
ID_PATTERNS = {
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "sys_id": r"^[0-9a-f]{32}$",
}


def _text(value: object) -> str:
    """TOML allows `"High" = 2` or `planned = true`; every value is read as text first."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Mapping:
    """Canonical field ↔ file column, value maps, defaults and reading options for one source."""

    # The single-valued options (kind, source, timezone...), which `merged` accepts by name.
    SCALARS: ClassVar[tuple[str, ...]] = _SCALARS

    kind: str | None = None
    source: str | None = None
    timezone: str | None = None
    date_format: str | None = None
    # One of DATE_ORDERS: "infer" lets the file's own values say (3/17/2025 is month first).
    date_order: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    # Row filter: column -> the values a row must have there to be imported (others are skipped,
    # e.g. a Jira export holding every issue type when only production issues are incidents).
    keep: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # field -> further columns read, in order, where the field's own column is empty
    # (a change's deployed time: the actual end, else the planned end, else when it closed).
    fallbacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # field -> columns whose non-empty values are joined with " / " into the field (a cause
    # spread over Category and Subcategory).
    combine: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # field -> an id kind of ID_PATTERNS: a value of that shape left unmapped is refused, so a
    # service is never created under a UUID or a sys_id for a name.
    must_map: dict[str, str] = field(default_factory=dict)
    # field -> "FIELD + COLUMN": where the field is empty, the other (converted) field plus the
    # column's duration (seconds, or ServiceNow's "1970-01-01 02:00:00" and "2 Days 3 Hours").
    derive: dict[str, str] = field(default_factory=dict)
    # An export without ids: "row" (file name and line), or the columns whose hash is the id.
    id_from: tuple[str, ...] = ()
    # field -> separator: one record per value of a multi-valued column (ids get "/VALUE").
    split: dict[str, str] = field(default_factory=dict)
    # A snapshot export's rows of one key: "first", "last" (the default), "earliest FIELD"
    # or "latest FIELD" wins.
    pick: str | None = None
    # Texts read as empty, whatever the field ("null" in a file Excel re-saved).
    nulls: tuple[str, ...] = ()
    # Said in the import summary: what this mapping reads differently from the plain columns.
    notes: tuple[str, ...] = ()
    # Where it came from, for error messages; "" for a mapping built in code.
    path: str = ""

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"mapping file {p} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read mapping file {p}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"mapping file {p} is not valid TOML: {exc}") from exc
        return cls.from_dict(raw, str(p))

    @classmethod
    def from_dict(cls, raw: AnyMapping[str, Any], path: str = "<mapping>") -> Mapping:
        scalars: dict[str, str] = {}
        tables: dict[str, Any] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for key, value in raw.items():
            if key in _LISTS:
                value = value if isinstance(value, list) else [value]
                if any(isinstance(v, dict | list) for v in value):
                    raise ConfigError(f"mapping file {path}: {key} must be a list of texts")
                lists[key] = tuple(_text(v) for v in value)
            elif key in _SCALARS:
                if not isinstance(value, str):
                    raise ConfigError(f"mapping file {path}: {key} must be a string, not {value!r}")
                scalars[key] = value
            elif key in _TABLES:
                if not isinstance(value, dict):
                    raise ConfigError(f"mapping file {path}: [{key}] must be a table")
                tables[key] = value
            else:
                known = ", ".join((*_SCALARS, *_LISTS, *(f"[{t}]" for t in _TABLES)))
                raise ConfigError(f"mapping file {path}: unknown key {key!r} (known: {known})")
        values: dict[str, dict[str, str]] = {}
        for name, table in tables.get("values", {}).items():
            if not isinstance(table, dict):
                raise ConfigError(
                    f"mapping file {path}: values.{name} must be a table such as "
                    f'[values.{name}] "value in the file" = "canonical value"'
                )
            values[name] = {str(k): _text(v) for k, v in table.items()}
        keep: dict[str, tuple[str, ...]] = {}
        for col, allowed in tables.get("keep", {}).items():
            allowed = allowed if isinstance(allowed, list) else [allowed]
            if not allowed or any(isinstance(v, dict | list) for v in allowed):
                raise ConfigError(
                    f"mapping file {path}: keep.{col} must be a value or a list of values"
                )
            keep[str(col)] = tuple(_text(v) for v in allowed)
        lists_of: dict[str, dict[str, tuple[str, ...]]] = {"fallbacks": {}, "combine": {}}
        for t, out in lists_of.items():
            for name, cols in tables.get(t, {}).items():
                cols = cols if isinstance(cols, list) else [cols]
                if not cols or any(isinstance(c, dict | list) for c in cols):
                    raise ConfigError(
                        f"mapping file {path}: {t}.{name} must be a column or a list of columns"
                    )
                out[str(name)] = tuple(str(c) for c in cols)
        flat: dict[str, dict[str, str]] = {}
        for t in ("columns", "defaults", "items", "must_map", "derive", "split"):
            flat[t] = {}
            for k, v in tables.get(t, {}).items():
                if isinstance(v, dict | list):
                    raise ConfigError(f"mapping file {path}: {t}.{k} must be a single value")
                flat[t][str(k)] = _text(v)
        m = cls(
            **scalars,  # type: ignore[arg-type]
            values=values,
            keep=keep,
            fallbacks=lists_of["fallbacks"],
            combine=lists_of["combine"],
            path=path,
            **flat,  # type: ignore[arg-type]
            **lists,  # type: ignore[arg-type]
        )
        m._check_scalars()
        return m

    def merged(
        self,
        columns: AnyMapping[str, str] | None = None,
        values: AnyMapping[str, AnyMapping[str, str]] | None = None,
        defaults: AnyMapping[str, str] | None = None,
        items: AnyMapping[str, str] | None = None,
        **options: str | None,
    ) -> Mapping:
        """A copy with overrides on top (the CLI's --map, --value and option flags win)."""
        unknown = set(options) - set(_SCALARS)
        if unknown:
            raise TypeError(f"unknown mapping option(s): {sorted(unknown)}")
        new_values = {k: dict(v) for k, v in self.values.items()}
        for name, table in (values or {}).items():
            new_values.setdefault(name, {}).update(table)
        scalars: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        m = replace(
            self,
            columns={**self.columns, **(columns or {})},
            values=new_values,
            defaults={**self.defaults, **(defaults or {})},
            items={**self.items, **(items or {})},
            **scalars,
        )
        m._check_scalars()
        return m

    def check(self, rk: RecordKind) -> None:
        """Every field the mapping names must belong to the kind being imported."""
        where = f"mapping file {self.path}" if self.path else "mapping"
        # `work_items` (the table's name) and `work-items` (the command's) are one kind.
        if self.kind is not None and self.kind.replace("_", "-") != rk.kind.replace("_", "-"):
            raise ConfigError(
                f"{where} is for {self.kind}, but {rk.kind} are being imported: "
                f"use a mapping made for {rk.kind}, or import the file as "
                f"`trustmeter import {self.kind.replace('_', '-')} FILE`"
            )
        fields = ", ".join(rk.field_names)
        named: tuple[tuple[str, list[str]], ...] = (
            ("columns", list(self.columns)),
            ("values", list(self.values)),
            ("defaults", list(self.defaults)),
            ("fallbacks", list(self.fallbacks)),
            ("must_map", list(self.must_map)),
            ("derive", list(self.derive)),
            ("split", list(self.split)),
            ("combine", list(self.combine)),
        )
        for table, names in named:
            for name in names:
                if name not in rk.field_names:
                    raise ConfigError(
                        f"{where}: [{table}] names {name!r}, which is not a field of "
                        f"{rk.kind} (fields: {fields})"
                    )
        for name, spec in self.derive.items():
            base, _ = derive_parts(spec, where, name)
            if base not in rk.field_names or rk.field(base).type != "timestamp":
                raise ConfigError(
                    f"{where}: derive.{name} = {spec!r} must start from a date-time field of "
                    f'{rk.kind}, e.g. "opened_at + calendar_duration"'
                )
            if rk.field(name).type != "timestamp":
                raise ConfigError(f"{where}: derive.{name}: {name} is not a date-time field")
        if (self.id_from or self.split) and "id" not in rk.field_names:
            raise ConfigError(f"{where}: id_from and [split] need a kind with ids, not {rk.kind}")
        for name in self.combine:
            if name in self.columns or rk.field(name).type != "text":
                raise ConfigError(
                    f"{where}: [combine] {name}: only a text field not also in [columns] "
                    "can be combined from several columns"
                )
        if self.id_from and "id" in self.columns:
            raise ConfigError(f"{where}: give the id either in [columns] or by id_from, not both")
        if len(self.split) > 1:
            raise ConfigError(f"{where}: [split] takes one multi-valued field per import")
        if self.split and self.id_from == ("row",):
            raise ConfigError(
                f'{where}: [split] with id_from = "row" would give one id to several '
                "records: take the id from a column or a hash of columns"
            )
        if self.items and rk.kind != "survey-responses":
            raise ConfigError(f"{where}: [items] is only for survey-responses, not {rk.kind}")

    def _check_scalars(self) -> None:
        where = f"mapping file {self.path}" if self.path else "mapping"
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise ConfigError(
                f"{where}: date_order must be one of {', '.join(DATE_ORDERS)}, "
                f"not {self.date_order!r}"
            )
        for name, kind in self.must_map.items():
            if kind not in ID_PATTERNS:
                raise ConfigError(
                    f"{where}: must_map.{name} = {kind!r}: expected one of {', '.join(ID_PATTERNS)}"
                )
        for name, spec in self.derive.items():
            derive_parts(spec, where, name)
        if self.delimiter is not None and len(delimiter_char(self.delimiter)) != 1:
            raise ConfigError(
                f"{where}: delimiter must be one character (or 'tab'), not {self.delimiter!r}"
            )


def derive_parts(spec: str, where: str, name: str) -> tuple[str, str]:
    """ "opened_at + calendar_duration" → ("opened_at", "calendar_duration")."""
    base, plus, column = spec.partition("+")
    if not plus or not base.strip() or not column.strip():
        raise ConfigError(
            f'{where}: derive.{name} = {spec!r}: expected "FIELD + DURATION_COLUMN", '
            'e.g. resolved_at = "opened_at + calendar_duration"'
        )
    return base.strip(), column.strip()


def delimiter_char(value: str) -> str:
    """Accept the spellings people type on a command line for a tab."""
    return "\t" if value in ("tab", "\\t", "TAB") else value

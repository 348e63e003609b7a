"""Built-in presets: a packaged mapping per tool and record kind, so a vendor's own export
imports with `--format NAME` and no mapping work.

A preset is a TOML file in `presets/`, in the mapping-file format of docs/importing.md, plus a
`[preset]` table that says what it reads and why. Two things go beyond a plain mapping file:
a `[columns]` entry may list alternatives (`opened_at = ["opened_at", "Opened"]`: a ServiceNow
CSV names fields, its Excel export labels them), and `reader`/`prepare` name a small transform
in the vendor's module for shapes a flat mapping cannot read (nested JSON, a calendar, a git
repository). The user's `--mapping`, `--map` and `--value` are layered on top.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from trustmeter import records
from trustmeter.connectors._readers import ReadOptions
from trustmeter.errors import ConfigError
from trustmeter.ingest import Mapping
from trustmeter.ingest.readers import Reader, normalise

ReaderFn = Callable[[Path, ReadOptions], Reader]
PrepareFn = Callable[[Mapping, Sequence[str], Path], Mapping]
_META = ("tool", "vendor", "title", "formats", "docs", "reader", "prepare", "notes", "ignored")


@dataclass(frozen=True)
class Preset:
    name: str  # "servicenow-incidents"
    tool: str  # "servicenow": what --format accepts beside the full name
    vendor: str  # "ServiceNow"
    kind: str
    title: str
    formats: tuple[str, ...]
    docs: tuple[str, ...]
    notes: str
    # column -> why the preset leaves it out (shown by --explain)
    ignored: dict[str, str]
    raw: dict[str, Any] = field(repr=False)
    reader: str | None = None  # "pagerduty:csv_reader", in trustmeter.connectors
    prepare: str | None = None

    def mapping(self, columns: Sequence[str] | None = None) -> Mapping:
        """The preset as a Mapping; with the file's `columns`, alternatives pick the one present."""
        raw = dict(self.raw)
        rk = records.kind(self.kind)
        cols: dict[str, str] = {}
        for fname, spec in raw.get("columns", {}).items():
            options = spec if isinstance(spec, list) else [spec]
            found = _pick(options, columns) if columns is not None else options[0]
            # An export may leave out any optional column (list views are configurable): the
            # field is then simply not read, rather than the import refused.
            if found is not None:
                cols[fname] = found
            elif fname in rk.required or fname not in rk.field_names:
                cols[fname] = options[0]
        # A column the preset ignores is not read even where it bears a field's name (a
        # deployment's created_at is when its job was created, not when the change was):
        # mapping the field to no column stops the importer's same-name matching.
        for column in self.ignored:
            fname = normalise(column)
            if fname in rk.field_names and fname not in cols:
                cols[fname] = ""
        raw["columns"] = cols
        keep: dict[str, Any] = {}
        for spec, allowed in raw.get("keep", {}).items():
            options = spec.split("|")
            found = _pick(options, columns) if columns is not None else options[0]
            if found is not None:
                keep[found] = allowed
        raw["keep"] = keep
        return Mapping.from_dict(raw, f"preset {self.name}")

    def open(self, path: Path, opts: ReadOptions) -> Reader | None:
        """The preset's own reader for `path`, or None where the importer's reader serves."""
        if self.reader is None:
            return None
        fn: ReaderFn = _function(self.reader, self.name)
        return fn(path, opts)

    def prepared(self, mapping: Mapping, columns: Sequence[str], path: Path) -> Mapping:
        if self.prepare is None:
            return mapping
        fn: PrepareFn = _function(self.prepare, self.name)
        return fn(mapping, columns, path)


def _pick(options: Sequence[str], columns: Sequence[str]) -> str | None:
    have = {normalise(c) for c in columns}
    for o in options:
        if o in columns or normalise(o) in have:
            return o
    return None


def _function(spec: str, preset: str) -> Any:
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(f"trustmeter.connectors.{module}"), name)
    except (ImportError, AttributeError) as exc:  # a packaging mistake, not a user's
        raise ConfigError(f"preset {preset}: cannot load its transform {spec!r}: {exc}") from exc


def _parse(name: str, text: str) -> Preset:
    where = f"preset {name}"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from exc
    meta = raw.pop("preset", {})
    unknown = set(meta) - set(_META)
    if unknown:
        raise ConfigError(f"{where}: unknown [preset] key(s) {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in records.BY_KIND:
        raise ConfigError(f"{where}: kind must be one of {', '.join(records.BY_KIND)}")
    p = Preset(
        name=name,
        tool=str(meta.get("tool", name.split("-")[0])),
        vendor=str(meta.get("vendor", name)),
        kind=kind,
        title=str(meta.get("title", "")),
        formats=tuple(meta.get("formats", ())),
        docs=tuple(meta.get("docs", ())),
        notes=str(meta.get("notes", "")).strip(),
        ignored={str(k): str(v) for k, v in meta.get("ignored", {}).items()},
        raw=raw,
        reader=meta.get("reader"),
        prepare=meta.get("prepare"),
    )
    p.mapping().check(records.kind(kind))  # a broken preset fails loudly, in tests too
    return p


_CACHE: dict[str, Preset] = {}


def list_presets() -> list[Preset]:
    """Every built-in preset, by name."""
    if not _CACHE:
        folder = resources.files("trustmeter.connectors").joinpath("presets")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                name = entry.name.removesuffix(".toml")
                _CACHE[name] = _parse(name, entry.read_text("utf-8"))
    return list(_CACHE.values())


def get_preset(name: str, kind: str) -> Preset:
    """The preset `name` for `kind`: a full name ("servicenow-incidents") or a tool
    ("servicenow") that has exactly one preset for the kind."""
    every = {p.name: p for p in list_presets()}
    kind = records.kind(kind).kind
    key = name.strip().lower()
    if key in every:
        p = every[key]
        if p.kind != kind:
            raise ConfigError(
                f"the preset {p.name} reads {p.kind}, not {kind}: "
                f"import it as `trustmeter import {p.kind} FILE --format {p.name}`"
            )
        return p
    if f"{key}-{kind}" in every:
        return every[f"{key}-{kind}"]
    same_tool = [p for p in every.values() if p.tool == key]
    fits = [p for p in same_tool if p.kind == kind]
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        names = "; ".join(f"{p.name} ({p.title})" for p in fits)
        raise ConfigError(
            f"{key} has {len(fits)} presets for {kind}: {names}. Name one, e.g. --format {fits[0].name}"
        )
    if same_tool:
        kinds = ", ".join(f"{p.kind} ({p.name})" for p in same_tool)
        raise ConfigError(f"{key} has no preset for {kind}; it has presets for {kinds}")
    raise ConfigError(
        f"unknown format {name!r}; `trustmeter presets` lists them: " + ", ".join(sorted(every))
    )


def load_preset(name: str, kind: str) -> Mapping:
    """The preset as a plain Mapping (its first column alternatives)."""
    return get_preset(name, kind).mapping()

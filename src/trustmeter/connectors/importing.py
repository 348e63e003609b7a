"""Import files through a preset: the preset's mapping (fitted to the file's columns), the
user's mapping file, --map and --value on top, and the preset's reader where it has one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from trustmeter import records
from trustmeter.connectors._readers import ReadOptions, standard
from trustmeter.connectors.presets import Preset, get_preset
from trustmeter.ingest import ImportOptions, ImportResult, Mapping, import_files
from trustmeter.ingest.readers import Reader
from trustmeter.store import Store


def layered(base: Mapping, top: Mapping | None) -> Mapping:
    """`top` (a user's mapping file) over `base` (a preset): every entry of `top` wins."""
    if top is None:
        return base
    scalars = {k: getattr(top, k) for k in Mapping.SCALARS if getattr(top, k) is not None}
    m = base.merged(
        columns=top.columns, values=top.values, defaults=top.defaults, items=top.items, **scalars
    )
    if top.keep:
        m = replace(m, keep=dict(top.keep))
    m = replace(
        m,
        fallbacks={**m.fallbacks, **top.fallbacks},
        must_map={**m.must_map, **top.must_map},
        derive={**m.derive, **top.derive},
        nulls=tuple(dict.fromkeys((*m.nulls, *top.nulls))),
        notes=(*m.notes, *top.notes),
        split={**m.split, **top.split},
        combine={**m.combine, **top.combine},
        id_from=top.id_from or m.id_from,
    )
    return replace(m, path=f"{base.path} + {top.path}" if top.path else base.path)


def read_options(mapping: Mapping, opts: ImportOptions) -> ReadOptions:
    return ReadOptions(
        encoding=opts.encoding or mapping.encoding,
        delimiter=opts.delimiter or mapping.delimiter,
        sheet=opts.sheet or mapping.sheet,
    )


def opener(preset: Preset | None, ropts: ReadOptions) -> Callable[[Path], Reader]:
    def open_(path: Path) -> Reader:
        reader = preset.open(path, ropts) if preset is not None else None
        return reader if reader is not None else standard(path, ropts)

    return open_


def columns_of(reader: Reader) -> list[str]:
    """The file's columns: its header, or the keys of its first batch of records."""
    try:
        header = reader.header()
        if header is not None:
            return list(header)
        for batch in reader.batches():
            return list(batch.columns)
        return []
    finally:
        reader.close()


def fitted(
    preset: Preset,
    files: Sequence[Path],
    user: Mapping | None,
    overrides: Mapping | None,
    opts: ImportOptions,
) -> Mapping:
    """The mapping for these files: the preset fitted to the first file's columns, then the
    user's mapping file, then the command line's --map/--value (`overrides`)."""
    base = preset.mapping()
    first = files[0] if files else None
    if first is not None and first.exists():
        ropts = read_options(layered(base, user), opts)
        cols = columns_of(opener(preset, ropts)(first))
        base = preset.prepared(preset.mapping(cols), cols, first)
    m = layered(layered(base, user), overrides)
    m.check(records.kind(preset.kind))
    return m


def import_preset(
    store: Store,
    kind: str,
    files: Sequence[str | Path],
    preset: str | Preset,
    options: ImportOptions | None = None,
    user: Mapping | None = None,
    overrides: Mapping | None = None,
) -> ImportResult:
    """`import_files` with a preset: `trustmeter import KIND FILE --format NAME`.

    `user` is a mapping file given with --mapping; `overrides` carries --map/--value (and
    --timezone) as a Mapping layered last. Everything else works as `import_files` does.
    """
    p = get_preset(preset, kind) if isinstance(preset, str) else preset
    opts = options or ImportOptions()
    paths = [Path(f) for f in files]
    mapping = fitted(p, paths, user, overrides, opts)
    reader = opener(p, read_options(mapping, opts)) if p.reader else None
    return import_files(store, kind, paths, replace(opts, mapping=mapping, reader=reader))

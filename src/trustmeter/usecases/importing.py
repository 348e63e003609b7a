"""One import, however it is asked for: `trustmeter import`, the demo, and tests.

The request says which files, which kind, and how to read them: a built-in preset
(`--format`), a mapping file, --map/--value overrides, options. The answer is the import's
summary and, when asked, the explanation of which columns are used and what each value maps
to. All files are imported in one transaction (see `trustmeter.ingest.import_files`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trustmeter.connectors.explain import Explanation
from trustmeter.connectors.explain import explain as explain_files
from trustmeter.connectors.importing import fitted, layered, opener, read_options
from trustmeter.connectors.presets import get_preset
from trustmeter.ingest import ImportOptions, ImportResult, Mapping, import_files
from trustmeter.store import Store
from trustmeter.workspace import Workspace

# rows read, bytes read, bytes in all: for a progress bar
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class ImportRequest:
    kind: str
    files: tuple[Path, ...]
    preset: str | None = None  # --format: a built-in preset or a tool's name
    mapping_file: Path | None = None  # --mapping
    columns: dict[str, str] = field(default_factory=dict)  # --map FIELD=COLUMN
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # --value
    timezone: str | None = None  # beats the mapping file's zone, which beats the workspace's
    source: str | None = None
    date_format: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    dry_run: bool = False
    explain: bool = False
    encoding: str | None = None  # --encoding: of CSV/TSV/JSON files
    skip_invalid: bool = False  # write the valid rows, list the refused ones in `rejects`
    rejects: Path | None = None


@dataclass(frozen=True)
class ImportOutcome:
    result: ImportResult
    explained: Explanation | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.explained is None:
            return self.result.as_dict()
        return {"explain": self.explained.as_dict(), "import": self.result.as_dict()}


def import_records(
    ws: Workspace,
    req: ImportRequest,
    progress: Progress | None = None,
    explained_first: Callable[[Explanation], None] | None = None,
    store: Store | None = None,
) -> ImportOutcome:
    """Import `req.files` into the workspace's database, in one transaction.

    With `req.explain`, `explained_first` gets the explanation before anything is read for
    the import: it is most useful when the import then fails. `store` is an open connection
    to import through (the web app's pool, under its write lock), left open; without it the
    workspace's database is opened for the import and closed after.
    """
    opts = ImportOptions(
        source=req.source,
        timezone=ws.timezone,
        date_format=req.date_format,
        delimiter=req.delimiter,
        sheet=req.sheet,
        encoding=req.encoding,
        dry_run=req.dry_run,
        skip_invalid=req.skip_invalid,
        rejects=req.rejects,
        progress=progress,
    )
    files = list(req.files)
    user = Mapping.load(req.mapping_file) if req.mapping_file else None
    explained = None
    if req.preset is None and not req.explain:
        # A mapping file and the command line's overrides, merged in place.
        mapping = user or Mapping()
        if req.columns or req.values or req.timezone:
            mapping = mapping.merged(columns=req.columns, values=req.values, timezone=req.timezone)
        opts = replace(opts, mapping=mapping)
    else:
        overrides = Mapping().merged(columns=req.columns, values=req.values, timezone=req.timezone)
        preset = get_preset(req.preset, req.kind) if req.preset else None
        if preset is not None:
            mapping = fitted(preset, files, user, overrides, opts)
        else:
            mapping = layered(layered(Mapping(), user), overrides)
        open_file = opener(preset, read_options(mapping, opts))
        if req.explain:
            explained = explain_files(
                req.kind,
                files,
                mapping,
                open_file,
                ws.timezone,
                preset,
                req.columns,
                req.date_format,
            )
            if explained_first is not None:
                explained_first(explained)
        reader = open_file if preset is not None and preset.reader else None
        opts = replace(opts, mapping=mapping, reader=reader)
    if store is not None:
        return ImportOutcome(import_files(store, req.kind, files, opts), explained)
    own = ws.open()
    try:
        return ImportOutcome(import_files(own, req.kind, files, opts), explained)
    finally:
        own.close()


def summary(kind: str, r: ImportResult) -> str:
    """The import's result in a few lines a person reads."""
    verb = "would import" if r.dry_run else "imported"
    lines = [
        f"{verb} {r.rows_read:,} {kind} rows from {len(r.files)} file(s) as source {r.source!r}: "
        f"{r.inserted:,} inserted, {r.updated:,} updated, {r.unchanged:,} unchanged"
    ]
    if r.skipped:
        lines.append(f"  {r.skipped:,} rows were left out by the mapping's [keep] filter")
    if r.duplicates_in_file:
        lines.append(
            f"  {r.duplicates_in_file:,} rows repeated a record already in the file; the last was kept"
        )
    if r.zoneless:
        lines.append(f"  {r.zoneless:,} timestamps had no time zone and were read as {r.timezone}")
    if r.stubs:
        lines.append(
            f"  {r.stubs:,} services/teams/people named but not yet in the catalogue were created as stubs"
        )
    for name, count in r.derived.items():
        lines.append(f"  {count:,} {name} values were computed by the mapping's [derive]")
    if r.rejected:
        lines.append(f"  {r.rejected:,} invalid rows were refused, each listed in {r.rejects_file}")
    lines.extend(f"  {note}" for note in r.notes)
    if r.dry_run:
        lines.append("  dry run: nothing was written")
    return "\n".join(lines)


def sample_rows(
    ws: Workspace, req: ImportRequest, limit: int = 5
) -> tuple[list[str], list[list[str | None]]]:
    """The first rows of the request's first file, as its reader (the preset's, or the plain
    one) sees them: the sample the dashboard's upload preview shows beside the explanation."""
    preset = get_preset(req.preset, req.kind) if req.preset else None
    user = Mapping.load(req.mapping_file) if req.mapping_file else None
    opts = ImportOptions(
        timezone=ws.timezone, delimiter=req.delimiter, sheet=req.sheet, encoding=req.encoding
    )
    reader = opener(preset, read_options(layered(Mapping(), user), opts))(req.files[0])
    try:
        for batch in reader.batches():
            columns = list(batch.columns)
            shown = range(min(limit, len(batch)))
            return columns, [[batch.columns[c][i] for c in columns] for i in shown]
        return [], []
    finally:
        reader.close()

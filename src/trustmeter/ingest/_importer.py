"""Import files of one record kind: read, convert and write them in one transaction.

Rows stream through in batches, so memory stays bounded whatever the file's size: each batch
is converted with Arrow (read one batch ahead in a thread, _ahead.py) and written with
`writer.write` a row group at a time (_pending.py).
All writes share one transaction, so one bad value anywhere leaves the database untouched;
with skip_invalid, a bad row is left out and listed in the rejects file instead (_rows.py).
A mapping's pick other than "last" holds every row until the end, to choose among a key's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa

from trustmeter import records
from trustmeter.errors import ConfigError, InputError
from trustmeter.ingest import _rows, _surveys, _times
from trustmeter.ingest._ahead import ReadAhead
from trustmeter.ingest._columns import Plan, resolve
from trustmeter.ingest._convert import Converted, RowError, convert_batch
from trustmeter.ingest._fastcsv import FastDelimitedReader, NotPlain
from trustmeter.ingest._files import Batch, Reader, check_exists, file_format
from trustmeter.ingest._json import JsonReader
from trustmeter.ingest._mapping import Mapping, delimiter_char
from trustmeter.ingest._options import ImportOptions, ImportResult
from trustmeter.ingest._pending import WRITE_ROWS, Pending, flush, origins_of
from trustmeter.ingest._text import DelimitedReader
from trustmeter.ingest._values import Context
from trustmeter.ingest._xlsx import XlsxReader
from trustmeter.records import RecordKind
from trustmeter.store.database import Store
from trustmeter.store.importlog import ImportCounts, log_import
from trustmeter.store.writer import source_ids

BATCH_ROWS = 20_000
# DuckDB's own memory during an import (it spills beyond this); its default is 80 % of RAM,
# which a 2-million-row import's checkpoint would reach for. `TRUSTMETER_IMPORT_MEMORY`
# overrides it, e.g. "2GB".
IMPORT_MEMORY = os.environ.get("TRUSTMETER_IMPORT_MEMORY", "512MB")
# Only big imports are capped: the cap is DuckDB's, for the whole database, so a small upload
# in the web app should not squeeze the scorecards being computed beside it.
CAP_FROM_BYTES = 64 << 20


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that it rolls back after counting."""


@dataclass
class _Settings:
    rk: RecordKind
    mapping: Mapping
    ctx: Context
    delimiter: str | None
    sheet: str | None
    encoding: str | None
    questionnaire: ModuleType | None
    reader: Callable[[Path], Reader] | None = None
    skip_invalid: bool = False
    # The rows refused under skip_invalid, in file order.
    rejects: list[RowError] = field(default_factory=list)
    # Plain CSV/TSV goes through Arrow's reader first (see _fastcsv); off after it gave up.
    fast: bool = True


def import_files(
    store: Store, kind: str, files: Sequence[str | Path], options: ImportOptions | None = None
) -> ImportResult:
    """Import `files` as records of `kind` ("incidents"), all or nothing."""
    opts = options or ImportOptions()
    try:
        rk = records.kind(kind)
    except KeyError:
        raise ConfigError(
            f"unknown record kind {kind!r}: one of {', '.join(records.BY_KIND)}"
        ) from None
    mapping = opts.mapping
    mapping.check(rk)
    timezone = mapping.timezone or opts.timezone
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {timezone!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None
    delimiter = opts.delimiter or mapping.delimiter
    if delimiter is not None:
        mapping.merged(delimiter=delimiter)  # checks it is one character
    _rows.pick_parts(mapping, rk)  # a wrong pick fails before any file is read
    questionnaire = _surveys.questionnaire() if rk.kind == "survey-responses" else None
    _surveys.check_items(questionnaire, list(mapping.items), mapping.path or "mapping")
    settings = _Settings(
        rk,
        mapping,
        Context(
            timezone,
            opts.date_format or mapping.date_format,
            _times.Order(mapping.date_order),
        ),
        delimiter_char(delimiter) if delimiter else None,
        opts.sheet or mapping.sheet,
        opts.encoding or mapping.encoding,
        questionnaire,
        opts.reader,
        opts.skip_invalid,
        fast=opts.reader is None and questionnaire is None and not mapping.keep,
    )
    paths = [Path(f) for f in files]
    for p in paths:
        if opts.reader is None:
            check_exists(p)
            file_format(p)
        elif not p.exists():
            raise InputError(str(p), "the file does not exist")
    big = sum(p.stat().st_size for p in paths) >= CAP_FROM_BYTES
    with store.memory_capped(IMPORT_MEMORY) if big else contextlib.nullcontext():
        try:
            result = _attempt(store, settings, paths, opts)
        except NotPlain:
            # The fast reader met something only the exact reader can explain (or read
            # right); the transaction has rolled back, so start again with the exact reader.
            settings.fast = False
            result = _attempt(store, settings, paths, opts)
        if opts.skip_invalid:
            path = opts.rejects or Path(f"{rk.kind}-rejects.csv")
            _rows.write_rejects(settings.rejects, path)
            result.rejects_file = str(path)
        if not opts.dry_run:
            # Write the import into the database file now, under the cap, rather than at
            # whatever later moment the connection closes without one.
            store.checkpoint()
    return result


def _attempt(
    store: Store, settings: _Settings, paths: list[Path], opts: ImportOptions
) -> ImportResult:
    result = ImportResult(
        kind=settings.rk.kind,
        source=opts.source or settings.mapping.source or "default",
        files=[str(p) for p in paths],
        dry_run=opts.dry_run,
        timezone=settings.ctx.timezone,
        notes=list(settings.mapping.notes),
    )
    settings.ctx.order.reset()  # a retry with the exact reader starts afresh
    settings.rejects.clear()
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if opts.dry_run:
        try:
            with store.transaction():
                _run(store, settings, paths, opts, result, started)
                raise _DryRun
        except _DryRun:
            pass
    else:
        with store.transaction():
            _run(store, settings, paths, opts, result, started)
    return result


def _run(
    store: Store,
    s: _Settings,
    paths: list[Path],
    opts: ImportOptions,
    result: ImportResult,
    started: dt.datetime,
) -> None:
    pending = Pending()
    total = sum(p.stat().st_size for p in paths)
    done_bytes = 0
    for path in paths:
        reader = _open(path, s)
        converted = _converted(path, reader, s, result)
        # A file is read one batch ahead in a thread; a connector's reader (API pages) is not.
        ahead = ReadAhead(converted, depth=1) if s.reader is None else None
        try:
            for batch in ahead or converted:
                result.rows_read += len(batch.table)
                result.zoneless += batch.zoneless
                for name, count in batch.derived.items():
                    result.derived[name] = result.derived.get(name, 0) + count
                pending.remember(s.rk, batch.table)
                pending.tables.append(batch.table)
                pending.origins.append(origins_of(path, batch.lines))
                if batch.answers is not None:
                    pending.answers.append(batch.answers)
                if pending.rows >= WRITE_ROWS and s.mapping.pick in (None, "last"):
                    flush(store, s.rk, pending, result, last=False)
                if opts.progress is not None:
                    opts.progress(result.rows_read, done_bytes + reader.bytes_read(), total)
            said = getattr(reader, "notes", None)
            if callable(said):
                result.notes.extend(f"{path.name}: {note}" for note in said())
        finally:
            if ahead is not None:
                ahead.close()  # the reading stops before its file is closed
            reader.close()
        done_bytes += path.stat().st_size
        if opts.progress is not None:
            opts.progress(result.rows_read, done_bytes, total)
    if s.mapping.pick not in (None, "last") and pending.tables:
        # Every row of the import is waiting: keep the one that wins for each key.
        how, by = _rows.pick_parts(s.mapping, s.rk)
        table = pa.concat_tables(pending.tables)
        keep = pa.array(_rows.picked(table, source_ids(s.rk, table), how, by))
        pending.tables = [table.take(keep)]
        pending.origins = [pa.concat_arrays(pending.origins).take(keep)]
    flush(store, s.rk, pending, result)
    result.duplicates_in_file = pending.duplicates()
    counts = ImportCounts(
        kind=result.kind,
        source=result.source,
        files=result.files,
        rows_read=result.rows_read,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        zoneless=result.zoneless,
    )
    log_import(store, counts, started)


def _open(path: Path, s: _Settings) -> Reader:
    if s.reader is not None:
        return s.reader(path)
    fmt, compression = file_format(path)
    if fmt in ("csv", "tsv"):
        delimiter = s.delimiter or ("\t" if fmt == "tsv" else ",")
        fast = _fast_reader(path, delimiter, s.encoding) if s.fast and not compression else None
        return fast or DelimitedReader(path, compression, delimiter, s.encoding, BATCH_ROWS)
    if fmt in ("json", "ndjson"):
        return JsonReader(path, compression, s.encoding, BATCH_ROWS, ndjson=fmt == "ndjson")
    return XlsxReader(path, s.sheet, BATCH_ROWS)


def _fast_reader(path: Path, delimiter: str, encoding: str | None) -> FastDelimitedReader | None:
    """Arrow's reader for a plain file, or None when the file needs the exact reader."""
    try:
        return FastDelimitedReader(path, delimiter, encoding)
    except NotPlain:
        return None


def _converted(
    path: Path, reader: Reader, s: _Settings, result: ImportResult
) -> Iterator[Converted]:
    file = str(path)
    # A delimited reader (or a connector's reader around one) says its delimiter and the line
    # its header is on, for the wrong-delimiter hint and the header's line in errors.
    delimiter: str | None = getattr(reader, "delimiter", None)
    is_item = _surveys.item_finder(s.questionnaire)
    header = reader.header()
    plan: Plan | None = None
    columns: list[str] = []
    if header is not None:
        line = int(getattr(reader, "header_line", 1))
        plan = resolve(
            s.rk,
            s.mapping,
            header,
            file,
            line=line,
            delimiter=delimiter,
            strict=True,
            is_item=is_item,
        )
        columns = header
    for batch in reader.batches():
        if s.mapping.keep:
            batch = kept_rows(batch, s.mapping, file, result)
            if not len(batch):
                continue
        new = [c for c in batch.columns if c not in columns]
        if plan is None or new:
            # JSON records may bring keys the earlier ones lacked.
            first = plan is None
            columns = columns + new
            plan = resolve(
                s.rk,
                s.mapping,
                columns,
                file,
                line=batch.lines[0] if first else None,
                delimiter=None,
                strict=first,
                is_item=is_item,
            )
        batch = _rows.split(
            _rows.with_ids(batch, s.mapping, plan.sources, file), s.mapping, plan.fields
        )
        convert = functools.partial(_convert_one, s=s, plan=plan, file=file)

        if s.skip_invalid:
            before = len(s.rejects)
            yield from _rows.valid(batch, convert, s.rejects)
            result.rejected += len(s.rejects) - before
        else:
            yield convert(batch)
    if plan is not None and plan.ignored:
        result.ignored_columns[file] = plan.ignored


def _convert_one(batch: Batch, *, s: _Settings, plan: Plan, file: str) -> Converted:
    return convert_batch(s.rk, plan, batch, s.mapping, s.ctx, file, s.questionnaire)


def kept_rows(batch: Batch, mapping: Mapping, file: str, result: ImportResult) -> Batch:
    """Only the rows whose `[keep]` columns hold one of the listed values (trimmed, any case)."""
    mask = np.ones(len(batch), dtype=bool)
    for col, allowed in mapping.keep.items():
        if col not in batch.columns:
            raise InputError(
                file,
                f"the [keep] filter names column {col!r}, which the file does not have",
                column=col,
                expected=f"one of the file's columns: {', '.join(batch.columns)}",
            )
        wanted = {a.strip().casefold() for a in allowed}
        values = batch.columns[col]
        mask &= np.fromiter(
            ((v or "").strip().casefold() in wanted for v in values), dtype=bool, count=len(batch)
        )
    if mask.all():
        return batch
    idx = [int(i) for i in np.flatnonzero(mask)]
    result.skipped += len(batch) - len(idx)
    return Batch(
        lines=[batch.lines[i] for i in idx],
        columns={c: [v[i] for i in idx] for c, v in batch.columns.items()},
        records=[batch.records[i] for i in idx] if batch.records is not None else None,
    )

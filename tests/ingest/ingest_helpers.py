"""Helpers for the importer tests: import files, and look at the whole database."""

from __future__ import annotations

from pathlib import Path

from trustmeter import records
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions, ImportResult, Mapping, import_files
from trustmeter.store import Store

TABLES = [k.table for k in records.KINDS] + [records.TEAM_TABLE, "survey_answer", "import_log"]


def counts(store: Store) -> dict[str, int]:
    """Rows per table: "the database is unchanged" means these are equal before and after."""
    return {t: int(store.scalar(f'SELECT count(*) FROM "{t}"')) for t in TABLES}


def run(
    store: Store, kind: str, *paths: Path, mapping: Mapping | None = None, **opts: object
) -> ImportResult:
    options = ImportOptions(mapping=mapping or Mapping(), **opts)  # type: ignore[arg-type]
    return import_files(store, kind, list(paths), options)


def check_error(
    err: InputError,
    path: Path,
    *,
    line: int | None,
    column: str | None,
    value: str | None,
    expected: str,
) -> None:
    """The message names the file, the line, the column, the value and what was expected."""
    msg = str(err)
    assert err.file == str(path) and str(path) in msg
    assert err.line == line
    if line is not None:
        assert f"line {line}" in msg
    assert err.column == column
    if column is not None:
        assert repr(column) in msg
    assert err.value == value
    if value is not None:
        assert repr(value if len(value) <= 80 else value[:77] + "...") in msg
    assert err.expected is not None and expected in err.expected
    assert expected in msg

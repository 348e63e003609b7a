"""What an import is asked to do, and what it reports back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from trustmeter.ingest._files import Reader
from trustmeter.ingest._mapping import Mapping

# done_rows, bytes read so far (all files), total bytes (all files)
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    """Options of one import call. A value given here wins over the mapping file's, except
    `timezone`, which is the workspace's default and so yields to the mapping's."""

    mapping: Mapping = field(default_factory=Mapping)
    source: str | None = None
    timezone: str = "UTC"
    date_format: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    # Import the valid rows and list each refused row, with its reason, in `rejects` (a CSV)
    # instead of refusing the whole import at the first bad value.
    skip_invalid: bool = False
    rejects: Path | None = None
    progress: Progress | None = None
    # Opens each file instead of the reader its extension picks: a connector's reader for a
    # vendor's shape (nested JSON, .ics, a git repository) that yields the same text batches.
    reader: Callable[[Path], Reader] | None = None


@dataclass
class ImportResult:
    """The import summary. With `dry_run`, the counts are what a real run would have done."""

    kind: str
    source: str
    files: list[str]
    dry_run: bool = False
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # Timestamps that carried no zone and were read in `timezone`.
    zoneless: int = 0
    timezone: str = "UTC"
    # Rows whose key repeated an earlier row of the same import (the last one wins).
    duplicates_in_file: int = 0
    # Records created from a name (a service, team, person...) that has no record of its own.
    stubs: int = 0
    # Rows left out by the mapping's [keep] filter.
    skipped: int = 0
    # Survey answers written (survey-responses only).
    answers: int = 0
    # Per file, the columns that fed no field.
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    # Rows refused under skip_invalid, and the file that lists them.
    rejected: int = 0
    rejects_file: str | None = None
    # Per field, the values computed by the mapping's [derive] (resolved = opened + duration).
    derived: dict[str, int] = field(default_factory=dict)
    # What the reader or the mapping read differently, said in the summary: a field taken
    # from another column, a repeated header label, an export cut at a tool's row limit.
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

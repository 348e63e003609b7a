"""Readers that turn exports (CSV, TSV, JSON, NDJSON, XLSX) into canonical records, atomically.

    from trustmeter.ingest import Mapping, ImportOptions, import_files
    result = import_files(store, "incidents", [path], ImportOptions(mapping=Mapping.load(m)))

docs/importing.md describes the mapping file and how each kind of value is read.
"""

from trustmeter.ingest._importer import import_files
from trustmeter.ingest._mapping import Mapping
from trustmeter.ingest._options import ImportOptions, ImportResult, Progress

__all__ = ["ImportOptions", "ImportResult", "Mapping", "Progress", "import_files"]

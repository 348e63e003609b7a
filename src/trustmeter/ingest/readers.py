"""The importer's reader interface for connectors: the one module outside `ingest/` may import.

Connectors feed the importer (`trustmeter.ingest.import_files`) through its `reader` option,
and the API sync converts each page with the importer's own column plan and value conversion,
so a record arriving by file or by API is read by exactly the same code. Naming here exactly
what connectors use, and nothing more, keeps `ingest/`'s private modules free to change: an
ingest refactor has to keep this list working and may move everything behind it.
"""

from __future__ import annotations

from trustmeter.ingest._columns import normalise, resolve
from trustmeter.ingest._convert import convert_batch
from trustmeter.ingest._files import Batch, Reader, file_format
from trustmeter.ingest._importer import BATCH_ROWS, kept_rows
from trustmeter.ingest._json import JsonReader
from trustmeter.ingest._mapping import delimiter_char
from trustmeter.ingest._text import DelimitedReader
from trustmeter.ingest._times import Order as DateOrder
from trustmeter.ingest._values import Bad, Context, clean, convert
from trustmeter.ingest._xlsx import XlsxReader

__all__ = [
    "BATCH_ROWS",
    "Bad",
    "Batch",
    "Context",
    "DateOrder",
    "DelimitedReader",
    "JsonReader",
    "Reader",
    "XlsxReader",
    "clean",
    "convert",
    "convert_batch",
    "delimiter_char",
    "file_format",
    "kept_rows",
    "normalise",
    "resolve",
]

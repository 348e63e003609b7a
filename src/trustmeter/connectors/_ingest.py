"""Everything the connectors borrow from the importer's private modules, in one place.

Connectors feed the importer (`trustmeter.ingest.import_files`) through its `reader` option,
and the API sync converts each page with the importer's own column plan and value conversion,
so a record arriving by file or by API is read by exactly the same code. Importing those
internals here, and nowhere else, means an ingest refactor breaks one file.
"""

from __future__ import annotations

from trustmeter.ingest._columns import Plan, normalise, resolve
from trustmeter.ingest._convert import Converted, convert_batch
from trustmeter.ingest._files import Batch, Reader, file_format
from trustmeter.ingest._importer import BATCH_ROWS, _kept
from trustmeter.ingest._json import JsonReader, flatten
from trustmeter.ingest._mapping import delimiter_char
from trustmeter.ingest._surveys import item_finder, questionnaire
from trustmeter.ingest._text import DelimitedReader
from trustmeter.ingest._times import Order as DateOrder
from trustmeter.ingest._values import Bad, Context, clean, convert
from trustmeter.ingest._xlsx import XlsxReader

kept = _kept

__all__ = [
    "BATCH_ROWS",
    "Bad",
    "Batch",
    "Context",
    "Converted",
    "DateOrder",
    "DelimitedReader",
    "JsonReader",
    "Plan",
    "Reader",
    "XlsxReader",
    "clean",
    "convert",
    "convert_batch",
    "delimiter_char",
    "file_format",
    "flatten",
    "item_finder",
    "kept",
    "normalise",
    "questionnaire",
    "resolve",
]

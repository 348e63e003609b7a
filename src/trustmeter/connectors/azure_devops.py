"""Azure DevOps Boards: work items from a query's CSV export or the REST API's JSON.

The CSV export of a query names columns by their display names ("ID", "Work Item Type",
"Created Date"...). The REST API (work items batch, or a `$expand=fields` list) returns
{"value": [{"id", "fields": {"System.WorkItemType": ...}}]}; `to_row` writes it with the
display names, so both go through the preset azure-devops-work-items. The team is the last
part of the area path ("Fabrikam\\Web" → "Web"), which is how most organisations give a team
its own area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from trustmeter.connectors._readers import (
    DerivedReader,
    ReadOptions,
    RecordsReader,
    Row,
    standard,
    text,
)
from trustmeter.errors import InputError
from trustmeter.ingest import Mapping as Mapping_
from trustmeter.ingest.readers import Reader, file_format

# Reference name → the display name the CSV export uses.
FIELDS = {
    "System.Id": "ID",
    "System.WorkItemType": "Work Item Type",
    "System.Title": "Title",
    "System.State": "State",
    "System.AreaPath": "Area Path",
    "System.IterationPath": "Iteration Path",
    "System.CreatedDate": "Created Date",
    "System.Tags": "Tags",
    "Microsoft.VSTS.Common.ActivatedDate": "Activated Date",
    "Microsoft.VSTS.Common.ResolvedDate": "Resolved Date",
    "Microsoft.VSTS.Common.ClosedDate": "Closed Date",
    "Microsoft.VSTS.Common.ValueArea": "Value Area",
    "Microsoft.VSTS.Scheduling.DueDate": "Due Date",
    "Microsoft.VSTS.Scheduling.TargetDate": "Target Date",
    "Microsoft.VSTS.Scheduling.CompletedWork": "Completed Work",
}
DERIVED = ("Team (from Area Path)",)


def derive(row: Row) -> Row:
    area = (row.get("Area Path") or "").strip()
    return {"Team (from Area Path)": area.replace("/", "\\").rsplit("\\", 1)[-1] or None}


def to_row(item: Mapping[str, Any]) -> Row:
    fields = item.get("fields") or {}
    row: Row = {"ID": text(item.get("id"))}
    for ref, label in FIELDS.items():
        if ref in fields:
            v = fields[ref]
            row[label] = text(v.get("displayName") if isinstance(v, dict) else v)
    row.update(derive(row))
    return row


# The date columns the preset reads, as the query editor's "Column options" names them.
DATES = ("Created Date", "Activated Date", "Closed Date", "Resolved Date")


def prepare(mapping: Mapping_, columns: Sequence[str], path: Path) -> Mapping_:
    """Refuse, with the columns to add, an export that has no date column at all: a query's
    default columns (ID, Work Item Type, Title, Assigned To, State, Tags) carry none, and
    without Created Date no work item can be placed in time."""
    if columns and not any("date" in c.casefold() for c in columns):
        shown = ", ".join(repr(c) for c in columns)
        raise InputError(
            str(path),
            f"the export has no date columns (it has {shown}), as a query's default columns do not",
            line=1,
            expected=f"the columns {', '.join(DATES)} (Created Date is required)",
            hint="in Azure Boards open the query, Column options → add "
            f"{', '.join(DATES)}, save the query, then Export to CSV again",
        )
    return mapping


def reader(path: Path, opts: ReadOptions) -> Reader:
    fmt, _ = file_format(path)
    if fmt in ("json", "ndjson"):
        return RecordsReader(path, to_row, opts.encoding)
    return DerivedReader(
        standard(path, opts), DERIVED, derive, {"Team (from Area Path)": ["Area Path"]}
    )

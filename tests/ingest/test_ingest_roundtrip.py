"""Hypothesis: canonical records written to each format and imported come back unchanged."""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell import WriteOnlyCell

from trustmeter.ingest import ImportOptions, import_files
from trustmeter.store import connect, migrate

FIELDS = [
    "id",
    "created_at",
    "kind",
    "planned",
    "started_at",
    "due_on",
    "effort_hours",
    "title",
    "team",
]
KINDS = ("incident", "request", "story", "bug", "task", "epic", "change")
# Text with the characters that break naive writers: quotes, delimiters, line breaks, unicode.
_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
        st.sampled_from([" ", ",", ";", '"', "'", "\n", "\r", "\t", "|", "\u2028", "é", "😀"]),
    ),
    max_size=40,
)
_ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", min_size=1, max_size=12)
_zones = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)
_times = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=_zones
)


@st.composite
def work_item(draw: st.DrawFn, id: str) -> dict[str, Any]:
    return {
        "id": id,
        "created_at": draw(_times),
        "kind": draw(st.none() | st.sampled_from(KINDS)),
        "planned": draw(st.none() | st.booleans()),
        "started_at": draw(st.none() | _times),
        "due_on": draw(st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31))),
        "effort_hours": draw(st.none() | st.floats(0, 1e12, allow_nan=False, allow_infinity=False)),
        "title": draw(st.none() | _text),
        "team": draw(st.none() | _ids),
    }


records = st.lists(_ids, min_size=1, max_size=8, unique=True).flatmap(
    lambda ids: st.tuples(*(work_item(i) for i in ids))
)


def _expected(r: dict[str, Any]) -> tuple[Any, ...]:
    def utc(t: datetime | None) -> datetime | None:
        if t is None:
            return None
        return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t

    title = (r["title"] or "").strip() or None
    return (
        r["id"],
        utc(r["created_at"]),
        r["kind"],
        r["planned"],
        utc(r["started_at"]),
        r["due_on"],
        r["effort_hours"],
        title,
        r["team"],
    )


def _text_value(k: str, v: Any) -> str:
    """The way an export would spell the value (empty for none)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Yes" if v else "no"
    if isinstance(v, datetime):
        return v.isoformat(sep=" " if v.microsecond % 2 else "T")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    if k == "kind":
        return v.capitalize()  # type: ignore[no-any-return]
    return str(v)


def _write(fmt: str, rows: tuple[dict[str, Any], ...], path: Path) -> None:
    if fmt in ("csv", "tsv"):
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t" if fmt == "tsv" else ",")
            w.writerow(FIELDS)
            for r in rows:
                w.writerow([_text_value(k, r[k]) for k in FIELDS])
    elif fmt in ("json", "ndjson"):

        def native(k: str, v: Any) -> Any:
            return _text_value(k, v) if isinstance(v, datetime | date) else v

        objs = [{k: native(k, r[k]) for k in FIELDS if r[k] is not None} for r in rows]
        if fmt == "json":
            path.write_text(json.dumps(objs, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            path.write_text(
                "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8"
            )
    else:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("records")
        ws.append(FIELDS)
        for r in rows:
            cells: list[Any] = []
            for k in FIELDS:
                v = r[k]
                # Excel's own date cells hold no zone and about millisecond precision.
                native = isinstance(v, datetime) and v.tzinfo is None and v.microsecond == 0
                value = v if native or v is None or isinstance(v, float) else _text_value(k, v)
                if isinstance(value, str) and value.startswith("="):
                    # Text that looks like a formula: Excel stores it as text when typed
                    # with a leading apostrophe; openpyxl would write a formula instead.
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"
                    value = cell
                cells.append(value)
            ws.append(cells)
        wb.save(path)


def _roundtrip(fmt: str, rows: tuple[dict[str, Any], ...]) -> None:
    if fmt == "xlsx":
        # Excel keeps 15 significant digits of a number, and XML turns a carriage return into \n.
        rows = tuple(
            {
                **r,
                "effort_hours": _excel(r["effort_hours"]),
                "title": r["title"] and r["title"].replace("\r", "\n"),
            }
            for r in rows
        )
    store = connect("duckdb:///:memory:")
    migrate(store)
    try:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / f"items.{fmt}"
            _write(fmt, rows, path)
            result = import_files(store, "work-items", [path], ImportOptions(timezone="UTC"))
            again = import_files(store, "work-items", [path], ImportOptions(timezone="UTC"))
        got = store.fetch(
            f"SELECT {', '.join(repr_col(c) for c in FIELDS)} FROM work_item ORDER BY id"
        )
        want = sorted((_expected(r) for r in rows), key=lambda t: t[0])
        assert [tuple(g) for g in got] == want
        assert (result.inserted, again.unchanged, again.updated) == (len(rows), len(rows), 0)
        assert result.zoneless == sum(
            1 for r in rows for k in ("created_at", "started_at") if r[k] and not r[k].tzinfo
        )
    finally:
        store.close()


def _excel(v: float | None) -> float | None:
    return None if v is None else float(f"{v:.15g}")


def repr_col(c: str) -> str:
    return f'"{c}"'


_settings = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(records)
def test_csv_roundtrip(rows: tuple[dict[str, Any], ...]) -> None:
    _roundtrip("csv", rows)


@_settings
@given(records)
def test_tsv_roundtrip(rows: tuple[dict[str, Any], ...]) -> None:
    _roundtrip("tsv", rows)


@_settings
@given(records)
def test_json_roundtrip(rows: tuple[dict[str, Any], ...]) -> None:
    _roundtrip("json", rows)


@_settings
@given(records)
def test_ndjson_roundtrip(rows: tuple[dict[str, Any], ...]) -> None:
    _roundtrip("ndjson", rows)


@_settings
@given(records)
def test_xlsx_roundtrip(rows: tuple[dict[str, Any], ...]) -> None:
    _roundtrip("xlsx", rows)

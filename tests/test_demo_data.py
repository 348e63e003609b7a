"""The demo organisation's export files: deterministic, readable through their presets and
mappings, and telling the story docs/demo.md promises. These tests read the files with
csv/json/openpyxl, or with the preset's own reader for a tool's export (nested JSON, .ics),
and apply the mapping by hand, never through the importer, so they pin the demo data on its
own.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import time
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from trustmeter.connectors.importing import fitted, opener, read_options
from trustmeter.connectors.presets import get_preset
from trustmeter.demo import ImportSpec, generate
from trustmeter.ingest import ImportOptions, Mapping
from trustmeter.ingest.readers import normalise
from trustmeter.records import BY_KIND

TODAY = date(2026, 10, 1)
YEAR_ONE, YEAR_TWO = date(2024, 10, 1), date(2025, 10, 1)  # the story's two years
BERLIN = ZoneInfo("Europe/Berlin")
CATALOGUE = ("services", "people", "stakeholders", "objectives")
# Survey responses get an id from a hash of the row when the form export has none.
HASHED_ID = {"survey-responses": {"id"}}
# The tools' own exports, read by the built-in presets (`import --format`), as issue 3 asks.
PRESETS = {
    "cmdb_services.csv": "servicenow-services",
    "bamboohr_employees.csv": "bamboohr-people",
    "servicenow_change_requests.csv": "servicenow-changes",
    "github_deployments.json": "github-deployments",
    "servicenow_incidents.csv": "servicenow-incidents",
    "jira_issues.csv": "jira-work-items",
    "outlook_calendar_e1001.ics": "ical-engagements",
    "google_forms_stakeholder-2024-11.csv": "google-forms-survey-responses",
    "google_forms_team-2024-12.csv": "google-forms-survey-responses",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ImportSpec], float]:
    out = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    specs = generate(out, seed=7, today=TODAY)
    return out, specs, time.perf_counter() - started


@pytest.fixture(scope="module")
def specs(demo: tuple[Path, list[ImportSpec], float]) -> list[ImportSpec]:
    return demo[1]


def _preset_mapping(spec: ImportSpec) -> Mapping:
    """The preset fitted to the file's columns, the spec's mapping file on top: what
    `trustmeter import KIND FILES --format PRESET --mapping FILE` reads the files with."""
    assert spec.preset is not None
    user = Mapping.load(spec.mapping) if spec.mapping else None
    preset = get_preset(spec.preset, spec.kind)
    return fitted(preset, spec.files, user, None, ImportOptions(timezone="Europe/Berlin"))


def _mapping(spec: ImportSpec) -> dict[str, Any]:
    if spec.preset is not None:
        m = _preset_mapping(spec)
        # the importer matches a preset's column names loosely ("Due date" finds "Due Date")
        header = {normalise(c): c for c in _header(spec)}
        table = {
            "kind": m.kind,
            "source": m.source,
            "timezone": m.timezone,
            # a field mapped to no column ("") is one the preset ignores: not read
            "columns": {f: header.get(normalise(c), c) for f, c in m.columns.items() if c},
            "values": m.values,
            "defaults": m.defaults,
            "items": m.items,
        }
        if m.date_format:
            table["date_format"] = m.date_format
        return table
    assert spec.mapping is not None
    with spec.mapping.open("rb") as f:
        return tomllib.load(f)


def _rows(spec: ImportSpec, path: Path | None = None) -> list[dict[str, Any]]:
    """Every export as a list of dicts, whatever its format; a tool's export as its preset's
    reader gives it (nested JSON flattened, calendar events one row per attendee)."""
    path = path or spec.files[0]
    if spec.preset is not None:
        preset = get_preset(spec.preset, spec.kind)
        reader = opener(preset, read_options(_preset_mapping(spec), ImportOptions()))(path)
        out = []
        try:
            for batch in reader.batches():
                for i in range(len(batch)):
                    out.append({c: v[i] for c, v in batch.columns.items()})
        finally:
            reader.close()
        return out
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    if path.suffix == ".json":
        return list(json.loads(path.read_text("utf-8")))
    if path.suffix == ".ndjson":
        return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        values = list(wb.active.iter_rows(values_only=True))
        wb.close()
        header = [str(h) for h in values[0]]
        return [dict(zip(header, row, strict=True)) for row in values[1:]]
    raise AssertionError(f"unexpected export format: {path}")


def _header(spec: ImportSpec) -> list[str]:
    path = spec.files[0]
    if path.suffix == ".csv" and spec.preset is None:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return next(csv.reader(f))
    return list(_rows(spec)[0])


def _spec(specs: list[ImportSpec], kind: str, name_part: str = "") -> ImportSpec:
    found = [s for s in specs if s.kind == kind and name_part in s.files[0].name]
    assert len(found) == 1, f"expected one {kind} spec matching {name_part!r}, got {found}"
    return found[0]


def _records(spec: ImportSpec) -> list[dict[str, Any]]:
    """The file's rows with canonical field names, value maps applied (no type conversion)."""
    m = _mapping(spec)
    kind = BY_KIND[spec.kind]
    values = {k: {str(a).lower(): b for a, b in v.items()} for k, v in m.get("values", {}).items()}
    out = []
    for row in (r for path in spec.files for r in _rows(spec, path)):
        rec = dict(m.get("defaults", {}))
        for canonical, column in m["columns"].items():
            v = row[column]
            if isinstance(v, str) and canonical in values and v:
                v = values[canonical].get(v.lower(), v)
            if isinstance(v, str) and kind.field(canonical).type == "enum":
                v = re.sub(r"[\s\-]+", "_", v.lower())  # the importer's reading of an enum
            rec[canonical] = v
        out.append(rec)
    return out


def _ts(value: str, fmt: str) -> datetime:
    """A zoneless local timestamp as UTC."""
    return datetime.strptime(value, fmt).replace(tzinfo=BERLIN).astimezone(ZoneInfo("UTC"))


def _day(value: Any, fmt: str | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if fmt is None:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    return datetime.strptime(value, fmt).date()


# -- the files and their mappings ----------------------------------------------------------


def test_generation_is_fast(demo: tuple[Path, list[ImportSpec], float]) -> None:
    assert demo[2] < 6.0  # about 1.5 s for five years on a quiet machine


def test_same_seed_gives_identical_bytes(
    demo: tuple[Path, list[ImportSpec], float], tmp_path: Path
) -> None:
    out, _, _ = demo
    generate(tmp_path, seed=7, today=TODAY)
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    again = {
        p.relative_to(tmp_path): p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()
    }
    assert first.keys() == again.keys()
    for name in first:
        assert first[name] == again[name], f"{name} differs between two runs with the same seed"


def test_another_seed_gives_another_organisation(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=7, today=TODAY)
    b = generate(tmp_path / "b", seed=8, today=TODAY)
    inc = [_spec(s, "incidents").files[0].read_bytes() for s in (a, b)]
    assert inc[0] != inc[1]


def test_specs_in_import_order(specs: list[ImportSpec]) -> None:
    assert [s.kind for s in specs[:4]] == list(CATALOGUE)
    assert all(s.kind not in CATALOGUE for s in specs[4:])
    kinds = {s.kind for s in specs}
    assert kinds == set(BY_KIND), f"kinds without demo data: {set(BY_KIND) - kinds}"


def test_every_file_and_mapping_exists(specs: list[ImportSpec]) -> None:
    for spec in specs:
        assert spec.files and all(f.is_file() and f.stat().st_size > 0 for f in spec.files)
        if spec.preset is None:
            assert spec.mapping is not None and spec.mapping.is_file()
        else:  # a preset needs a mapping file only for what it cannot know
            assert spec.mapping is None or spec.mapping.is_file()
        m = _mapping(spec)
        assert m["kind"] == spec.kind
        assert m["source"]
        # zoneless times are Berlin time: the mapping says so, or a preset leaves it to the
        # workspace's zone, which the demo sets to Europe/Berlin
        assert m["timezone"] == "Europe/Berlin" or (spec.preset and m["timezone"] is None)


def test_tools_exports_are_read_by_their_presets(specs: list[ImportSpec]) -> None:
    by_file = {f.name: s.preset for s in specs for f in s.files}
    for name, preset in PRESETS.items():
        assert by_file.get(name) == preset, name
    # every stakeholder and team survey, and every calendar, goes through its preset
    forms = [n for n in by_file if n.startswith("google_forms_")]
    calendars = [n for n in by_file if n.endswith(".ics")]
    assert len(forms) == 40 and len(calendars) >= 2  # a stakeholder and a team form a quarter
    assert all(by_file[n] == "google-forms-survey-responses" for n in forms)
    assert all(by_file[n] == "ical-engagements" for n in calendars)
    assert all(s.files[0].suffix != ".ndjson" for s in specs)


def test_mappings_name_real_columns_and_canonical_fields(specs: list[ImportSpec]) -> None:
    for spec in specs:
        m = _mapping(spec)
        kind = BY_KIND[spec.kind]
        header = _header(spec)
        for canonical, column in m["columns"].items():
            assert canonical in kind.field_names, f"{spec.mapping}: {canonical} is not a field"
            assert column in header, f"{spec.files[0].name} has no column {column!r}"
        for canonical in (*m.get("values", {}), *m.get("defaults", {})):
            assert canonical in kind.field_names, f"{spec.mapping}: {canonical} is not a field"
        covered = set(m["columns"]) | set(m.get("defaults", {})) | HASHED_ID.get(spec.kind, set())
        missing = set(kind.required) - covered
        assert not missing, f"{spec.mapping} leaves required fields unmapped: {missing}"
        for item, column in m.get("items", {}).items():
            assert column in header, f"{spec.files[0].name}: item {item} column missing"


def test_every_value_in_a_mapped_column_is_mapped(specs: list[ImportSpec]) -> None:
    for spec in specs:
        m = _mapping(spec)
        kind = BY_KIND[spec.kind]
        for canonical, table in m.get("values", {}).items():
            if canonical not in m["columns"]:
                continue
            # a preset's table may leave free text alone (a GitHub environment named staging)
            if spec.preset is not None and not kind.field(canonical).choices:
                continue
            keys = {str(k).lower() for k in table}
            seen = {r[m["columns"][canonical]] for r in _rows(spec)}
            unmapped = {v for v in seen if v and str(v).lower() not in keys}
            assert not unmapped, f"{spec.files[0].name}: {canonical} values not mapped: {unmapped}"
            choices = kind.field(canonical).choices
            if choices:
                assert set(table.values()) <= set(choices)


def test_dates_parse_with_the_mapped_format(specs: list[ImportSpec]) -> None:
    for spec in specs:
        m = _mapping(spec)
        kind = BY_KIND[spec.kind]
        fmt = m.get("date_format")
        for canonical, column in m["columns"].items():
            if kind.field(canonical).type not in ("date", "timestamp"):
                continue
            for row in _rows(spec):
                v = row[column]
                if v in ("", None):
                    continue
                day = _day(v, fmt)
                assert date(2010, 1, 1) < day < TODAY + timedelta(days=800), (spec.kind, v)


def test_canonical_values_are_in_their_domains(specs: list[ImportSpec]) -> None:
    for spec in specs:
        kind = BY_KIND[spec.kind]
        for rec in _records(spec):
            for name, v in rec.items():
                f = kind.field(name)
                if f.choices and v not in ("", None):
                    assert v in f.choices, f"{spec.files[0].name}: {name}={v!r}"
                if f.type == "severity" and v:
                    assert v in ("P1", "P2", "P3", "P4", "P5")
                if f.type == "bool" and v not in ("", None):
                    assert str(v).lower() in ("true", "false", "yes", "no")


def test_some_incidents_name_a_service_the_cmdb_lacks(specs: list[ImportSpec]) -> None:
    listed = {r["id"] for r in _records(_spec(specs, "services"))}
    named = {r["service"] for r in _records(_spec(specs, "incidents"))}
    assert named - listed == {"LEGACY-FTP"}


def test_titles_carry_characters_html_must_escape(specs: list[ImportSpec]) -> None:
    titles = [r["title"] for r in _records(_spec(specs, "incidents"))]
    assert any("<script>alert(1)</script>" in t for t in titles)
    assert any("&" in t and '"' in t for t in titles)
    names = [r["name"] for r in _records(_spec(specs, "projects"))]
    assert any("&" in n and '"' in n for n in names)
    assert any("<" in n for n in names)


# -- the story ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def incidents(specs: list[ImportSpec]) -> list[dict[str, Any]]:
    spec = _spec(specs, "incidents")
    fmt = _mapping(spec)["date_format"]
    rows = _records(spec)
    for r in rows:
        for f in ("opened_at", "acknowledged_at", "resolved_at"):
            r[f] = _ts(r[f], fmt) if r[f] else None
    return rows


def _year(when: datetime | date) -> int:
    """1 and 2 for the story's two years (docs/demo.md), 0 for the three years before them."""
    d = when.astimezone(BERLIN).date() if isinstance(when, datetime) else when
    return 0 if d < YEAR_ONE else 1 if d < YEAR_TWO else 2


def test_stability_recovers_in_the_second_year(incidents: list[dict[str, Any]]) -> None:
    major = [
        r for r in incidents if r["severity"] in ("P1", "P2") and r["is_maintenance"] != "true"
    ]
    per_year = Counter(_year(r["opened_at"]) for r in major)
    assert per_year[1] > 2.5 * per_year[2] > 0

    def median_hours(year: int, end: str) -> float:
        return statistics.median(
            (r[end] - r["opened_at"]).total_seconds() / 3600
            for r in major
            if _year(r["opened_at"]) == year and r[end]
        )

    assert median_hours(1, "resolved_at") > 2 * median_hours(2, "resolved_at")
    assert median_hours(1, "acknowledged_at") > 2 * median_hours(2, "acknowledged_at")


def test_change_failure_rate_falls(
    specs: list[ImportSpec], incidents: list[dict[str, Any]]
) -> None:
    caused = {r["caused_by_change"] for r in incidents if r["caused_by_change"]}
    rates = {}
    for year in (1, 2):
        changes = []
        for spec in (s for s in specs if s.kind == "changes"):
            fmt = _mapping(spec).get("date_format")
            for r in _records(spec):
                if r["environment"] != "production":
                    continue
                when = _ts(r["deployed_at"], fmt) if fmt else _day(r["deployed_at"], None)
                if _year(when) == year:
                    changes.append(r)
        bad = [r for r in changes if r["outcome"] != "success" or str(r["id"]) in caused]
        rates[year] = len(bad) / len(changes)
    assert rates[1] > 1.5 * rates[2]


def test_erp_depends_on_one_person(
    specs: list[ImportSpec], incidents: list[dict[str, Any]]
) -> None:
    services = _records(_spec(specs, "services"))
    tier1 = {s["id"] for s in services if s["tier"] == "1"}
    assert len(tier1) == 4 and "ERP" in tier1
    skills = _records(_spec(specs, "skills"))
    able = {
        svc: {s["person"] for s in skills if s["skill_or_service"] == svc and int(s["level"]) >= 3}
        for svc in tier1
    }
    assert len(able["ERP"]) == 1
    assert all(len(able[svc]) >= 2 for svc in tier1 - {"ERP"})
    (expert,) = able["ERP"]
    recent = [
        r["resolver"]
        for r in incidents
        if r["service"] == "ERP"
        and r["resolved_at"]
        and r["resolved_at"].date() >= TODAY - timedelta(days=365)
    ]
    shares = {who: n / len(recent) for who, n in Counter(recent).items()}
    assert shares[expert] > 0.6
    assert all(share < 0.2 for who, share in shares.items() if who != expert)


def test_neglected_unit_has_no_recent_review(specs: list[ImportSpec]) -> None:
    stakeholders = _records(_spec(specs, "stakeholders"))
    key = {r["id"]: r["business_unit"] for r in stakeholders if r["key"] == "Yes"}
    last: dict[str, date] = {}
    for e in _records(_spec(specs, "engagements")):
        if e["kind"] in ("planning", "review", "steering") and e["stakeholder"] in key:
            day = _day(e["date"], None)
            last[e["stakeholder"]] = max(last.get(e["stakeholder"], day), day)
    operations = [sid for sid, unit in key.items() if unit == "Operations"]
    sales = [sid for sid, unit in key.items() if unit == "Sales"]
    assert operations and sales
    assert all((TODAY - last[sid]).days > 140 for sid in operations)
    assert all((TODAY - last[sid]).days <= 45 for sid in sales)


def test_proactive_contact_grows(specs: list[ImportSpec]) -> None:
    share = {}
    for year in (1, 2):
        es = [
            e for e in _records(_spec(specs, "engagements")) if _year(_day(e["date"], None)) == year
        ]
        proactive = [
            e for e in es if e["initiated_by"] == "it" or e["kind"] in ("planning", "advice")
        ]
        share[year] = len(proactive) / len(es)
    assert share[2] > share[1] + 0.15


def test_neglected_unit_projects_were_approved_before_it_was_involved(
    specs: list[ImportSpec],
) -> None:
    projects = [p for p in _records(_spec(specs, "projects")) if p["approved_on"]]
    ops = [p for p in projects if p["business_unit"] == "Operations"]
    assert ops and all(
        p["it_engaged_on"] is None or p["it_engaged_on"] > p["approved_on"] for p in ops
    )
    sales_late = [
        p for p in projects if p["business_unit"] == "Sales" and p["approved_on"].date() >= YEAR_TWO
    ]
    assert sales_late and all(p["it_engaged_on"] <= p["approved_on"] for p in sales_late)


def _survey_means(spec: ImportSpec, path: Path) -> dict[str, float]:
    m = _mapping(spec)
    group, item = m["columns"]["group"], m["items"]["overall_satisfaction"]
    by_unit: dict[str, list[float]] = {}
    for row in _rows(spec, path):
        by_unit.setdefault(row[group], []).append(float(row[item]))
    return {unit: statistics.mean(v) for unit, v in by_unit.items()}


def test_trust_grows_in_sales_and_stays_low_in_operations(specs: list[ImportSpec]) -> None:
    spec = _spec(specs, "survey-responses", "stakeholder")
    assert len(spec.files) == 20  # every quarter for five years, one file a campaign
    story = [f for f in spec.files if f.stem >= f"google_forms_stakeholder-{YEAR_ONE:%Y-%m}"]
    means = [_survey_means(spec, f) for f in story]
    # trust falls through the firefighting year (a few quarters after the outages) and recovers
    assert means[-1]["Sales"] > min(m["Sales"] for m in means) + 1.5
    assert all(m["Operations"] < 5.5 for m in means)
    assert means[-1]["Sales"] > means[-1]["Operations"] + 3


def test_team_surveys_cover_every_item(specs: list[ImportSpec]) -> None:
    spec = _spec(specs, "survey-responses", "team")
    assert len(spec.files) == 20
    items = _mapping(spec)["items"]
    assert {f"westrum_{i}" for i in range(1, 8)} | {"enps", "burnout"} <= set(items)
    for path in spec.files:
        header = set(_rows(spec, path)[0])
        assert {items[f"westrum_{i}"] for i in range(1, 8)} <= header, path.name


def test_run_share_falls(specs: list[ImportSpec]) -> None:
    spend: dict[int, Counter[str]] = {0: Counter(), 1: Counter(), 2: Counter()}
    for r in _records(_spec(specs, "budget")):
        if r["actual"]:
            spend[_year(date.fromisoformat(r["period"]))][r["category"]] += float(r["actual"])
    run = {y: spend[y]["run"] / sum(spend[y].values()) for y in (1, 2)}
    last: Counter[str] = Counter()  # the last half year: planning follows operations' recovery
    for r in _records(_spec(specs, "budget")):
        if r["actual"] and date.fromisoformat(r["period"]) >= date(2026, 4, 1):
            last[r["category"]] += float(r["actual"])
    assert run[1] > 0.75 and run[2] < run[1] and last["run"] / sum(last.values()) < 0.66


def test_people_include_regretted_leavers(specs: list[ImportSpec]) -> None:
    people = _records(_spec(specs, "people"))
    current = [p for p in people if not p["left_on"]]
    assert 35 <= len(current) <= 45
    assert len({p["team"] for p in current}) >= 5
    regretted = [p for p in people if p["regretted"] == "Yes" and p["leave_kind"] == "voluntary"]
    assert len(regretted) >= 4
    assert any(p["on_call"] == "Yes" for p in current)


def test_commitments_cover_every_delivery_method(specs: list[ImportSpec]) -> None:
    kinds = Counter(r["kind"] for r in _records(_spec(specs, "commitments")))
    assert set(kinds) == {"sprint", "milestone", "release", "due_date", "objective"}


def test_a_different_today_moves_the_history(tmp_path: Path) -> None:
    specs = generate(tmp_path, seed=7, today=date(2028, 2, 29))
    spec = _spec(specs, "incidents")
    fmt = _mapping(spec)["date_format"]
    opened = [_ts(r["opened_at"], fmt).date() for r in _records(spec)]
    assert date(2023, 2, 28) <= min(opened) < date(2023, 3, 10) and max(opened) < date(2028, 2, 29)


def test_the_framework_order_is_built_into_the_curves(tmp_path: Path) -> None:
    """What the ordering analysis should find on the demo: the business curve (relationships,
    planning) repeats operations two quarters later, the team curve runs a quarter ahead."""
    from trustmeter.demo.context import BUSINESS, OPERATIONS, TEAM, Demo

    demo = Demo(tmp_path, 7, TODAY)
    assert demo.first == date(2021, 10, 1) and demo.start == YEAR_ONE
    for days in range(200, 700, 30):  # in the story years both read the same smooth turn
        d = demo.start + timedelta(days=days)
        assert demo.progress(d, BUSINESS) == demo.progress(d - timedelta(days=182), OPERATIONS)
    for days in range(0, 600, 30):
        d = demo.start + timedelta(days=days)
        assert demo.progress(d, TEAM) == demo.progress(d + timedelta(days=91), OPERATIONS)
    # before the story the business curve has noise of its own: not a copy of operations
    early = [demo.first + timedelta(days=182 + 91 * q) for q in range(8)]
    assert any(
        demo.progress(d, BUSINESS) != demo.progress(d - timedelta(days=182), OPERATIONS)
        for d in early
    )
    assert all(0 <= demo.progress(d) <= 1 for d in early)

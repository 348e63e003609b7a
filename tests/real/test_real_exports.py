"""Real records from real organisations (../shared/data/real), imported through mappings.

Each expected figure is recomputed here straight from the raw file with plain Python, an
independent oracle for the importer + metric pipeline.
"""

from __future__ import annotations

import csv
import statistics
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trustmeter import framework as fw
from trustmeter.ingest import ImportOptions, Mapping, import_files
from trustmeter.metrics.catalogue import get
from trustmeter.metrics.registry import Context
from trustmeter.periods import Period, containing
from trustmeter.store import Store

MAPPINGS = Path(__file__).resolve().parents[2] / "examples" / "mappings"
PARAMS = fw.load().params
QUARTERS = [
    containing(date(y, m, 1), "quarter") for y in (2022, 2023, 2024, 2025) for m in (1, 4, 7, 10)
][1:]


def _import(store: Store, kind: str, path: Path, mapping: str) -> None:
    import_files(store, kind, [path], ImportOptions(mapping=Mapping.load(MAPPINGS / mapping)))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _measure(store: Store, metric: str, period: Period) -> tuple[float | None, int]:
    m = get(metric)(Context(store, period, PARAMS))
    return m.value, m.n


@pytest.fixture
def github(store: Store, real_data: Path) -> list[dict[str, str]]:
    path = real_data / "github-statuses" / "downtime_windows.csv"
    _import(store, "incidents", path, "github-statuses.toml")
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _github_expected(rows: list[dict[str, str]], p: Period) -> dict[str, float | int | None]:
    major = [r for r in rows if r["impact"] in ("critical", "major")]
    # availability: union of major/critical windows clipped to the period, in seconds
    spans = sorted(
        (max(_utc(r["downtime_start"]), p.start_ts), min(_utc(r["downtime_end"]), p.end_ts))
        for r in major
    )
    down, cur_s, cur_e = 0.0, None, None
    for s, e in spans:
        if e <= s:
            continue
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                down += (cur_e - cur_s).total_seconds()
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        down += (cur_e - cur_s).total_seconds()
    seconds = (p.end_ts - p.start_ts).total_seconds()
    restored = [
        (_utc(r["downtime_end"]) - _utc(r["downtime_start"])).total_seconds() / 3600
        for r in major
        if p.start_ts <= _utc(r["downtime_end"]) < p.end_ts
    ]
    opened = [r for r in major if p.start_ts <= _utc(r["downtime_start"]) < p.end_ts]
    return {
        "availability": 100 * (1 - down / seconds),
        "mttr": statistics.median(restored) if restored else None,
        "mttr_n": len(restored),
        "major_per_month": len(opened) / (p.days / (365.25 / 12)),
    }


@pytest.mark.parametrize("quarter", QUARTERS[:6], ids=lambda q: q.label)
def test_github_status_availability_mttr_major_incidents(
    store: Store, github: list[dict[str, str]], quarter: Period
) -> None:
    want = _github_expected(github, quarter)
    value, n = _measure(store, "availability", quarter)
    assert n == 1  # one service (GitHub), no tiers given → all services in scope
    assert value == pytest.approx(want["availability"], abs=1e-6)
    value, n = _measure(store, "mttr", quarter)
    assert n == want["mttr_n"]
    assert value == pytest.approx(want["mttr"], abs=1e-6)
    value, _ = _measure(store, "major_incidents", quarter)
    assert value == pytest.approx(want["major_per_month"], abs=1e-6)


def test_github_status_over_years_is_plausible(store: Store, github: list[dict[str, str]]) -> None:
    # Over every quarter GitHub's measured availability stays between 97 % and 100 %, and
    # each agrees with the raw-file oracle.
    for q in QUARTERS:
        want = _github_expected(github, q)
        value, _ = _measure(store, "availability", q)
        assert value is not None and 97 < value <= 100
        assert value == pytest.approx(want["availability"], abs=1e-6)


@pytest.fixture
def laukkanen(store: Store, real_data: Path) -> Path:
    folder = real_data / "laukkanen2017"
    _import(store, "changes", folder / "releases.csv", "laukkanen-releases.toml")
    _import(store, "incidents", folder / "issues.csv", "laukkanen-production-issues.toml")
    return folder


def test_laukkanen_deployments_and_freeze_to_deploy_lead_time(
    store: Store, laukkanen: Path
) -> None:
    with (laukkanen / "releases.csv").open(newline="") as fh:
        releases = list(csv.DictReader(fh))
    year = Period(date(2014, 1, 1), date(2015, 1, 1))
    deployed = [r for r in releases if r["production_deployment_date"].startswith("2014")]
    days = {r["production_deployment_date"] for r in deployed}
    value, n = _measure(store, "deployment_frequency", year)
    assert n == len(deployed) == 5
    assert value == pytest.approx(len(days) / (365 / 7))
    hours = [
        (
            date.fromisoformat(r["production_deployment_date"])
            - date.fromisoformat(r["feature_freeze_date"])
        ).days
        * 24
        for r in deployed
    ]
    value, n = _measure(store, "lead_time_for_changes", year)
    assert n == 5 and value == pytest.approx(statistics.median(hours))
    assert value == 1008  # 42 days from freeze to production, the study's headline problem


def test_laukkanen_production_issues_per_month(store: Store, laukkanen: Path) -> None:
    with (laukkanen / "issues.csv").open(newline="") as fh:
        ps = [_utc(r["resolved_timestamp"]) for r in csv.DictReader(fh) if r["type"] == "PS"]
    assert len(ps) == 1379
    for q in (containing(date(2013, 7, 1), "quarter"), containing(date(2014, 1, 1), "quarter")):
        count = sum(q.start_ts <= t < q.end_ts for t in ps)
        value, n = _measure(store, "major_incidents", q)
        assert n == count and value == pytest.approx(count / (q.days / (365.25 / 12)))
    # 2013-Q3 from the raw months: 14 + 11 + 38 = 63 production issues
    value, n = _measure(store, "major_incidents", containing(date(2013, 7, 1), "quarter"))
    assert n == 63


def test_laukkanen_change_failure_rate_by_attribution_window(store: Store, laukkanen: Path) -> None:
    """A release fails when a production issue opens within 24 h after it (no explicit links)."""
    with (laukkanen / "releases.csv").open(newline="") as fh:
        deploys = sorted(
            datetime.fromisoformat(r["production_deployment_date"]) for r in csv.DictReader(fh)
        )
    with (laukkanen / "issues.csv").open(newline="") as fh:
        ps = [_utc(r["resolved_timestamp"]) for r in csv.DictReader(fh) if r["type"] == "PS"]
    failed = set()
    for t in ps:
        before = [d for d in deploys if d <= t]
        if before and (t - before[-1]).total_seconds() <= 24 * 3600:
            failed.add(before[-1])
    for period in (
        Period(date(2013, 1, 1), date(2014, 1, 1)),
        Period(date(2014, 1, 1), date(2016, 7, 1)),
    ):
        in_period = [d for d in deploys if period.start_ts <= d < period.end_ts]
        value, n = _measure(store, "change_failure_rate", period)
        assert n == len(in_period)
        assert value == pytest.approx(100 * sum(d in failed for d in in_period) / len(in_period))

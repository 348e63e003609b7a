"""The metric shapes (metrics/shapes.py), against answers computed by hand.

Each test declares its own metric in a test-only registry (so the real one is untouched): a
new metric is one declaration. They run on DuckDB and on PostgreSQL (the `store` fixture).
The period is 2024-Q1 (91 days, 13 weeks); 2023-Q2 holds no record at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest

from trustmeter.metrics.common import NO_SERVICE, in_period, known_at, records_of
from trustmeter.metrics.evidence import Evidence
from trustmeter.metrics.model import Batch, Context
from trustmeter.metrics.registry import REGISTRY, About, Metric
from trustmeter.metrics.shapes import (
    Counts,
    DurationPercentile,
    Rate,
    Shape,
    Share,
    by_count,
    by_value,
    declare,
    worst,
)
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
EMPTY = Period(date(2023, 4, 1), date(2023, 7, 1), "quarter")

INCIDENTS = [
    # id, opened, severity, service, resolved
    ("A1", "2024-01-05T00:00", "P1", "ERP", "2024-01-05T02:00"),  # 2 h
    ("A2", "2024-01-05T00:00", "P2", "ERP", "2024-01-05T04:00"),  # 4 h, opened with A1
    ("A3", "2024-02-01T00:00", "P3", "CRM", "2024-02-01T01:00"),  # 1 h
    ("A4", "2024-02-02T00:00", "P1", None, None),  # open
    ("A5", "2024-03-31T23:00", "P2", "CRM", "2024-04-01T01:00"),  # resolved after the end
    ("A6", "2024-03-01T10:00", "P2", "CRM", "2024-03-01T10:00"),  # 0 h: the same instant
    ("A7", "2024-03-02T10:00", "P3", "ERP", "2024-03-02T09:00"),  # resolved before opened
    ("B1", "2023-12-31T23:00", "P1", "ERP", "2024-01-01T01:00"),  # the quarter before
]


@pytest.fixture
def incidents(store: Store) -> None:
    insert_records(
        store,
        "incidents",
        [
            {"id": i, "opened_at": o, "severity": s, "service": svc, "resolved_at": r}
            for i, o, s, svc, r in INCIDENTS
        ],
    )


def opened_in(b: Batch) -> ir.Table:
    """Incidents opened in each period, resolved_at as known at its end."""
    i = b.within(records_of(b, "incident"), "opened_at")
    return i.mutate(resolved_at=known_at(i, i.resolved_at))


def drill(ctx: Context) -> ir.Table:
    i = records_of(ctx, "incident")
    return i.filter(in_period(ctx, i.opened_at)).select("id", "severity", "service")


ABOUT: dict[str, Any] = {
    "area": "stability",
    "name": "Test metric",
    "direction": "lower",
    "description": "A metric declared by a test.",
    "needs": ("incident",),
    "records": opened_in,
    "drill": drill,
    "missing": NO_SERVICE,
}


def p1_share(**overrides: Any) -> Share:
    return Share(
        **{
            **ABOUT,
            "id": "p1_share",
            "unit": "%",
            "hit": lambda t: t.severity == "P1",
            "grain": "service",
            "breakdown": lambda c: {"p1": c.k, "by_service": by_count(c, "incidents", "p1")},
            "evidence": lambda c: [
                Evidence("service", g.name, f"{g.name}: {g.k} of {g.n}", float(g.k))
                for g in worst(c.groups, lambda g: g.k, positive=True)
            ],
            **overrides,
        }
    )


def test_a_new_metric_is_one_declaration(incidents: None, batch: Callable[..., Batch]) -> None:
    registry: dict[str, Metric] = {}
    m = declare(p1_share(), registry)
    assert registry == {"p1_share": m} and "p1_share" not in REGISTRY
    assert (m.unit, m.description, m.needs) == ("%", "A metric declared by a test.", ("incident",))
    got = m.compute(batch([Q1, EMPTY]))
    q1 = got[Q1]
    # Opened in Q1: A1–A7 = 7, of which P1: A1, A4 = 2. 2 / 7 = 28.57 %.
    assert (q1.n, q1.value) == (7, pytest.approx(200 / 7))
    assert q1.breakdown == {
        "p1": 2,
        "by_service": {  # by key: "(no service)" sorts first
            NO_SERVICE: {"incidents": 1, "p1": 1},  # A4
            "CRM": {"incidents": 3, "p1": 0},  # A3, A5, A6
            "ERP": {"incidents": 3, "p1": 1},  # A1, A2, A7
        },
    }
    # A tie at one P1 each is broken by name; CRM has none and is no evidence.
    assert [e.detail for e in q1.evidence] == ["(no service): 1 of 1", "ERP: 1 of 3"]
    assert q1.records is not None
    assert sorted(q1.records.execute()["id"]) == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
    # No record at all: no value, n 0, nothing to break down.
    empty = got[EMPTY]
    assert (empty.n, empty.value, empty.evidence) == (0, None, [])
    assert empty.breakdown == {"p1": 0, "by_service": {}}


def test_a_metric_carries_every_declared_field_of_its_shape() -> None:
    """What a shape declares beyond the defaults reaches the registered metric (the fields are
    named once, in `About`, and copied as a set: a field forgotten in a copy shows here)."""
    shape = p1_share(log_scale=True, sample="services", data_hint="import incidents")
    m = declare(shape, {})
    assert (m.log_scale, m.sample, m.data_hint) == (True, "services", "import incidents")
    declared = {f.name for f in fields(About)}
    assert {f.name: getattr(m, f.name) for f in fields(m)} == {
        **{name: getattr(shape, name) for name in declared},
        "compute": shape.compute,
    }


def test_a_metric_id_is_declared_once(batch: Callable[..., Batch]) -> None:
    registry: dict[str, Metric] = {}
    declare(p1_share(), registry)
    with pytest.raises(ValueError, match="p1_share defined twice"):
        declare(p1_share(), registry)


def test_a_share_names_its_grain_values(incidents: None, batch: Callable[..., Batch]) -> None:
    """A grain value is keyed and ordered by its id, and shown by its name."""
    shape = p1_share(names=lambda b: {"ERP": "Enterprise planning"})
    q1 = shape.compute(batch([Q1]))[Q1]
    assert list(q1.breakdown["by_service"]) == [NO_SERVICE, "CRM", "Enterprise planning"]


def test_a_share_counts_more_grains_in_the_same_query(
    incidents: None, batch: Callable[..., Batch]
) -> None:
    """`grains`: more breakdowns, each value's records and matches; the totals stay the main
    grain's sums, and a null value is named `missing` in every grain."""
    shape = p1_share(
        grain="severity",
        grains={"service": "service"},
        breakdown=lambda c: {
            "by_severity": by_count(c, "incidents", "p1"),
            "by_service": {g.name: [g.n, g.k] for g in c.by["service"]},
        },
    )
    got = shape.compute(batch([Q1, EMPTY]))
    q1 = got[Q1]
    assert (q1.n, q1.value) == (7, pytest.approx(200 / 7))
    assert q1.breakdown == {
        # P1: A1, A4 (both hits); P2: A2, A5, A6; P3: A3, A7.
        "by_severity": {
            "P1": {"incidents": 2, "p1": 2},
            "P2": {"incidents": 3, "p1": 0},
            "P3": {"incidents": 2, "p1": 0},
        },
        # (no service): A4; CRM: A3, A5, A6; ERP: A1, A2, A7. By key: "(no service)" first.
        "by_service": {NO_SERVICE: [1, 1], "CRM": [3, 0], "ERP": [3, 1]},
    }
    assert list(q1.breakdown["by_service"]) == [NO_SERVICE, "CRM", "ERP"]
    empty = got[EMPTY]
    assert (empty.n, empty.value, empty.breakdown) == (
        0,
        None,
        {"by_severity": {}, "by_service": {}},
    )


def hours_to_resolve(**overrides: Any) -> DurationPercentile:
    return DurationPercentile(
        **{
            **ABOUT,
            "id": "hours_to_resolve",
            "unit": "h",
            "start": "opened_at",
            "end": "resolved_at",
            "per": (3600,),
            "grains": {"service": "service"},
            "counts": {"open": lambda t: t.resolved_at.isnull()},
            "breakdown": lambda d: {
                "by_service": by_value(d.groups["service"], 2),
                "open": d.counts["open"],
                "totals": {s.name: s.total for s in d.groups["service"]},
            },
            "evidence": lambda d: [
                Evidence("service", s.name, f"{s.name}: {s.value:g} h", s.value)
                for s in worst(d.groups["service"], lambda s: s.value)
            ],
            **overrides,
        }
    )


def test_a_duration_median_leaves_out_open_and_backwards_records(
    incidents: None, batch: Callable[..., Batch]
) -> None:
    got = declare(hours_to_resolve(), {}).compute(batch([Q1, EMPTY]))
    q1 = got[Q1]
    # Measurable: A1 2 h, A2 4 h, A3 1 h, A6 0 h (opened and resolved at the same instant).
    # A4 is open, A5 resolved after the end (open as of the end), A7 resolved before it
    # opened: [0, 1, 2, 4], median (1 + 2) / 2 = 1.5 h.
    assert (q1.n, q1.value) == (4, pytest.approx(1.5))
    # ERP [2, 4]: 3 h, total 6; CRM [0, 1]: 0.5 h, total 1. The "(no service)" group holds
    # only the open A4: no measurable duration, so it is left out.
    assert q1.breakdown == {
        "by_service": {"CRM": 0.5, "ERP": 3.0},
        "open": 2,  # A4, A5
        "totals": {"CRM": pytest.approx(1.0), "ERP": pytest.approx(6.0)},
    }
    assert [e.name for e in q1.evidence] == ["ERP", "CRM"]
    empty = got[EMPTY]
    assert (empty.n, empty.value, empty.breakdown["by_service"], empty.evidence) == (
        0,
        None,
        {},
        [],
    )


def test_a_duration_percentile_interpolates(incidents: None, batch: Callable[..., Batch]) -> None:
    """The 85th percentile of [0, 1, 2, 4], continuous: rank 0.85 × 3 = 2.55, so
    2 + 0.55 × (4 − 2) = 3.1 h; seconds ÷ 60 is the same in minutes."""
    q1 = hours_to_resolve(quantile=0.85).compute(batch([Q1]))[Q1]
    assert (q1.n, q1.value) == (4, pytest.approx(3.1))
    minutes = hours_to_resolve(quantile=0.85, per=(60,)).compute(batch([Q1]))[Q1]
    assert minutes.value == pytest.approx(3.1 * 60)


def major_pages(**overrides: Any) -> Rate:
    return Rate(
        **{
            **ABOUT,
            "id": "major_pages",
            "unit": "days/week",
            "counted": lambda t: t.severity.isin(["P1", "P2"]),
            "distinct": lambda t: t.opened_at.date(),
            "per_days": 7,
            "grain": "service",
            "counts": {"p3": lambda t: t.severity == "P3"},
            "breakdown": lambda r: {
                "weeks": r.spans,
                "days": r.distinct,
                "p3": r.counts["p3"],
                "by_service": {g.name: [g.n, g.distinct] for g in r.groups},
            },
            "evidence": lambda r: [],
            **overrides,
        }
    )


def test_a_rate_of_distinct_days_per_week(incidents: None, batch: Callable[..., Batch]) -> None:
    got = major_pages().compute(batch([Q1, EMPTY]))
    q1 = got[Q1]
    # P1/P2 opened in Q1: A1 and A2 (the same instant), A4, A5, A6 = 5 records on 4 days
    # (01-05, 02-02, 03-01, 03-31); Q1 is 91 days = 13 weeks: 4 / 13 days a week.
    assert (q1.n, q1.value) == (5, pytest.approx(4 / 13))
    assert q1.breakdown == {
        "weeks": 13.0,
        "days": 4,
        "p3": 2,  # A3, A7: not counted, but counted apart
        # CRM's A3 is P3 only: CRM is [A5, A6]; ERP's A1 and A2 are one day.
        "by_service": {NO_SERVICE: [1, 1], "CRM": [2, 2], "ERP": [2, 1]},
    }
    # Nothing in the period is a rate of zero (not "no data": the Scorer tells that apart).
    empty = got[EMPTY]
    assert (empty.n, empty.value, empty.breakdown["by_service"]) == (0, 0.0, {})


def test_a_rate_of_records_per_month(incidents: None, batch: Callable[..., Batch]) -> None:
    """Without `distinct`, every counted record counts: 5 per 91 days, per month of 30.4375."""
    q1 = major_pages(distinct=None, per_days=365.25 / 12).compute(batch([Q1]))[Q1]
    assert (q1.n, q1.value) == (5, pytest.approx(5 / (91 / 30.4375)))
    assert q1.breakdown["by_service"]["ERP"] == [2, 0]


def test_every_shape_computes_all_periods_in_one_query(
    incidents: None, batch: Callable[..., Batch], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip for a set of periods, whatever the shape: the point of a Batch."""
    b = batch([Q1, EMPTY])
    records_of(b, "incident")  # learn (once) whether the table holds one source
    seen: list[object] = []
    run = store.con.to_pyarrow

    def count(expr: ibis.Table, *args: Any, **kwargs: Any) -> Any:
        seen.append(expr)
        return run(expr, *args, **kwargs)

    monkeypatch.setattr(store.con, "to_pyarrow", count)
    shapes: list[Shape] = [
        p1_share(),
        p1_share(grains={"severity": "severity"}),
        hours_to_resolve(),
        major_pages(),
    ]
    for shape in shapes:
        seen.clear()
        shape.compute(b)
        assert len(seen) == 1, shape.id


# -- the doc's table of shapes ----------------------------------------------------------------
INDEX = Path(__file__).resolve().parents[2] / "docs" / "metrics" / "README.md"


def test_the_doc_table_says_which_shape_each_metric_is() -> None:
    """docs/metrics/README.md lists every metric once, with the shape it is declared as (the
    Shape class behind its computation) or "function" for one still written by hand."""
    rows: dict[str, str] = {}
    for line in INDEX.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3:
            rows[cells[0].strip("`")] = cells[2].strip("`")
    declared = {
        mid: type(getattr(m.compute, "__self__", None)).__name__
        if isinstance(getattr(m.compute, "__self__", None), Shape)
        else "function"
        for mid, m in REGISTRY.items()
    }
    assert rows == declared
    # The shapes are in use: a table of "function" only would pass the line above.
    assert {"Share", "DurationPercentile", "Rate", "SurveyMean", "Nps"} <= set(declared.values())


def test_counts_misses() -> None:
    assert Counts(Q1, 5, 2, [], {}).misses == 3


def test_overlapping_periods_each_count_their_own_records(
    incidents: None, batch: Callable[..., Batch]
) -> None:
    """A quarter and a month inside it (not one calendar kind: the range join, where a record
    falls in both) give each period what it gives alone."""
    jan = Period(date(2024, 1, 1), date(2024, 2, 1), "month")
    shapes: list[Shape] = [
        p1_share(),
        p1_share(grains={"severity": "severity"}),
        hours_to_resolve(),
        major_pages(),
    ]
    for shape in shapes:
        both = shape.compute(batch([Q1, jan]))
        for p in (Q1, jan):
            alone = shape.compute(batch([p]))[p]
            assert (both[p].value, both[p].n, both[p].breakdown) == (
                alone.value,
                alone.n,
                alone.breakdown,
            ), (shape.id, p)
    # January alone: A1 (P1) and A2 (P2), opened at the same instant; 1 of 2 is P1.
    jan_share = p1_share().compute(batch([jan]))[jan]
    assert (jan_share.n, jan_share.value) == (2, 50.0)

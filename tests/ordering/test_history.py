"""The history the ordering analysis reads: gate crossings, survey-observed areas, and the
whole analysis on generated histories whose order is known."""

from __future__ import annotations

from datetime import date, datetime

from test_lag import generated

from trustmeter.framework import load
from trustmeter.ordering.analysis import analyse
from trustmeter.ordering.history import (
    CampaignMark,
    History,
    StageAt,
    crossed,
    first_record_day,
    gate_crossings,
    sparse_areas,
)
from trustmeter.periods import Period, series
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

AREAS = ("stability", "delivery", "planning", "relationships", "talent")


def test_crossed_for_good() -> None:
    values = [30.0, 45.0, 38.0, 41.0, 72.0, 75.0, None]
    assert crossed(values[:6], 40, 1) == 3  # 45 fell back to 38; from 41 on it held
    assert crossed(values[:6], 70, 2) == 5  # two periods running: 72 and 75
    assert crossed(values[:5], 70, 2) is None  # one period at 72 is not two
    assert crossed(values, 40, 1) is None  # not measured in the last period: not held


def test_relationships_are_observed_at_survey_closings_by_default() -> None:
    fw = load()
    assert sparse_areas(fw, "mid") == {"relationships": "stakeholder"}
    # A leader who weighs talent's two survey metrics heavily makes talent survey-observed.
    heavy = load([("test", {"metrics": {"enps": {"weight": 3}, "westrum_culture": {"weight": 3}}})])
    assert sparse_areas(heavy, "mid") == {"relationships": "stakeholder", "talent": "team"}


def history(scores: dict[str, list[float | None]], campaigns: list[int]) -> History:
    periods = series(
        Period(date(2026, 7, 1), date(2026, 10, 1), "quarter"), len(scores["stability"])
    )
    marks = [
        CampaignMark(
            "stakeholder", f"s{i}", datetime.combine(periods[i].start, datetime.min.time()), i
        )
        for i in campaigns
    ]
    stages = [StageAt(0, "Unstable")] * len(periods)
    return History(
        periods,
        scores,
        {a: a for a in AREAS},
        stages,
        stages,
        True,
        marks,
        {"relationships": "stakeholder"},
        gate_crossings(load(), periods, scores),
    )


def test_stability_leading_trust_by_two_quarters_supports_the_order() -> None:
    leader, follower = generated(seed=3, periods=24)
    flat: list[float | None] = [50.0] * 24
    h = history(
        {
            "stability": leader,
            "delivery": flat,
            "planning": flat,
            "relationships": follower,
            "talent": flat,
        },
        campaigns=list(range(24)),  # a stakeholder survey every quarter
    )
    out = analyse(h, "quarter").as_dict()
    pair = next(
        p for p in out["pairs"] if (p["leader"], p["follower"]) == ("stability", "relationships")
    )
    assert pair["lag_periods"] == 2 and pair["interval"][0] <= 2 <= pair["interval"][1]
    assert pair["verdict"] == "supports" and pair["observed_at"] == "survey campaigns"
    # Flat areas never change: nothing to align, never a claim.
    assert (
        next(p for p in out["pairs"] if p["follower"] == "planning")["verdict"]
        == "not_demonstrable"
    )
    assert out["verdict"] == "supports"
    assert "1 supports" in out["summary"] and "5 not demonstrable yet" in out["summary"]


def test_trust_leading_stability_contradicts() -> None:
    leader, follower = generated(seed=3, periods=24)
    flat: list[float | None] = [50.0] * 24
    h = history(
        {
            "stability": follower,
            "delivery": flat,
            "planning": flat,
            "relationships": leader,
            "talent": flat,
        },
        campaigns=list(range(24)),
    )
    out = analyse(h, "quarter").as_dict()
    pair = next(
        p for p in out["pairs"] if (p["leader"], p["follower"]) == ("stability", "relationships")
    )
    assert pair["lag_periods"] == -2 and pair["verdict"] == "contradicts"
    assert out["verdict"] == "contradicts"


def test_few_surveys_make_the_trust_pairs_not_demonstrable_with_what_is_needed() -> None:
    leader, follower = generated(seed=3, periods=24)
    flat: list[float | None] = [50.0] * 24
    h = history(
        {
            "stability": leader,
            "delivery": flat,
            "planning": flat,
            "relationships": follower,
            "talent": flat,
        },
        campaigns=[5, 11, 17, 23],  # one survey every six quarters: four in all
    )
    out = analyse(h, "quarter").as_dict()
    pair = next(
        p for p in out["pairs"] if (p["leader"], p["follower"]) == ("stability", "relationships")
    )
    assert pair["verdict"] == "not_demonstrable" and pair["changes"] == 3
    assert pair["needs"]["campaigns"] == 6 and pair["needs"]["periods"] == 36  # one every 6
    assert "not demonstrable yet" in out["summary"]
    assert out["needs"]["campaigns"] == 6


def test_the_history_begins_at_the_earliest_record_of_any_kind(store: Store) -> None:
    """One query over five tables of timestamps and dates: none at all is None; a
    commitment due before the first incident moves the start to its day."""

    def first() -> date | None:
        return first_record_day(Scorer(store, load(), "mid"))

    assert first() is None
    insert_records(
        store,
        "incidents",
        [{"id": "i1", "opened_at": datetime(2024, 3, 5, 23, 30), "severity": "P3"}],
    )
    assert first() == date(2024, 3, 5)
    insert_records(
        store,
        "commitments",
        [{"id": "c1", "title": "ERP go-live", "due_on": date(2024, 2, 1)}],
    )
    assert first() == date(2024, 2, 1)

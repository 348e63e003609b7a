"""The noise rules of `compare`, checked against figures worked by hand (docs/compare.md)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from trustmeter.periods import Period
from trustmeter.scorecard.compare import metric_noise
from trustmeter.scorecard.model import MetricEntry
from trustmeter.scorecard.noise import proportion_noise, xmr_noise
from trustmeter.scorecard.samples import sample_phrase
from trustmeter.usecases.comparing import period_named

# --------------------------------------------------------------------------- shares


def test_two_shares_far_apart_are_beyond_noise() -> None:
    # 10 of 100 against 25 of 100: pooled 35/200 = 0.175,
    # se = sqrt(0.175 × 0.825 × (1/100 + 1/100)) = 0.053735, z = 0.15 / 0.053735 = 2.7915.
    noise = proportion_noise(10.0, 100, 25.0, 100)
    assert noise.verdict == "beyond_noise"
    assert noise.method == "two_proportion"
    assert noise.statistic == pytest.approx(2.7915, abs=1e-3)
    assert "10 of 100 against 25 of 100" in noise.reason


def test_two_close_shares_are_within_noise() -> None:
    # 10 of 100 against 15 of 100: pooled 0.125, se = 0.046771, z = 0.05 / 0.046771 = 1.069.
    noise = proportion_noise(10.0, 100, 15.0, 100)
    assert noise.verdict == "within_noise"
    assert noise.statistic == pytest.approx(1.069, abs=1e-3)


def test_a_fall_gives_a_negative_z() -> None:
    noise = proportion_noise(25.0, 100, 10.0, 100)
    assert noise.statistic == pytest.approx(-2.7915, abs=1e-3)


def test_small_samples_are_too_small_to_tell() -> None:
    # 1 of 12 against 2 of 12: pooled 3/24 = 0.125, expected successes 12 × 0.125 = 1.5 < 5.
    noise = proportion_noise(100 / 12, 12, 200 / 12, 12)
    assert noise.verdict == "too_small"
    assert "1 of 12 against 2 of 12" in noise.reason
    assert "1.5" in noise.reason


def test_the_same_share_is_no_change_whatever_the_n() -> None:
    assert proportion_noise(10.0, 50, 10.0, 100).verdict == "no_change"


# --------------------------------------------------------------------------- XmR


def test_xmr_limit_is_3_268_times_the_average_moving_range() -> None:
    history = [10.0, 12.0, 11.0, 13.0, 12.0]  # moving ranges 2, 1, 2, 1: average 1.5
    limit = 3.268 * 1.5  # 4.902
    beyond = xmr_noise(history, 12.0, 17.0)  # a change of 5
    within = xmr_noise(history, 12.0, 16.0)  # a change of 4
    assert beyond.verdict == "beyond_noise"
    assert beyond.limit == pytest.approx(limit)
    assert beyond.statistic == pytest.approx(5 / limit, abs=1e-3)
    assert within.verdict == "within_noise"
    assert within.statistic == pytest.approx(4 / limit, abs=1e-3)


def test_xmr_on_the_log_scale_judges_ratios() -> None:
    history = [1.0, 2.0, 1.0, 2.0, 1.0]  # every log moving range is ln 2
    factor = math.exp(3.268 * math.log(2))  # 9.63: routine up to this factor
    assert xmr_noise(history, 1.0, 10.0, log_scale=True).verdict == "beyond_noise"
    within = xmr_noise(history, 1.0, 9.0, log_scale=True)
    assert within.verdict == "within_noise"
    assert within.limit == pytest.approx(factor, abs=1e-3)
    # On the linear scale the same history (ranges of 1) would call 1 → 9 a signal.
    assert xmr_noise(history, 1.0, 9.0).verdict == "beyond_noise"


def test_too_little_history_says_so() -> None:
    noise = xmr_noise([1.0, 2.0, 3.0, 4.0], 4.0, 9.0)
    assert noise.verdict == "short_history"
    assert "4 scored periods" in noise.reason


def test_a_survey_repeated_until_the_next_campaign_counts_once() -> None:
    # Nine periods but four campaigns: 60, 70, 65, 80, so no limits yet.
    history = [60.0, 60.0, 60.0, 70.0, 70.0, 65.0, 65.0, 80.0, 80.0]
    assert xmr_noise(history, 80.0, 50.0).verdict != "short_history"
    noise = xmr_noise(history, 80.0, 50.0, campaigns=True)
    assert noise.verdict == "short_history"
    assert "4 distinct survey results" in noise.reason


def test_a_figure_that_never_moved_signals_any_move() -> None:
    assert xmr_noise([5.0] * 6, 5.0, 5.5).verdict == "beyond_noise"
    assert xmr_noise([5.0] * 6, 5.0, 5.0).verdict == "no_change"


# --------------------------------------------------------------------------- by metric shape


def entry(id: str, value: float | None, n: int, **kw: Any) -> MetricEntry:
    d: dict[str, Any] = {
        "id": id,
        "name": id.replace("_", " "),
        "area": "stability",
        "value": value,
        "unit": "%",
        "direction": "lower",
        "target": 5.0,
        "floor": 30.0,
        "score": None,
        "n": n,
        "min_sample": 5,
        "status": "ok",
        "weight": 1.0,
        "description": "",
        "breakdown": {},
        "evidence": (),
        "note": None,
    }
    d.update(kw)
    return MetricEntry(**d)


def test_a_share_metric_is_judged_by_the_two_proportion_test() -> None:
    noise = metric_noise(
        entry("change_failure_rate", 10.0, 100), entry("change_failure_rate", 25.0, 100), []
    )
    assert noise.method == "two_proportion"
    assert noise.verdict == "beyond_noise"


def test_unplanned_work_by_effort_is_not_a_share_of_n() -> None:
    history = [entry("unplanned_work", v, 300) for v in (20.0, 22.0, 21.0, 23.0, 22.0)]
    by_effort = {"basis": "effort"}
    noise = metric_noise(
        entry("unplanned_work", 22.0, 300, breakdown=by_effort),
        entry("unplanned_work", 27.0, 300, breakdown=by_effort),
        history,
    )
    assert noise.method == "xmr"
    assert noise.verdict == "beyond_noise"  # 5 > 3.268 × 1.5
    by_count = {"basis": "count"}
    counted = metric_noise(
        entry("unplanned_work", 22.0, 300, breakdown=by_count),
        entry("unplanned_work", 27.0, 300, breakdown=by_count),
        history,
    )
    assert counted.method == "two_proportion"


def test_partner_perception_counts_respondents_not_groups() -> None:
    groups = {"by_group": {"A": {"respondents": 60}, "B": {"respondents": 40}}}
    noise = metric_noise(
        entry("partner_perception", 10.0, 2, breakdown=groups),
        entry("partner_perception", 25.0, 2, breakdown=groups),
        [],
    )
    assert noise.method == "two_proportion"
    assert "10 of 100 against 25 of 100" in noise.reason


def test_below_the_minimum_sample_is_too_small_and_no_data_not_comparable() -> None:
    ok = entry("mttr", 2.0, 9, unit="h")
    few = entry("mttr", 9.0, 3, unit="h", status="insufficient")
    noise = metric_noise(ok, few, [])
    assert noise.verdict == "too_small"
    assert "3 P1/P2 incidents resolved in the second period" in noise.reason
    gone = entry("mttr", None, 0, unit="h", status="no_data")
    assert metric_noise(gone, ok, []).verdict == "not_comparable"


def test_times_are_judged_on_the_log_scale() -> None:
    # mttr is a log-scale metric: 1, 2, 1, 2, 1 h allow a factor of 9.63.
    history = [entry("mttr", v, 9, unit="h") for v in (1.0, 2.0, 1.0, 2.0, 1.0)]
    noise = metric_noise(entry("mttr", 1.0, 9, unit="h"), entry("mttr", 9.0, 9, unit="h"), history)
    assert noise.verdict == "within_noise"


def test_sample_phrases_name_what_n_counts() -> None:
    major = entry("major_incidents", 2.3, 98, unit="count", breakdown={"major": 7})
    assert sample_phrase(major) == "7 P1/P2 of 98 incidents opened"
    groups = {"by_group": {"Finance": {"respondents": 7}, "HR": {"respondents": 5}}}
    sat = entry("stakeholder_satisfaction", 70.0, 2, breakdown=groups)
    assert sample_phrase(sat) == "2 business units (12 respondents)"
    assert sample_phrase(entry("change_failure_rate", 9.6, 136)) == "136 production changes"


def test_a_count_of_one_reads_in_the_singular() -> None:
    assert sample_phrase(entry("slo_attainment", 0.0, 1)) == "1 service with an SLO"
    assert sample_phrase(entry("regretted_attrition", 0.0, 1)) == "1 person on the books"
    assert sample_phrase(entry("repeat_incidents", 0.0, 1)) == "1 P1–P3 incident"
    one = {"by_group": {"Finance": {"respondents": 1}}}
    assert sample_phrase(entry("enps", 0.0, 1, breakdown=one)) == "1 team (1 respondent)"
    assert sample_phrase(entry("slo_attainment", 0.0, 0)) == "0 services with an SLO"


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("2026-Q2", "quarter", "2026-Q2"),
        ("2026q3", "quarter", "2026-Q3"),
        ("2026-05", "quarter", "2026-05"),
        ("2026-05-14", "quarter", "2026-Q2"),
        ("2026-05-14", "month", "2026-05"),
    ],
)
def test_period_names(text: str, kind: Any, label: str) -> None:
    assert period_named(text, kind).label == label


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "last quarter", "2026-02-30"])
def test_bad_period_names_say_what_was_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected a quarter \(2026-Q2\), a month"):
        period_named(text, "quarter")


def test_period_named_gives_a_calendar_period() -> None:
    p = period_named("2026-Q1", "quarter")
    assert p == Period(p.start, p.end, "quarter")
    assert (p.start.isoformat(), p.end.isoformat()) == ("2026-01-01", "2026-04-01")

"""The scorecard's aggregation, hand-computed: metric weights in an area, coverage at its edge
under the framework's own `min_coverage`, the stage's ceiling capping the Trust Index at every
stage, area weights from a framework file, and the Predictability Index.

The functions are those the Scorer calls (`area_score`, `evaluate_stage`, `trust_index`,
`predictability`), fed metric entries built by hand, so each figure below follows from the
FRAMEWORK.md rules alone. tests/test_scorecard.py has the first cases of each; these are the
edges.
"""

from __future__ import annotations

from typing import Any

import pytest

from trustmeter import framework as fw
from trustmeter.framework.model import Framework
from trustmeter.scorecard.model import Area, MetricEntry, MetricStatus
from trustmeter.scorecard.scorer import area_score, predictability, trust_index
from trustmeter.scorecard.stages import evaluate_stage


def entry(
    mid: str,
    score: float | None,
    *,
    status: MetricStatus = "ok",
    weight: float = 1.0,
    value: float | None = None,
) -> MetricEntry:
    """A metric entry with what the aggregation and the gates read (area filled in by `areas`)."""
    return MetricEntry(
        id=mid,
        name=mid,
        area="",
        value=value if value is not None else score,
        unit="%",
        direction="higher",
        target=100,
        floor=0,
        score=score if status == "ok" else None,
        n=10 if status == "ok" else 0,
        min_sample=5,
        status=status,
        weight=weight,
        description="",
        breakdown={},
        evidence=(),
        note=None,
    )


def areas(framework: Framework, scores: dict[str, list[MetricEntry]]) -> list[Area]:
    """Every area of the framework, each from its metric entries, as the Scorer builds them."""
    out = []
    for aid, spec in framework.areas.items():
        entries = [MetricEntry(**{**e.__dict__, "area": aid}) for e in scores.get(aid, [])]
        out.append(area_score(spec, entries, framework.settings.min_coverage))
    return out


# ------------------------------------------------------------------ metric weights, coverage


def test_metric_weights_from_the_framework_file_weight_the_area() -> None:
    framework = fw.load([("test", {"metrics": {"mttr": {"weight": 3}}})])
    w = {m: framework.metrics[m].weight for m in ("mttr", "mtta", "availability")}
    assert w == {"mttr": 3, "mtta": 1, "availability": 1}
    stability = areas(
        framework,
        {
            "stability": [
                entry("mttr", 20, weight=w["mttr"]),
                entry("mtta", 80, weight=w["mtta"]),
                entry("availability", 100, weight=w["availability"]),
            ]
        },
    )[0]
    # (20 × 3 + 80 × 1 + 100 × 1) / 5 = 240 / 5 = 48; equal weights would give 66.667
    assert (stability.score, stability.coverage) == (48.0, 1.0)


def test_coverage_at_the_frameworks_min_coverage_and_just_below() -> None:
    framework = fw.load([("test", {"params": {"min_coverage": 0.6}})])
    assert framework.settings.min_coverage == 0.6
    three_of_five = [entry(m, 50) for m in ("a", "b", "c")] + [
        entry(m, None, status="no_data") for m in ("d", "e")
    ]
    (at_edge,) = [a for a in areas(framework, {"delivery": three_of_five}) if a.id == "delivery"]
    # scored weight 3 of 5 = 0.6, exactly the minimum: measured
    assert (at_edge.coverage, at_edge.status, at_edge.score) == (0.6, "measured", 50.0)
    below = [*three_of_five[:2], entry("c", 50, weight=0.999), *three_of_five[3:]]
    (short,) = [a for a in areas(framework, {"delivery": below}) if a.id == "delivery"]
    # 2.999 of 4.999 = 0.59992: below 0.6, so not measured, its partial score still shown
    assert (short.status, short.score, short.partial_score) == ("not_measured", None, 50.0)
    assert short.coverage == 0.6  # rounded to three places for display only


def test_an_insufficient_metric_lowers_coverage_by_its_weight_not_the_score() -> None:
    framework = fw.load()
    (planning,) = [
        a
        for a in areas(
            framework,
            {
                "planning": [
                    entry("run_share", 40, weight=1),
                    entry("budget_variance", 70, weight=2),
                    entry("portfolio_load", None, status="insufficient", weight=3),
                ]
            },
        )
        if a.id == "planning"
    ]
    # score (40 + 140) / 3 = 60, untouched by the unscored metric; coverage 3 / 6 = 0.5
    assert (planning.score, planning.coverage, planning.status) == (60.0, 0.5, "measured")


# ---------------------------------------------------------------- stage ceilings, area weights

GOOD = 90.0


def history(framework: Framework, **low: float) -> list[list[Area]]:
    """Two periods in which every area scores 90 and every gate metric passes, except the
    areas or gate metrics named in `low` (same value in both periods)."""
    gate_metrics = {
        "talent": {"key_person_coverage": 100.0},
        "relationships": {"stakeholder_satisfaction": 80.0, "partner_perception": 60.0},
        "planning": {"early_involvement": 70.0},
    }
    by_area: dict[str, list[MetricEntry]] = {}
    for aid in framework.areas:
        score = low.get(aid, GOOD)
        entries = [entry(f"{aid}_figure", score)]
        for mid, value in gate_metrics.get(aid, {}).items():
            entries.append(entry(mid, score, value=low.get(mid, value)))
        by_area[aid] = entries
    now = areas(framework, by_area)
    return [now, now]


@pytest.mark.parametrize(
    ("low", "level", "ceiling", "uncapped"),
    [
        # stability 30 fails stage 1: (30 + 4 × 90) / 5 = 78
        ({"stability": 30.0}, 0, 20, 78.0),
        # stability 60 passes 1, fails 2's 70: (60 + 360) / 5 = 84
        ({"stability": 60.0}, 1, 40, 84.0),
        # planning 50 fails stage 3's 60: (50 + 360) / 5 = 82
        ({"planning": 50.0}, 2, 60, 82.0),
        # early involvement 40 % fails stage 4 alone: every area 90
        ({"early_involvement": 40.0}, 3, 80, 90.0),
        # every gate passes: no cap below 100
        ({}, 4, 100, 90.0),
    ],
)
def test_each_stage_caps_the_trust_index_at_its_ceiling(
    low: dict[str, float], level: int, ceiling: float, uncapped: float
) -> None:
    framework = fw.load()
    hist = history(framework, **low)
    stage = evaluate_stage(framework, hist)
    assert (stage.level, stage.ceiling) == (level, ceiling)
    ti = trust_index(framework, hist[0], stage.ceiling)
    assert (ti.uncapped, ti.value, ti.capped) == (
        uncapped,
        min(uncapped, ceiling),
        uncapped > ceiling,
    )


def test_key_person_gate_caps_even_when_every_area_is_strong() -> None:
    framework = fw.load()
    hist = history(framework, key_person_coverage=50.0)
    stage = evaluate_stage(framework, hist)
    ti = trust_index(framework, hist[0], stage.ceiling)
    # all five areas at 90, yet one tier-1 service has one person: stage 1, capped at 40
    assert (stage.level, ti.uncapped, ti.value) == (1, 90.0, 40)


def test_area_weights_from_the_framework_file_weight_the_trust_index() -> None:
    override: dict[str, Any] = {
        "areas": {"stability": {"weight": 3}, "delivery": {"weight": 2}, "talent": {"weight": 0}}
    }
    framework = fw.load([("test", override)])
    hist = history(framework, stability=60.0, delivery=75.0, talent=10.0)
    # weights stability 3, delivery 2, planning 1, relationships 1, talent 0 (not counted):
    # (60 × 3 + 75 × 2 + 90 + 90) / 7 = 510 / 7 = 72.857142… → 72.857
    ti = trust_index(framework, hist[0], 100)
    assert (ti.uncapped, ti.areas_measured) == (72.857, 4)
    # with the default equal weights: (60 + 75 + 90 + 90 + 10) / 5 = 65
    default = fw.load()
    assert (
        trust_index(
            default, history(default, stability=60.0, delivery=75.0, talent=10.0)[0], 100
        ).uncapped
        == 65.0
    )


# ----------------------------------------------------------------- the Predictability Index


def test_predictability_counts_a_promise_metric_of_an_unmeasured_area() -> None:
    framework = fw.load()
    built = areas(
        framework,
        {
            # stability is not measured (1 of 4 weight scored), yet slo_attainment was scored
            "stability": [
                entry("slo_attainment", 30),
                *[entry(m, None, status="no_data") for m in ("mttr", "mtta", "availability")],
            ],
            "delivery": [
                entry("commitment_reliability", 90),
                entry("schedule_slip", 0),  # a real zero counts
                entry("forecast_calibration", None, status="insufficient"),
            ],
            "planning": [entry("budget_variance", 60), entry("run_share", 100)],
        },
    )
    assert next(a for a in built if a.id == "stability").status == "not_measured"
    p = predictability(framework, built)
    # (30 + 90 + 0 + 60) / 4 = 45; run_share is not a promise metric
    assert p.value == 45.0
    assert p.metrics == {
        "slo_attainment": 30,
        "commitment_reliability": 90,
        "schedule_slip": 0,
        "budget_variance": 60,
    }


def test_predictability_follows_the_frameworks_list() -> None:
    framework = fw.load([("test", {"predictability": {"metrics": ["budget_variance"]}})])
    built = areas(
        framework,
        {
            "delivery": [entry("commitment_reliability", 90)],
            "planning": [entry("budget_variance", 61.25)],
        },
    )
    p = predictability(framework, built)
    assert (p.value, p.metrics) == (61.25, {"budget_variance": 61.25})

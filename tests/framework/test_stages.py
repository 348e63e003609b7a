"""Stages and gates against hand-built area scores (no database needed)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from trustmeter import framework as fw
from trustmeter.scorecard.focus import next_focus
from trustmeter.scorecard.model import Area, Evidence, MetricEntry, MetricStatus
from trustmeter.scorecard.scorer import predictability, trust_index
from trustmeter.scorecard.stages import evaluate_stage, perception

AREAS = ("stability", "delivery", "planning", "relationships", "talent")


def metric(
    mid: str,
    area: str,
    value: float | None,
    score: float | None,
    status: MetricStatus = "ok",
    weight: float = 1.0,
    evidence: tuple[Evidence, ...] = (),
    breakdown: dict[str, Any] | None = None,
) -> MetricEntry:
    return MetricEntry(
        id=mid,
        name=mid.replace("_", " "),
        area=area,
        value=value,
        unit="%",
        direction="higher",
        target=100,
        floor=0,
        score=score,
        n=10,
        min_sample=5,
        status=status,
        weight=weight,
        description="",
        breakdown=breakdown or {},
        evidence=evidence,
        note=None,
    )


def areas(
    scores: dict[str, float | None],
    extra: dict[str, list[MetricEntry]] | None = None,
    kpc: float | None = 100.0,
) -> list[Area]:
    out = []
    for a in AREAS:
        ms = list((extra or {}).get(a, []))
        if a == "talent" and kpc is not None:
            ms.append(metric("key_person_coverage", "talent", kpc, kpc))
        score = scores.get(a)
        out.append(
            Area(
                id=a,
                name=a.title(),
                weight=1,
                score=score,
                partial_score=score,
                coverage=1.0 if score is not None else 0.0,
                status="measured" if score is not None else "not_measured",
                measure_with=f"{a} records",
                metrics=tuple(ms),
            )
        )
    return out


@pytest.fixture(scope="module")
def framework() -> fw.Framework:
    return fw.load()


def test_unstable_when_stability_below_40(framework: fw.Framework) -> None:
    a = areas(
        {"stability": 39.9, "delivery": 90, "planning": 90, "relationships": 95, "talent": 90}
    )
    st = evaluate_stage(framework, [a, a])
    assert st.level == 0 and st.name == "Unstable"
    assert [b.target for b in st.blocked_by] == ["stability"]
    assert st.blocked_by[0].stage == 1


def test_strong_relationships_cannot_hide_outages(framework: fw.Framework) -> None:
    # Everything above the stability gate is excellent: still Order Taker at best.
    a = areas({"stability": 45, "delivery": 95, "planning": 95, "relationships": 99, "talent": 95})
    st = evaluate_stage(framework, [a, a])
    assert st.level == 1
    assert {b.target for b in st.blocked_by} == {"stability"}


def test_reliable_operator_needs_two_periods(framework: fw.Framework) -> None:
    now = areas({"stability": 80, "delivery": 75, "talent": 60})
    before = areas({"stability": 65, "delivery": 75, "talent": 60})
    st = evaluate_stage(framework, [now, before])
    assert st.level == 1
    (b,) = st.blocked_by
    assert b.target == "stability" and b.actual == 80 and b.previous == 65
    assert "period before" in b.reason
    st = evaluate_stage(framework, [now, now])
    assert st.level == 2


def test_single_person_service_blocks_stage_2(framework: fw.Framework) -> None:
    a = areas({"stability": 80, "delivery": 80, "talent": 70}, kpc=75.0)
    st = evaluate_stage(framework, [a, a])
    assert st.level == 1
    assert [b.target for b in st.blocked_by] == ["key_person_coverage"]


def test_missing_talent_data_fails_gate_with_reason(framework: fw.Framework) -> None:
    a = areas({"stability": 80, "delivery": 80, "talent": None}, kpc=None)
    st = evaluate_stage(framework, [a, a])
    assert st.level == 1
    talent = next(b for b in st.blocked_by if b.target == "talent")
    assert "not measured" in talent.reason and "talent records" in talent.reason


def test_trusted_partner_needs_every_area_and_metrics(framework: fw.Framework) -> None:
    sat = metric("stakeholder_satisfaction", "relationships", 82, 90)
    ei = metric("early_involvement", "planning", 55, 90)
    pp = metric("partner_perception", "relationships", 49.9, 79)
    scores = {a: 80.0 for a in AREAS}
    a = areas(scores, {"relationships": [sat, pp], "planning": [ei]})
    st = evaluate_stage(framework, [a, a])
    assert st.level == 3
    assert [b.target for b in st.blocked_by] == ["partner_perception"]
    pp = replace(pp, value=50)
    a = areas(scores, {"relationships": [sat, pp], "planning": [ei]})
    assert evaluate_stage(framework, [a, a]).level == 4
    scores["talent"] = 74.9
    a2 = areas(scores, {"relationships": [sat, pp], "planning": [ei]})
    st = evaluate_stage(framework, [a2, a2])
    assert st.level == 3 and [b.target for b in st.blocked_by] == ["talent"]


def test_higher_gate_passing_does_not_skip_a_failing_lower_one(framework: fw.Framework) -> None:
    sat = metric("stakeholder_satisfaction", "relationships", 90, 100)
    a = areas(
        {"stability": 90, "delivery": 60, "planning": 90, "relationships": 90, "talent": 90},
        {"relationships": [sat]},
    )
    st = evaluate_stage(framework, [a, a])
    assert st.level == 1
    assert st.ladder[3].passed is True  # stage 3's own gate passes, but stage 2's fails


def test_trust_index_is_capped_at_stage_ceiling(framework: fw.Framework) -> None:
    a = areas({"stability": 45, "delivery": 95, "planning": 95, "relationships": 95, "talent": 95})
    ti = trust_index(framework, a, 40)
    # (45 + 95*4) / 5 = 85.0, capped at Order Taker's ceiling of 40
    assert ti.uncapped == 85.0 and ti.value == 40
    ti = trust_index(framework, areas({"stability": 30, "delivery": None}), 20)
    assert ti.uncapped == 30 and ti.value == 20 and ti.areas_measured == 1


def test_trust_index_none_when_nothing_measured(framework: fw.Framework) -> None:
    assert trust_index(framework, areas({}), 20).value is None


def test_predictability_uses_only_scored_metrics(framework: fw.Framework) -> None:
    a = areas(
        {},
        {
            "delivery": [
                metric("commitment_reliability", "delivery", 80, 75),
                metric("schedule_slip", "delivery", 10, 88.9),
                metric("forecast_calibration", "delivery", 2, 92),
            ],
            "stability": [metric("slo_attainment", "stability", None, None, "insufficient")],
        },
    )
    p = predictability(framework, a)
    # forecast_calibration counts too (recorded forecasts that come true are promises kept);
    # slo_attainment is insufficient and left out
    assert p.value == pytest.approx((75 + 88.9 + 92) / 3, abs=1e-3)
    assert set(p.metrics) == {"commitment_reliability", "schedule_slip", "forecast_calibration"}


def test_focus_orders_stability_first_then_gap_times_weight(framework: fw.Framework) -> None:
    ev = (Evidence("service", "ERP", "ERP: 9 of 14 P1/P2 incidents", 9),)
    extra = {
        "stability": [
            metric("mttr", "stability", 8, 60, evidence=ev),
            metric("availability", "stability", 99.5, 30, weight=2),
        ],
        "delivery": [metric("commitment_reliability", "delivery", 60, 10)],
        "talent": [metric("training_hours", "talent", 5, 0)],
    }
    a = areas({"stability": 50, "delivery": 50, "talent": 40}, extra)
    f = next_focus(framework, evaluate_stage(framework, [a, a]), a)
    assert f.stage == 2 and f.stage_name == "Reliable Operator"
    order = [i.metric for i in f.items]
    # gap × weight: availability 70×2=140, commitment_reliability 90, mttr 40; talent last
    assert order[:3] == ["availability", "commitment_reliability", "mttr"]
    assert order.index("training_hours") > 2
    mttr = next(i for i in f.items if i.metric == "mttr")
    assert mttr.evidence[0].detail.startswith("ERP: 9 of 14")
    assert mttr.actions == tuple(framework.metrics["mttr"].actions)
    assert f.summary.startswith("To reach Reliable Operator: stability scored 50")


def test_perception_quadrants(framework: fw.Framework) -> None:
    tc = metric("trust_components", "relationships", 70, 75, breakdown={"reliability": 72.0})
    a = areas({"stability": 40, "delivery": 50}, {"relationships": [tc]})
    p = perception(framework, a)
    assert p is not None and p.quadrant == "borrowed_trust" and p.measured == 45.0
    a = areas({"stability": 80, "delivery": 70}, {"relationships": [tc]})
    assert quadrant(framework, a) == "trusted"
    tc = replace(tc, breakdown={"reliability": 30.0})
    a = areas({"stability": 80, "delivery": 70}, {"relationships": [tc]})
    assert quadrant(framework, a) == "invisible_improvement"
    a = areas({"stability": 20, "delivery": None}, {"relationships": [tc]})
    assert quadrant(framework, a) == "order_taker"
    tc = replace(tc, status="insufficient")
    a = areas({"stability": 20, "delivery": None}, {"relationships": [tc]})
    assert perception(framework, a) is None


def quadrant(framework: fw.Framework, a: list[Area]) -> str:
    p = perception(framework, a)
    assert p is not None
    return p.quadrant
